"""Dossier status lookup (for the applicant only) and the one write path (demo data, imports).

The dossier comes from a source (the local database or a province's upstream system, see
``sources/``); whichever answered, the ownership check, the masking and the answer's shape are
the same, here.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.applications.models import Application, ApplicationEvent, ApplicationStatusName
from connectors.applications.schemas import (
    STATUS_LABELS,
    ApplicationEventPublic,
    ApplicationStatusPublic,
    LookupRequest,
)
from connectors.applications.sources.base import (
    DigestOwner,
    DossierRecord,
    DossierSource,
    IdentifierDigests,
    Owner,
    PlainOwner,
)
from vnid import LAST_DIGITS, mask_digits, mask_name

logger = logging.getLogger(__name__)

# Vietnam has one time zone and no daylight saving: answers carry +07:00 so "ngày hẹn trả" is the
# citizen's calendar day.
VIETNAM_TZ = timezone(timedelta(hours=7))
# A dossier waiting for the citizen's supplement is not late on the office's side.
OFFICE_CLOCK_RUNNING = frozenset({"received", "in_progress"})

# Compared against when the code does not exist, so both outcomes do the same work.
_DUMMY_OWNER = PlainOwner(id_number="000000000000", phone="0000000000")


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _local(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value).astimezone(VIETNAM_TZ)


def identifier_matches(stored: str | None, given: str | None) -> bool:
    """True when nothing was given; 4 digits are compared with the last 4. Constant time."""
    if given is None:
        return True
    reference = stored or ""
    if len(given) == LAST_DIGITS:
        reference = reference[-LAST_DIGITS:]
    return hmac.compare_digest(reference.encode(), given.encode())


def digest_matches(
    digests: IdentifierDigests, kind: str, full: str | None, last: str | None, given: str | None
) -> bool:
    """``identifier_matches`` for an owner kept as digests (a cached answer): same results."""
    if given is None:
        return True
    if len(given) == LAST_DIGITS:
        reference, value = last, digests(kind + ":last", given)
    else:
        reference, value = full, digests(kind, given)
    return hmac.compare_digest((reference or "").encode(), value.encode())


def owns(owner: Owner, request: LookupRequest, digests: IdentifierDigests | None) -> bool:
    """Every identifier given matches; both are evaluated (no short circuit), so the work done
    does not depend on which one fails."""
    if isinstance(owner, DigestOwner):
        if digests is None:
            raise ValueError("an owner kept as digests needs the digests' key")
        id_ok = digest_matches(
            digests, "id_number", owner.id_number, owner.id_number_last, request.id_number
        )
        phone_ok = digest_matches(digests, "phone", owner.phone, owner.phone_last, request.phone)
    else:
        id_ok = identifier_matches(owner.id_number, request.id_number)
        phone_ok = identifier_matches(owner.phone, request.phone)
    return id_ok & phone_ok


def is_overdue(record: DossierRecord, now: datetime) -> bool:
    if record.status == "overdue":
        return True
    return (
        record.status in OFFICE_CLOCK_RUNNING
        and record.due_at is not None
        and as_utc(record.due_at) < as_utc(now)
    )


def to_public(record: DossierRecord, now: datetime) -> ApplicationStatusPublic:
    events = record.events
    supplement = record.status == "needs_supplement"
    return ApplicationStatusPublic(
        code=record.code,
        status=record.status,
        status_label=STATUS_LABELS[record.status],
        procedure_code=record.procedure_code,
        procedure_name=record.procedure_name,
        procedure_short_name=record.procedure_short_name,
        applicant_name=mask_name(record.applicant_name),
        agency=record.agency,
        channel=record.channel,
        received_at=as_utc(record.received_at).astimezone(VIETNAM_TZ),
        due_at=_local(record.due_at),
        completed_at=_local(record.completed_at),
        is_overdue=is_overdue(record, now),
        supplement_note=record.supplement_note if supplement else None,
        supplement_due_at=_local(record.supplement_due_at) if supplement else None,
        status_note=record.status_note or (events[-1].note if events else None),
        history=[
            ApplicationEventPublic(
                status=e.status,
                status_label=STATUS_LABELS[e.status],
                at=as_utc(e.at).astimezone(VIETNAM_TZ),
                note=e.note,
            )
            for e in events
        ],
        as_of=_local(record.as_of),
        stale=record.stale,
    )


def lookup(
    session: Session,
    request: LookupRequest,
    source: DossierSource,
    *,
    digests: IdentifierDigests | None = None,
    client: str = "-",
    now: datetime | None = None,
) -> ApplicationStatusPublic | None:
    """The dossier when the code exists AND every identifier given matches; otherwise None.

    The caller must answer both failures the same way so nobody can tell which codes exist.
    Raises the source's SourceUnavailable / SourceUnreadable: neither is the citizen's failure.
    """
    now = now or datetime.now(timezone.utc)
    record = source.fetch(session, request.code, now)
    matched = owns(record.owner if record else _DUMMY_OWNER, request, digests)
    matched = record is not None and matched
    logger.info(
        "dossier lookup code=%s id=%s phone=%s client=%s source=%s: %s",
        request.code, mask_digits(request.id_number), mask_digits(request.phone), client,
        source.name + (" (stale copy)" if record is not None and record.stale else ""),
        "found" if matched else ("no match" if record else "unknown code"),
    )
    if not matched or record is None:
        return None
    return to_public(record, now)


# --- writes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRecord:
    status: ApplicationStatusName
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class ApplicationRecord:
    code: str
    procedure_code: str
    applicant_name: str
    id_number: str
    phone: str | None
    status: ApplicationStatusName
    received_at: datetime
    due_at: datetime | None
    agency: str
    channel: str
    completed_at: datetime | None = None
    supplement_note: str | None = None
    supplement_due_at: datetime | None = None
    events: tuple[EventRecord, ...] = field(default_factory=tuple)
    source: str = "local"


def upsert_application(session: Session, record: ApplicationRecord) -> bool:
    """Creates or replaces one dossier and its history; True when it was new. The caller commits."""
    application = session.get(Application, record.code)
    created = application is None
    if application is None:
        application = Application(code=record.code)
        session.add(application)
    for name in (
        "procedure_code", "applicant_name", "id_number", "phone", "status", "received_at",
        "due_at", "agency", "channel", "completed_at", "supplement_note", "supplement_due_at",
        "source",
    ):
        setattr(application, name, getattr(record, name))
    application.events = [
        ApplicationEvent(position=i, status=e.status, at=e.at, note=e.note)
        for i, e in enumerate(record.events)
    ]
    return created


def count_applications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Application)) or 0
