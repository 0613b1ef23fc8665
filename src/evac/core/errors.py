"""One error hierarchy for evac. Edges map these to exit codes (CLI) or HTTP statuses (API)."""

from __future__ import annotations


class EvacError(Exception):
    """Base class of every error evac raises on purpose."""


class ModelError(EvacError, ValueError):
    """A domain object was built with values that break one of its invariants."""


class ScenarioError(EvacError):
    """A scenario file is invalid. ``problems`` lists every problem found, each already located.

    Each problem reads ``file:line: path: message`` so the user can go straight to it.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class PlanFormatError(EvacError):
    """A plan file cannot be read as an evac plan."""


class UnknownReferenceError(EvacError, KeyError):
    """An id refers to nothing in the scenario."""
