"""Threats: events that close or endanger a place or link, at a known or uncertain time.

Times are hours from the scenario epoch. Each distribution can give a quantile (for planning against a
chosen level of risk) and a sample (for Monte Carlo), from a caller-supplied ``numpy`` generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import TYPE_CHECKING, Protocol

from evac.core.errors import ModelError

if TYPE_CHECKING:
    import numpy as np


class Effect(StrEnum):
    CLOSE = "close"  # unusable from that time on
    DANGER = "danger"  # usable, but time spent there counts as exposure


class TimeDistribution(Protocol):
    """When a threat happens, in hours from the epoch."""

    def quantile(self, q: float) -> float: ...

    def sample(self, rng: np.random.Generator) -> float: ...

    @property
    def earliest_h(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Fixed:
    at_h: float

    def quantile(self, q: float) -> float:
        return self.at_h

    def sample(self, rng: np.random.Generator) -> float:
        return self.at_h

    @property
    def earliest_h(self) -> float:
        return self.at_h


@dataclass(frozen=True, slots=True)
class Uniform:
    earliest: float
    latest: float

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            raise ModelError(f"uniform: earliest {self.earliest} h is after latest {self.latest} h")

    def quantile(self, q: float) -> float:
        return self.earliest + q * (self.latest - self.earliest)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.earliest, self.latest))

    @property
    def earliest_h(self) -> float:
        return self.earliest


@dataclass(frozen=True, slots=True)
class Triangular:
    earliest: float
    mode: float
    latest: float

    def __post_init__(self) -> None:
        if not self.earliest <= self.mode <= self.latest:
            raise ModelError(
                f"triangular: needs earliest <= mode <= latest, got {self.earliest}, {self.mode}, {self.latest}"
            )

    def quantile(self, q: float) -> float:
        a, c, b = self.earliest, self.mode, self.latest
        if b == a:
            return a
        fc = (c - a) / (b - a)
        if q < fc:
            return a + math.sqrt(q * (b - a) * (c - a))
        return b - math.sqrt((1 - q) * (b - a) * (b - c))

    def sample(self, rng: np.random.Generator) -> float:
        if self.latest == self.earliest:
            return self.earliest
        return float(rng.triangular(self.earliest, self.mode, self.latest))

    @property
    def earliest_h(self) -> float:
        return self.earliest


@dataclass(frozen=True, slots=True)
class LogNormal:
    """``after + median_h * exp(sigma * Z)``: a delay after a known time, with a long tail."""

    after: float
    median_h: float
    sigma: float

    def __post_init__(self) -> None:
        if self.median_h <= 0:
            raise ModelError(f"lognormal: median_h must be positive, got {self.median_h}")
        if self.sigma < 0:
            raise ModelError(f"lognormal: sigma must not be negative, got {self.sigma}")

    def quantile(self, q: float) -> float:
        if self.sigma == 0:
            return self.after + self.median_h
        q = min(max(q, 1e-12), 1 - 1e-12)
        return self.after + self.median_h * math.exp(self.sigma * NormalDist().inv_cdf(q))

    def sample(self, rng: np.random.Generator) -> float:
        return self.after + self.median_h * math.exp(self.sigma * float(rng.standard_normal()))

    @property
    def earliest_h(self) -> float:
        return self.after


@dataclass(frozen=True, slots=True)
class Threat:
    """A closure or danger of the place or link ``target`` from time ``when`` on.

    ``until``: a closure that ends — the place or link reopens then (``None``: it never does). Plans take
    the start at the policy's quantile *q* and the end at *1 − q* (a pessimistic window); Monte Carlo samples
    both. Only closures end.

    ``reported_h``: when a closure reported during the operation became known (hours; ``None`` for the
    scenario's own threats, known all along). Legs that departed before it are not judged against it
    (:meth:`evac.core.model.feasibility.ClosureSchedule.closes_for`).
    """

    id: str
    name: str
    target: str
    effect: Effect
    when: Fixed | Uniform | Triangular | LogNormal
    reported_h: float | None = None
    until: Fixed | Uniform | Triangular | LogNormal | None = None

    def __post_init__(self) -> None:
        if self.until is not None and self.effect is not Effect.CLOSE:
            raise ModelError(f"threat {self.id}: only a closure can end ('until' with effect {self.effect})")
