"""De-duplication measured on lists evac's own generator did not write (bench/lists_independent.py).

The list goes the way a real one does: written to CSV (snake_case header, several sources' conventions), read
by evac's importer (headers, dates, phones to E.164 with region SY), then linked by
:func:`evac.core.registry.linkage.link` with no household column (so no household veto). Pairwise scores
compare the predicted pairs with the generator's truth: "match" pairs alone (what would be merged), and
"match" plus "review" pairs (recall with the review queue: what a reviewer gets to see).

Usage: ``.venv/bin/python bench/bench_dedup_independent.py [--people 10000 50000] [--seed 1]``.
Each size runs in its own process so that its peak memory is its own. Prints a table; never part of the test
pass/fail.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lists_independent  # a sibling script, not a package

from evac.adapters.importers.tabular import read_table
from evac.core.registry.linkage import baseline_pairs, link, score_pairs


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def truth_pairs(ext_ids: list[str], truth_path: Path) -> set[tuple[int, int]]:
    """True pairs ``(i, j)``, ``i < j``, over the importer's record order."""
    with truth_path.open(encoding="utf-8", newline="") as fh:
        person = {row["external_id"]: row["person_id"] for row in csv.DictReader(fh)}
    by_person: dict[str, list[int]] = {}
    for i, e in enumerate(ext_ids):
        by_person.setdefault(person[e], []).append(i)
    return {(idx[x], idx[y]) for idx in by_person.values() for x in range(len(idx)) for y in range(x + 1, len(idx))}


def run_one(people: int, seed: int) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "independent.csv"
        tpath = lists_independent.write(path, people, seed=seed)
        t0 = time.perf_counter()
        table = read_table(path)
        t_read = time.perf_counter() - t0
        recs = [r for _, r in table.records]
        truth = truth_pairs([r.external_id for r in recs], tpath)
    t1 = time.perf_counter()
    res = link(recs, seed=seed)
    t_link = time.perf_counter() - t1
    matches = {(c.a, c.b) for c in res.candidates if c.decision == "match"}
    queue = {(c.a, c.b) for c in res.candidates}
    sm, sq = score_pairs(matches, truth), score_pairs(queue, truth)
    base = score_pairs(baseline_pairs(recs), truth)
    return {"people": people, "records": len(recs), "rejected_rows": len({e.line for e in table.errors}),
            "true_pairs": len(truth), "pairs_compared": res.pairs_compared, "precision": round(sm.precision, 4),
            "recall": round(sm.recall, 4), "f1": round(sm.f1, 4), "queue_pairs": len(queue),
            "queue_precision": round(sq.precision, 4), "queue_recall": round(sq.recall, 4),
            "baseline_f1": round(base.f1, 4), "read_s": round(t_read, 2), "link_s": round(t_link, 2),
            "peak_rss_mib": round(rss_mb())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--one", action="store_true", help="(internal) run one size in this process, print JSON")
    a = ap.parse_args()
    if a.one:
        print(json.dumps(run_one(a.people[0], a.seed)))
        return
    rows = []
    for n in a.people:
        out = subprocess.run([sys.executable, __file__, "--one", "--people", str(n), "--seed", str(a.seed)],
                             check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| people | records | true pairs | precision | recall | F1 | queue recall | queue pairs | baseline F1 "
          "| read s | link s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['people']:,} | {r['records']:,} | {r['true_pairs']:,} | {r['precision']:.3f} | {r['recall']:.3f} "
              f"| {r['f1']:.3f} | {r['queue_recall']:.3f} | {r['queue_pairs']:,} | {r['baseline_f1']:.3f} "
              f"| {r['read_s']:.1f} | {r['link_s']:.1f} | {r['peak_rss_mib']:,} |")


if __name__ == "__main__":
    main()
