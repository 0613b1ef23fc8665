"""The abstract bus evacuation problem (BEP, Bish 2011), free of evac's scenario nouns.

Buses start at depots, drive empty to a pickup point, load at most ``seats`` people, drive them to a
shelter and unload; then they may drive empty from that shelter to another pickup point, and so on. A bus
never returns to its depot. Every person must reach a shelter, no shelter may receive more people than its
capacity, and the objective is the **makespan**: the time the last bus arrives at a shelter with its last
load. Loading and unloading take no time (fold them into the travel times if they matter).

Times are in one unit chosen by the caller (hours in evac; metres or abstract units in the published BEP
instances); every time a solver reports is in that unit. ``inf`` marks a leg no bus may drive.

Demand is split into **loads**: ``demand // seats`` full loads of ``seats`` people and, when the demand is
not a multiple of the seats, one partial load of the remainder. A bus carries exactly one load per trip
(never two pickups' people at once), which is the BEP's rule and costs nothing when demands are multiples
of the seats, as in every published instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from evac.core.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, NDArray

__all__ = ["BusProblem", "BusProblemError"]


class BusProblemError(ModelError):
    """A bus problem is malformed, or no plan can evacuate everyone (e.g. shelters too small)."""


def _matrix(name: str, values: ArrayLike, shape: tuple[int, int]) -> NDArray[np.float64]:
    arr = np.array(values, dtype=np.float64)
    if arr.size == 0:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise BusProblemError(f"{name}: shape {arr.shape}, expected {shape}")
    if np.isnan(arr).any() or (arr < 0).any():
        raise BusProblemError(f"{name}: travel times must be non-negative numbers (inf: no road)")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class BusProblem:
    """One bus evacuation problem.

    Parameters
    ----------
    seats
        People one bus carries (the BEP's Q), the same for every bus.
    depot_buses
        Buses stationed at each depot. Buses are numbered depot by depot: depot 0's first, then depot 1's.
    demand
        People waiting at each pickup point.
    capacity
        Most people each shelter can receive in all.
    depot_to_pickup, pickup_to_shelter, shelter_to_pickup
        Travel times, shapes (D, P), (P, S) and (S, P). The published instances use one matrix for both
        directions between pickups and shelters: pass its transpose as ``shelter_to_pickup``.
    release
        Time each bus may leave its depot (one value per bus; empty: all at 0).
    deadline
        Latest time a bus may arrive at (and so load and leave) each pickup point, e.g. before the place
        closes (one value per pickup; empty: no deadline).
    name
        For messages and reports.
    """

    seats: int
    depot_buses: tuple[int, ...]
    demand: tuple[int, ...]
    capacity: tuple[int, ...]
    depot_to_pickup: NDArray[np.float64]
    pickup_to_shelter: NDArray[np.float64]
    shelter_to_pickup: NDArray[np.float64]
    release: tuple[float, ...] = ()
    deadline: tuple[float, ...] = ()
    name: str = ""
    bus_depot: tuple[int, ...] = field(init=False, repr=False)
    loads: tuple[tuple[int, ...], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.seats <= 0:
            raise BusProblemError(f"seats must be positive, got {self.seats}")
        for label, values in (("depot_buses", self.depot_buses), ("demand", self.demand),
                              ("capacity", self.capacity)):
            if any(int(v) != v or v < 0 for v in values):
                raise BusProblemError(f"{label}: counts must be non-negative integers")
        d, p, s = len(self.depot_buses), len(self.demand), len(self.capacity)
        if d == 0 or (p > 0 and s == 0):
            raise BusProblemError("a problem needs at least one depot, and a shelter when there are pickups")
        object.__setattr__(self, "depot_buses", tuple(int(v) for v in self.depot_buses))
        object.__setattr__(self, "demand", tuple(int(v) for v in self.demand))
        object.__setattr__(self, "capacity", tuple(int(v) for v in self.capacity))
        object.__setattr__(self, "depot_to_pickup", _matrix("depot_to_pickup", self.depot_to_pickup, (d, p)))
        object.__setattr__(self, "pickup_to_shelter", _matrix("pickup_to_shelter", self.pickup_to_shelter, (p, s)))
        object.__setattr__(self, "shelter_to_pickup", _matrix("shelter_to_pickup", self.shelter_to_pickup, (s, p)))
        n_bus = sum(self.depot_buses)
        if self.release and len(self.release) != n_bus:
            raise BusProblemError(f"release: {len(self.release)} values for {n_bus} buses")
        if any(not math.isfinite(r) or r < 0 for r in self.release):
            raise BusProblemError("release: times must be finite and non-negative")
        if self.deadline and len(self.deadline) != p:
            raise BusProblemError(f"deadline: {len(self.deadline)} values for {p} pickup points")
        if any(math.isnan(t) for t in self.deadline):
            raise BusProblemError("deadline: times must be numbers (inf: none)")
        object.__setattr__(self, "bus_depot", tuple(k for k, n in enumerate(self.depot_buses) for _ in range(n)))
        q = self.seats
        object.__setattr__(self, "loads", tuple((q,) * (w // q) + ((w % q,) if w % q else ()) for w in self.demand))
        if sum(self.demand) > sum(self.capacity):
            raise BusProblemError(f"shelters hold {sum(self.capacity)} people, {sum(self.demand)} wait")
        if sum(self.demand) > 0 and n_bus == 0:
            raise BusProblemError("people wait but there is no bus")
        for i, sizes in enumerate(self.loads):
            if not sizes:
                continue
            reach = self.depot_to_pickup[:, i].min() if p else math.inf
            if not math.isfinite(reach) and not np.isfinite(self.shelter_to_pickup[:, i]).any():
                raise BusProblemError(f"pickup {i}: no depot or shelter has a road to it")
            if not any(math.isfinite(self.pickup_to_shelter[i, j]) and self.capacity[j] >= min(sizes)
                       for j in range(s)):
                raise BusProblemError(f"pickup {i}: no shelter with room for a load is reachable")

    # -- sizes --------------------------------------------------------------------------------------
    @property
    def n_depots(self) -> int:
        return len(self.depot_buses)

    @property
    def n_pickups(self) -> int:
        return len(self.demand)

    @property
    def n_shelters(self) -> int:
        return len(self.capacity)

    @property
    def n_buses(self) -> int:
        return len(self.bus_depot)

    @property
    def n_loads(self) -> int:
        """Trips needed in all: one per load."""
        return sum(len(sizes) for sizes in self.loads)

    # -- per bus and pickup ----------------------------------------------------------------------
    def release_of(self, bus: int) -> float:
        return self.release[bus] if self.release else 0.0

    def deadline_of(self, pickup: int) -> float:
        return self.deadline[pickup] if self.deadline else math.inf

    @property
    def has_deadlines(self) -> bool:
        return any(math.isfinite(t) for t in self.deadline)

    @property
    def is_integral(self) -> bool:
        """True when every finite time is a whole number: then every makespan is one too."""
        arrays: Sequence[NDArray[np.float64]] = (self.depot_to_pickup, self.pickup_to_shelter,
                                                 self.shelter_to_pickup)
        for arr in arrays:
            finite = arr[np.isfinite(arr)]
            if (finite != np.round(finite)).any():
                return False
        return all(float(r).is_integer() for r in self.release)

    @classmethod
    def symmetric(
        cls,
        *,
        seats: int,
        depot_buses: Sequence[int],
        demand: Sequence[int],
        capacity: Sequence[int],
        depot_to_pickup: ArrayLike,
        pickup_to_shelter: ArrayLike,
        name: str = "",
    ) -> BusProblem:
        """A problem whose shelter-to-pickup times are the pickup-to-shelter times (the published BEP)."""
        ps = np.array(pickup_to_shelter, dtype=np.float64).reshape(len(demand), len(capacity))
        return cls(seats, tuple(depot_buses), tuple(demand), tuple(capacity),
                   np.array(depot_to_pickup, dtype=np.float64).reshape(len(depot_buses), len(demand)),
                   ps, ps.T.copy(), name=name)

