"""The status board's funnel (``GET /status-board/funnel`` and the live stream's ``funnel`` events)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FunnelOut(BaseModel):
    """People who reached each stage of the operation (see :mod:`evac.services.funnel`): counts only."""

    stages: list[str] = Field(description="The stages in board order: registered (de-duplicated), eligible, "
                                          "willing, undecided (to call back), called, confirmed, checked_in, "
                                          "boarded, departed, safe, unaccounted.")
    totals: dict[str, int]
    by_place: dict[str, dict[str, int]] = Field(description="Per assembly point (current pick-up place, else "
                                                            "home city): every stage.")
    places: list[str]
    by_class: dict[str, dict[str, int]] = Field(description="Per priority class of the policy: every stage.")
    classes: list[str] = Field(description="The policy's priority classes in order.")
    version: str = Field(description="Changes whenever a count can change (also the ETag).")


class LabelOut(BaseModel):
    id: str
    name: str


class PlaceLabel(LabelOut):
    kind: str
    country: str


class LinkLabel(LabelOut):
    model_config = {"populate_by_name": True}
    from_: str = Field(alias="from")
    to: str
    mode: str


class ThreatLabel(LabelOut):
    target: str


class LabelsOut(BaseModel):
    """Display names of the operation's scenario (places, links, threats), each list sorted by name."""

    scenario: str
    places: list[PlaceLabel]
    links: list[LinkLabel]
    threats: list[ThreatLabel]
