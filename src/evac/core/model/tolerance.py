"""The slack on every comparison of times, shared by the feasibility kernel, the planners and the checker.

A constant, not a rule: the checker keeps its own implementation of each rule but must judge with the same
slack the planners planned with, or a plan made at the edge of a closure would pass one and fail the other.
"""

from __future__ import annotations

__all__ = ["QUEUE_SLACK_H", "TOLERANCE_H"]

TOLERANCE_H = 1e-6
"""Slack on every comparison of times, in hours (3.6 ms): absorbs float rounding in sums of travel times,
never planning error. A leg may depart up to this long after its origin closes and still be legal."""

QUEUE_SLACK_H = 1e-9
"""Slack on a crossing's queue, in hours: a person may be processed this long after they leave. Smaller than
:data:`TOLERANCE_H` because a queue sums many small processing times and must not drift into capacity."""
