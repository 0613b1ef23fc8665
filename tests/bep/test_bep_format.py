"""Reading BEP instance files: the worked example, and errors that name the file, line and field."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from bep_cases import EXAMPLE, write

from evac.adapters.bep import BepFormatError, read_bep
from evac.core.errors import ScenarioError

if TYPE_CHECKING:
    from pathlib import Path


def test_reads_the_worked_example(tmp_path: Path) -> None:
    inst = read_bep(write(tmp_path, EXAMPLE))
    pr = inst.problem
    assert inst.name == "BEP-1-2-2-2-i1"
    assert (pr.seats, pr.depot_buses, pr.demand, pr.capacity) == (1, (2,), (3, 5), (8, 1))
    assert pr.depot_to_pickup.tolist() == [[4.0, 7.0]]
    assert pr.pickup_to_shelter.tolist() == [[6.0, 4.0], [6.0, 7.0]]
    np.testing.assert_array_equal(pr.shelter_to_pickup, pr.pickup_to_shelter.T)
    assert pr.n_loads == 8 and pr.is_integral


def test_line_breaks_do_not_matter(tmp_path: Path) -> None:
    flat = " ".join(EXAMPLE.split())
    assert read_bep(write(tmp_path, flat)).problem.demand == (3, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EXAMPLE.replace("2 8 3 5", "2 8 3 x"), "BEP-1-2-2-2-i1.txt:3: demand of pickup 2: 'x' is not a whole number"),
        (EXAMPLE.replace("2 8 3 5", "2 9 3 5"), "BEP-1-2-2-2-i1.txt:3: demand: sum 8 differs from W = 9"),
        (EXAMPLE.replace("1 2\n", "1 3\n", 1), "buses at depots: sum 3 differs from B = 2"),
        (EXAMPLE.replace("2 9 8 1", "2 10 8 1"), ":4: capacity: sum 9 differs from C = 10"),
        (EXAMPLE.replace("1 6 4", "1 6 -4"), ":8: time pickup 1 -> shelter 2: '-4' is not a non-negative finite time"),
        (EXAMPLE.replace("2 6 7", "3 6 7"), ":9: row label of pickup 2: reads 3; rows must come in order"),
        (EXAMPLE.replace("2 6 7\n", "2 6\n"), "time pickup 2 -> shelter 2: missing (the file ends early)"),
        (EXAMPLE + "5\n", ":10: end of file: unexpected extra value '5'"),
        (EXAMPLE.replace("2 1\n", "2 0\n", 1), ":1: bus capacity Q: 0 is below 1"),
        (EXAMPLE.replace("2 9 8 1", "2 7 6 1"), "shelters hold 7 people, 8 wait"),
    ],
)
def test_bad_files_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(BepFormatError) as info:
        read_bep(write(tmp_path, text))
    assert expected in str(info.value)
    assert isinstance(info.value, ScenarioError)
    assert str(info.value).startswith("BEP-1-2-2-2-i1.txt")


def test_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(BepFormatError, match="cannot read the file"):
        read_bep(tmp_path / "nope.txt")
