"""The independent plan checker and the KPI definition.

It shares :mod:`evac.core.model` with the planners and nothing else: a plan is judged by code that did
not make it. ``check_plan`` lists every hard constraint a plan breaks; ``compute_kpis`` is the one
definition of a plan's KPIs, which planners call too.
"""

from __future__ import annotations

from evac.core.check.checker import TOLERANCE_H, CheckReport, Rule, Violation, check_plan
from evac.core.model.kpis import compute_kpis

__all__ = ["TOLERANCE_H", "CheckReport", "Rule", "Violation", "check_plan", "compute_kpis"]
