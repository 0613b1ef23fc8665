"""Assemble a sparse model column block by column block, then hand it over as CSR arrays once.

Columns are added in blocks (numpy arrays of costs and bounds); each row block is given as triplets
``(row, col, value)``. :meth:`ModelBuilder.build` sorts the triplets once, sums duplicates and returns a
:class:`~evac.core.planner.lp.highs.LinearProgram`. Nothing here imports HiGHS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

    from evac.core.planner.lp.highs import LinearProgram


class ModelBuilder:
    """Accumulates columns, rows and coefficients (see the module docstring)."""

    def __init__(self) -> None:
        self._cost: list[NDArray[np.float64]] = []
        self._lo: list[NDArray[np.float64]] = []
        self._hi: list[NDArray[np.float64]] = []
        self._int: list[NDArray[np.bool_]] = []
        self._rlo: list[NDArray[np.float64]] = []
        self._rhi: list[NDArray[np.float64]] = []
        self._r: list[NDArray[np.int64]] = []
        self._c: list[NDArray[np.int64]] = []
        self._v: list[NDArray[np.float64]] = []
        self.cols = 0
        self.rows = 0

    def add_cols(self, n: int, *, cost: ArrayLike = 0.0, lower: ArrayLike = 0.0, upper: ArrayLike = np.inf,
                 integer: bool = False) -> NDArray[np.int64]:
        """Add ``n`` columns; returns their indices. Scalars broadcast; ``np.inf`` means unbounded."""
        idx = np.arange(self.cols, self.cols + n, dtype=np.int64)
        self._cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self._lo.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._hi.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self._int.append(np.full(n, integer, dtype=np.bool_))
        self.cols += n
        return idx

    def add_rows(self, n: int, *, lower: ArrayLike = -np.inf, upper: ArrayLike = np.inf) -> NDArray[np.int64]:
        """Add ``n`` empty rows with the given bounds; returns their indices."""
        idx = np.arange(self.rows, self.rows + n, dtype=np.int64)
        self._rlo.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._rhi.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self.rows += n
        return idx

    def add_coefs(self, rows: ArrayLike, cols: ArrayLike, values: ArrayLike = 1.0) -> None:
        """Add coefficients; repeated ``(row, col)`` pairs are summed by :meth:`build`."""
        r = np.asarray(rows, dtype=np.int64).ravel()
        c = np.asarray(cols, dtype=np.int64).ravel()
        v = np.broadcast_to(np.asarray(values, dtype=np.float64), r.shape).copy()
        if r.shape != c.shape:
            raise ValueError("rows and cols differ in length")
        self._r.append(r)
        self._c.append(c)
        self._v.append(v)

    def build(self, *, maximize: bool, integer: bool = False) -> LinearProgram:
        """The CSR model; ``integer`` keeps the integrality marks (a MIP), otherwise it is an LP."""
        from evac.core.planner.lp.highs import INF, LinearProgram

        def cat(parts: list[NDArray[np.float64]]) -> NDArray[np.float64]:
            out = np.concatenate(parts) if parts else np.zeros(0)
            return np.clip(out, -INF, INF)

        r = np.concatenate(self._r) if self._r else np.zeros(0, dtype=np.int64)
        c = np.concatenate(self._c) if self._c else np.zeros(0, dtype=np.int64)
        v = np.concatenate(self._v) if self._v else np.zeros(0)
        key = r * max(self.cols, 1) + c
        uniq, inverse = np.unique(key, return_inverse=True)
        vals = np.zeros(len(uniq))
        np.add.at(vals, inverse, v)
        keep = vals != 0.0
        uniq, vals = uniq[keep], vals[keep]
        rows = uniq // max(self.cols, 1)
        cols = uniq % max(self.cols, 1)
        start = np.zeros(self.rows + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=self.rows), out=start[1:])
        ints = np.concatenate(self._int) if self._int else np.zeros(0, dtype=np.bool_)
        return LinearProgram(
            cost=np.concatenate(self._cost) if self._cost else np.zeros(0),
            col_lower=cat(self._lo), col_upper=cat(self._hi),
            row_lower=cat(self._rlo), row_upper=cat(self._rhi),
            start=start, index=cols.astype(np.int32), value=vals.astype(np.float64),
            maximize=maximize, integer=ints if integer and ints.any() else None,
        )
