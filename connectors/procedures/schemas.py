"""Public shapes of the procedure API (stable: the actions and acceptance suites read them)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.locality.service import Office


class DocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    copy_kind: str | None = None
    quantity: int | None = None
    form_name: str | None = None
    group: str = "nộp"
    note: str | None = None


class ChannelPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str = Field(pattern=r"^(in_person|online|post)$")
    processing_time: float | None = None
    time_unit: str | None = None
    time_text: str | None = None
    fee_text: str | None = None
    fee_amount: int | None = None
    note: str | None = None


class LegalDocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str | None = None
    title: str


class ProcedureSummary(BaseModel):
    code: str
    name: str
    short_name: str | None = None
    domain: str | None = None
    level: str | None = None
    score: float
    match_len: int = 0


class ResolvedProcedure(BaseModel):
    code: str
    name: str
    title: str = Field(description="the short name, or the name without its level suffix")
    short_name: str | None = None
    domain: str | None = None
    coverage: float = Field(description="share of the message this procedure explains (0-1)")
    named: int = Field(description="words of a name or alias the message contains whole")


class ResolveResult(BaseModel):
    """Which procedure a message means, how sure that is, and what it asks about it."""

    query: str
    decision: Literal["confident", "weak", "none", "menu", "no_fit"]
    reason: str
    procedure: ResolvedProcedure | None = None
    candidates: list[ResolvedProcedure] = Field(
        default_factory=list, description="other procedures to offer, with distinct titles"
    )
    aspects: list[str] = Field(
        default_factory=list,
        description="what the message asks: documents, fee, time, office, online, requesters, "
        "conditions, result, steps, validity, deadline, legal, hours",
    )
    out_of_reach: list[str] = Field(
        default_factory=list, description="questions no procedure answers: penalty, policy, "
        "personal_case",
    )
    menu: str | None = None
    names_a_paper: bool = Field(
        default=False, description="the message names a paper, permit or card (lexicon/papers.yml)"
    )


class ProcedureOffices(BaseModel):
    code: str
    agency: str | None
    kinds: list[str] = Field(description="office kinds the agency names (police, commune...)")
    offices: list[Office] = Field(description="this locality's offices of those kinds")
    level: str | None = Field(
        default=None, description="the record's level, when the offices come from it (no agency)"
    )
    place: str | None = Field(
        default=None,
        description="whose commune a local office is, by the record's place rule "
        "(connectors/locality/places.yml: construction_site, deceased_last_residence, anywhere...)",
    )


class SearchResult(BaseModel):
    query: str
    items: list[ProcedureSummary]


class ProcedurePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    title: str = Field(
        default="", description="how an officer says it: the short name, or the name without "
        "'Thủ tục' and its level suffix"
    )
    short_name: str | None = None
    summary: str | None = None
    domain: str | None = None
    level: str | None = None
    agency: str | None = None
    requesters: str | None = None
    conditions: str | None = None
    result: str | None = None
    fee_note: str | None = None
    online_url: str | None = None
    source_url: str | None = None
    source: str
    updated_at: datetime | None = None
    aliases: list[str] = []
    documents: list[DocumentPublic] = []
    channels: list[ChannelPublic] = []
    steps: list[str] = []
    legal_basis: list[LegalDocumentPublic] = []

    @field_validator("updated_at")
    @classmethod
    def _with_offset(cls, value: datetime | None) -> datetime | None:
        # SQLite hands back naive datetimes (stored as UTC); an RFC 3339 date-time, as the OpenAPI
        # document promises, carries its offset (found by tests/fuzz)
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=timezone.utc)


class PassagePublic(BaseModel):
    field: str = Field(description="where in the record: conditions, requesters, steps, "
                       "channels, documents, result, fee_note, summary")
    text: str
    share: float = Field(description="how much of the question the sentence holds (0-1)")


class ProcedurePassages(BaseModel):
    code: str
    question: str
    passages: list[PassagePublic] = Field(
        description="the record's sentences that answer the question, best first; none when "
        "the record does not say"
    )
