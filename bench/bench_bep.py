"""Bus Evacuation Problem benchmark: evac's bus optimiser on the published instances (Bish 2011 / GRASP).

Usage: ``.venv/bin/python bench/bench_bep.py [--sets set2 set3 set10 real] [--time-limit 30] [--json]
[--rules bish|bep|roads]``. Reads ``shared/external/bep`` (``$EVAC_EXTERNAL`` or found by walking up), never
copies it. Same as ``evac bench bep``. Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse

from evac.cli.bench_bep import SETS, bench_bep_cli


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", nargs="*", default=[], choices=list(SETS), help="instance sets (default: all)")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    ap.add_argument("--rules", default="bish", choices=["bish", "bep", "roads"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON object per instance")
    args = ap.parse_args()
    bench_bep_cli(args.json, args.sets, args.time_limit, rules=args.rules, seed=args.seed)


if __name__ == "__main__":
    main()
