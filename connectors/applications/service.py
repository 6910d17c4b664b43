"""Dossier status lookup (for the applicant only) and the one write path (demo data, imports)."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.applications.models import Application, ApplicationEvent, ApplicationStatusName
from connectors.applications.schemas import (
    STATUS_LABELS,
    ApplicationEventPublic,
    ApplicationStatusPublic,
    LookupRequest,
)
from vnid import LAST_DIGITS, mask_digits, mask_name

logger = logging.getLogger(__name__)

# Vietnam has one time zone and no daylight saving: answers carry +07:00 so "ngày hẹn trả" is the
# citizen's calendar day.
VIETNAM_TZ = timezone(timedelta(hours=7))
# A dossier waiting for the citizen's supplement is not late on the office's side.
OFFICE_CLOCK_RUNNING = frozenset({"received", "in_progress"})

# Compared against when the code does not exist, so both outcomes do the same work.
_DUMMY_ID_NUMBER = "000000000000"
_DUMMY_PHONE = "0000000000"


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


def is_overdue(application: Application, now: datetime) -> bool:
    if application.status == "overdue":
        return True
    return (
        application.status in OFFICE_CLOCK_RUNNING
        and application.due_at is not None
        and as_utc(application.due_at) < as_utc(now)
    )


def to_public(application: Application, now: datetime) -> ApplicationStatusPublic:
    procedure = application.procedure
    events = application.events
    return ApplicationStatusPublic(
        code=application.code,
        status=_status(application.status),
        status_label=STATUS_LABELS[application.status],
        procedure_code=application.procedure_code,
        procedure_name=procedure.name,
        procedure_short_name=procedure.short_name,
        applicant_name=mask_name(application.applicant_name),
        agency=application.agency,
        channel=application.channel,
        received_at=as_utc(application.received_at).astimezone(VIETNAM_TZ),
        due_at=_local(application.due_at),
        completed_at=_local(application.completed_at),
        is_overdue=is_overdue(application, now),
        supplement_note=application.supplement_note if application.status == "needs_supplement"
        else None,
        supplement_due_at=_local(application.supplement_due_at)
        if application.status == "needs_supplement" else None,
        status_note=events[-1].note if events else None,
        history=[
            ApplicationEventPublic(
                status=_status(e.status), status_label=STATUS_LABELS[e.status],
                at=as_utc(e.at).astimezone(VIETNAM_TZ), note=e.note,
            )
            for e in events
        ],
    )


def _status(value: str) -> ApplicationStatusName:
    if value not in STATUS_LABELS:
        raise ValueError(f"unknown dossier status {value!r}")
    return cast(ApplicationStatusName, value)


def lookup(
    session: Session, request: LookupRequest, *, client: str = "-", now: datetime | None = None
) -> ApplicationStatusPublic | None:
    """The dossier when the code exists AND every identifier given matches; otherwise None.

    The caller must answer both failures the same way so nobody can tell which codes exist.
    """
    # Only the identifiers first: an unknown code and a wrong identifier cost the same query.
    row = session.execute(
        select(Application.id_number, Application.phone).where(Application.code == request.code)
    ).first()
    stored_id, stored_phone = (row[0], row[1]) if row else (_DUMMY_ID_NUMBER, _DUMMY_PHONE)
    # evaluate both (no short circuit): the work done does not depend on which one fails
    id_ok = identifier_matches(stored_id, request.id_number)
    phone_ok = identifier_matches(stored_phone, request.phone)
    matched = row is not None and id_ok & phone_ok
    logger.info(
        "dossier lookup code=%s id=%s phone=%s client=%s: %s",
        request.code, mask_digits(request.id_number), mask_digits(request.phone), client,
        "found" if matched else ("no match" if row else "unknown code"),
    )
    if not matched:
        return None
    application = session.get(Application, request.code)
    if application is None:  # deleted in between
        return None
    return to_public(application, now or datetime.now(timezone.utc))


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
