"""The relatives' enquiry desk (``/enquiries``): a call recorded, what may be read out, the desk's log."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evac.api.schemas.people import PersonOut  # noqa: TC001 -- pydantic reads the annotation at runtime


class EnquiryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str | None = Field(None, pattern=r"^R\d{1,10}$", description="The person asked about (from the "
                               "people search); null when nobody matched the caller's description.")
    caller_name: str = Field(min_length=1, max_length=200, description="Who called.")
    caller_contact: str = Field(min_length=1, max_length=200, description="How to call them back.")
    relation: str = Field("", max_length=100, description="Their stated relation to the person.")
    question: str = Field("", max_length=1000, description="What they asked, or the description they gave.")
    note: str = Field("", max_length=2000, description="The desk officer's note.")
    language: Literal["en", "ru", "ar"] = Field("en", description="The language of the answer to read out.")


class EnquiryOut(BaseModel):
    enquiry: int = Field(description="The recorded enquiry's id.")
    person: PersonOut | None = Field(description="The person's record as the desk officer sees it (NOT for the "
                                                 "caller); null when nobody matched.")
    outcome: Literal["registered", "assembly", "on_the_way", "safe", "not_found"] = Field(
        description="The stage the answer discloses.")
    answer: str = Field(description="What may be read out to the caller: the person's name and stage only.")
    language: str


class EnquiryRecordOut(BaseModel):
    id: int
    at: str | None
    actor: str = Field(description="The desk officer who took the call.")
    person: str | None
    outcome: str
    caller_name: str
    caller_contact: str
    relation: str
    question: str
    answer: str
    note: str
