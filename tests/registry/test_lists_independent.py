"""The independent messy-list generator (bench/lists_independent.py) and linkage measured on it."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from evac.adapters.importers.tabular import read_table
from evac.core.registry.linkage import link, score_pairs

if TYPE_CHECKING:
    from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


li = _load("lists_independent")


def test_it_shares_no_code_with_evac() -> None:
    source = (BENCH / "lists_independent.py").read_text(encoding="utf-8")
    assert "import evac" not in source and "from evac" not in source


@pytest.mark.parametrize(("cyr", "icao", "bgn", "german", "french"), [
    ("Людмила", "Liudmila", "Lyudmila", "Ljudmila", "Lioudmila"),
    ("Иванова", "Ivanova", "Ivanova", "Iwanowa", "Ivanova"),
    ("Шевченко", "Shevchenko", "Shevchenko", "Schewtschenko", "Chevtchenko"),
    ("Елена", "Elena", "Yelena", "Jelena", "Elena"),
    ("Григорьева", "Grigoreva", "Grigoryeva", "Grigorjewa", "Grigorieva"),
])
def test_romanisation_standards(cyr: str, icao: str, bgn: str, german: str, french: str) -> None:
    assert [li.romanise(cyr, s) for s in ("icao", "bgn", "german", "french")] == [icao, bgn, german, french]


def test_same_seed_same_list_and_truth_covers_every_row(tmp_path: Path) -> None:
    a, ta = li.generate(300, seed=5)
    b, tb = li.generate(300, seed=5)
    assert a == b and ta == tb
    assert {r["external_id"] for r in a} == set(ta)
    assert len(set(ta.values())) == 300 < len(a)  # some people are listed more than once
    assert li.generate(300, seed=6)[0] != a


def test_bad_size_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        li.generate(0, seed=1)
    with pytest.raises(KeyError):
        li.romanise("Анна", "klingon")


def test_linkage_on_an_independent_list(tmp_path: Path) -> None:
    """A small run of the benchmark: the importer reads the snake_case list whole, and linkage finds most
    duplicates with few false merges (the full numbers come from bench/bench_dedup_independent.py)."""
    path = tmp_path / "ind.csv"
    tpath = li.write(path, 3000, seed=11)
    table = read_table(path)
    assert not table.errors
    recs = [r for _, r in table.records]
    with tpath.open(encoding="utf-8", newline="") as fh:
        person = {row["external_id"]: row["person_id"] for row in csv.DictReader(fh)}
    by: dict[str, list[int]] = {}
    for i, r in enumerate(recs):
        by.setdefault(person[r.external_id], []).append(i)
    truth = {(x[i], x[j]) for x in by.values() for i in range(len(x)) for j in range(i + 1, len(x))}
    res = link(recs, seed=11)
    matches = score_pairs({(c.a, c.b) for c in res.candidates if c.decision == "match"}, truth)
    queue = score_pairs({(c.a, c.b) for c in res.candidates}, truth)
    assert matches.precision > 0.9 and matches.f1 > 0.85 and queue.recall > 0.95
