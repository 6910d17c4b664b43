"""Public shapes of the procedure API (stable: the actions and acceptance suites read them)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


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


class SearchResult(BaseModel):
    query: str
    items: list[ProcedureSummary]


class ProcedurePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
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
