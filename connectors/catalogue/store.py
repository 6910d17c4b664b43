"""Writing procedures: one upsert for the curated seed, the national importer and staff tools."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from connectors.procedures.models import (
    LegalDocument,
    Procedure,
    ProcedureAlias,
    ProcedureStep,
    RequiredDocument,
    SubmissionChannel,
)
from connectors.procedures.schemas import ChannelPublic, DocumentPublic, LegalDocumentPublic

# A document, a channel and a legal text are stored exactly as the API shows them.
DocumentIn = DocumentPublic
ChannelIn = ChannelPublic
LegalIn = LegalDocumentPublic


class ProcedureRecord(BaseModel):
    code: str = Field(pattern=r"^[0-9A-Za-z.\-_]+$", max_length=32)
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
    source: str = "national"
    popularity: int = 0
    aliases: list[str] = []
    documents: list[DocumentIn] = []
    channels: list[ChannelIn] = []
    steps: list[str] = []
    legal_basis: list[LegalIn] = []


_SCALARS = (
    "name", "short_name", "summary", "domain", "level", "agency", "requesters", "conditions",
    "result", "fee_note", "online_url", "source_url", "source", "popularity",
)  # fmt: skip


def upsert_procedure(session: Session, record: ProcedureRecord) -> bool:
    """Insert or replace one procedure with all its children. Returns True when it was new."""
    procedure = session.get(Procedure, record.code)
    created = procedure is None
    if procedure is None:
        procedure = Procedure(code=record.code)
        session.add(procedure)
    for field in _SCALARS:
        setattr(procedure, field, getattr(record, field))
    procedure.retired_at = None  # a record someone writes is in force (an import lists it again)
    procedure.aliases = [ProcedureAlias(alias=a) for a in dict.fromkeys(record.aliases)]
    procedure.documents = [
        RequiredDocument(position=i, **d.model_dump()) for i, d in enumerate(record.documents)
    ]
    procedure.channels = [
        SubmissionChannel(position=i, **c.model_dump()) for i, c in enumerate(record.channels)
    ]
    procedure.steps = [ProcedureStep(position=i, text=t) for i, t in enumerate(record.steps)]
    procedure.legal_basis = [
        LegalDocument(position=i, **doc.model_dump()) for i, doc in enumerate(record.legal_basis)
    ]
    return created


def record_of(procedure: Procedure) -> ProcedureRecord:
    """The stored procedure as a record: what ``upsert_procedure`` wrote, read back."""
    return ProcedureRecord(
        code=procedure.code,
        **{field: getattr(procedure, field) for field in _SCALARS},
        aliases=[a.alias for a in procedure.aliases],
        documents=[DocumentIn.model_validate(d) for d in procedure.documents],
        channels=[ChannelIn.model_validate(c) for c in procedure.channels],
        steps=[s.text for s in procedure.steps],
        legal_basis=[LegalIn.model_validate(doc) for doc in procedure.legal_basis],
    )
