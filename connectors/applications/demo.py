"""Demo dossiers from ``connectors/seed/dossiers.yml``, dated relative to the day they are loaded.

A dossier "waiting for a supplement" must still be waiting whatever the day the demo runs, so the
file gives offsets ("-3wd 09:40": three working days before) and this module turns them into dates
for a given day. The loader replaces earlier demo dossiers, so reloading re-anchors them to today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from connectors.applications.models import Application, ApplicationStatusName
from connectors.applications.service import (
    VIETNAM_TZ,
    ApplicationRecord,
    EventRecord,
    upsert_application,
)

DOSSIERS_FILE = Path(__file__).resolve().parent.parent / "seed" / "dossiers.yml"
DEMO_SOURCE = "demo"

_RELATIVE = re.compile(
    r"^(?P<sign>[+-]?)(?P<n>\d+)(?P<unit>wd|d)(?:\s+(?P<h>\d{1,2}):(?P<m>\d{2}))?$"
)
_PLACEHOLDER = re.compile(r"\{([+-]?\d+(?:wd|d))\}")


def add_working_days(day: date, n: int) -> date:
    """``n`` working days (Monday to Friday) after ``day``; before it when ``n`` is negative."""
    step = 1 if n >= 0 else -1
    while n:
        day += timedelta(days=step)
        if day.weekday() < 5:
            n -= step
    return day


def relative_day(offset: str, today: date) -> date:
    match = _RELATIVE.match(offset.split()[0] if offset.strip() else "")
    if match is None:
        raise ValueError(f"not a relative day: {offset!r} (e.g. '-3wd', '+2d')")
    n = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
    return add_working_days(today, n) if match["unit"] == "wd" else today + timedelta(days=n)


def relative_time(value: str, today: date) -> datetime:
    """``'-3wd 09:40'`` -> that Vietnam wall-clock time, as UTC (SQLite keeps no offset)."""
    match = _RELATIVE.match(value.strip())
    if match is None or match["h"] is None:
        raise ValueError(f"not a relative time: {value!r} (e.g. '-3wd 09:40')")
    day = relative_day(value, today)
    at = datetime.combine(day, time(int(match["h"]), int(match["m"])), tzinfo=VIETNAM_TZ)
    return at.astimezone(timezone.utc)


def fill_dates(text: str, today: date) -> str:
    """``'trước ngày {+2wd}'`` -> ``'trước ngày 02/12/2026'``."""
    return _PLACEHOLDER.sub(lambda m: f"{relative_day(m[1], today):%d/%m/%Y}", text)


class DemoDossier(BaseModel):
    """One entry of the data file (dates still relative)."""

    model_config = ConfigDict(extra="forbid")

    code: str
    procedure: str
    applicant: str
    id_number: str = Field(pattern=r"^\d{12}$")
    phone: str | None = Field(default=None, pattern=r"^0\d{9}$")
    channel: Literal["in_person", "online", "post"]
    agency: str | None = None  # agency code; defaults to the receipt code's
    status: ApplicationStatusName
    received: str
    due: str | None = None
    completed: str | None = None
    supplement_due: str | None = None
    supplement: str | None = None
    history: list[tuple[ApplicationStatusName, str, str | None]]

    @property
    def agency_code(self) -> str:
        return self.agency or self.code.split("-")[0]


class DemoFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agencies: dict[str, str]
    dossiers: list[DemoDossier]


@dataclass(frozen=True)
class KnownDossier:
    """What a citizen types to find a demo dossier (README, tests, QA conversations)."""

    code: str
    id_number: str
    phone: str | None
    status: ApplicationStatusName
    applicant_name: str
    procedure_code: str


def read_demo_file(path: Path = DOSSIERS_FILE) -> DemoFile:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return DemoFile.model_validate(data)


def known_dossiers(path: Path = DOSSIERS_FILE) -> list[KnownDossier]:
    return [
        KnownDossier(d.code, d.id_number, d.phone, d.status, d.applicant, d.procedure)
        for d in read_demo_file(path).dossiers
    ]


def demo_records(today: date, path: Path = DOSSIERS_FILE) -> list[ApplicationRecord]:
    """The demo dossiers with dates for ``today`` (a Vietnam calendar day)."""
    demo = read_demo_file(path)

    def at(value: str | None) -> datetime | None:
        return None if value is None else relative_time(value, today)

    records = []
    for d in demo.dossiers:
        supplement = fill_dates(d.supplement, today) if d.supplement else None
        events = tuple(
            EventRecord(
                status,
                relative_time(when, today),
                fill_dates(note, today) if note
                else supplement if status == "needs_supplement" else None,
            )
            for status, when, note in d.history
        )
        records.append(
            ApplicationRecord(
                code=d.code,
                procedure_code=d.procedure,
                applicant_name=d.applicant,
                id_number=d.id_number,
                phone=d.phone,
                status=d.status,
                received_at=relative_time(d.received, today),
                due_at=at(d.due),
                completed_at=at(d.completed),
                supplement_note=supplement if d.status == "needs_supplement" else None,
                supplement_due_at=at(d.supplement_due) if d.status == "needs_supplement" else None,
                agency=demo.agencies[d.agency_code],
                channel=d.channel,
                events=events,
                source=DEMO_SOURCE,
            )
        )
    return records


def vietnam_today(now: datetime) -> date:
    return now.astimezone(VIETNAM_TZ).date()


def load_demo(session: Session, now: datetime, path: Path = DOSSIERS_FILE) -> tuple[int, int]:
    """Replaces the demo dossiers with the file's, dated for ``now``; returns (created, updated).

    Only rows marked as demo are touched: dossiers from anywhere else are never changed.
    """
    records = demo_records(vietnam_today(now), path)
    codes = [r.code for r in records]
    clash = session.scalars(
        select(Application.code).where(
            Application.code.in_(codes), Application.source != DEMO_SOURCE
        )
    ).first()
    if clash is not None:
        raise RuntimeError(f"dossier {clash} exists and is not demo data: refusing to overwrite it")
    session.execute(
        delete(Application).where(
            Application.source == DEMO_SOURCE, Application.code.not_in(codes)
        )
    )
    created = updated = 0
    for record in records:
        if upsert_application(session, record):
            created += 1
        else:
            updated += 1
    session.commit()
    return created, updated
