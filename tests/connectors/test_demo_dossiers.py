"""Demo dossiers: dated relative to the day they are loaded, so they tell the same story any day."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.applications.demo import (
    add_working_days,
    demo_records,
    fill_dates,
    known_dossiers,
    load_demo,
    relative_time,
)
from connectors.applications.service import VIETNAM_TZ, count_applications
from connectors.db import make_engine, make_session_factory
from connectors.deps import current_time
from tests.connectors.conftest import SERVICE

ROOT = Path(__file__).resolve().parents[2]
SUNDAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    "day, n, expected",
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 -> Monday
        (SUNDAY, 1, date(2026, 11, 30)),
        (SUNDAY, -1, date(2026, 11, 27)),  # Sunday - 1 -> Friday
        (date(2026, 11, 30), -1, date(2026, 11, 27)),
        (date(2026, 11, 25), 0, date(2026, 11, 25)),
        (date(2026, 11, 25), 5, date(2026, 12, 2)),
    ],
)
def test_working_days_skip_weekends(day: date, n: int, expected: date) -> None:
    assert add_working_days(day, n) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("-3wd 09:40", datetime(2026, 11, 25, 9, 40, tzinfo=VIETNAM_TZ)),
        ("+2wd 16:00", datetime(2026, 12, 1, 16, 0, tzinfo=VIETNAM_TZ)),
        ("-6d 20:14", datetime(2026, 11, 23, 20, 14, tzinfo=VIETNAM_TZ)),
        ("0d 07:05", datetime(2026, 11, 29, 7, 5, tzinfo=VIETNAM_TZ)),
    ],
)
def test_relative_times_are_vietnam_wall_clock(value: str, expected: datetime) -> None:
    assert relative_time(value, SUNDAY) == expected


@pytest.mark.parametrize("value", ["yesterday", "-3 09:40", "-3wd", "3wd 9h40", ""])
def test_a_malformed_relative_time_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="relative"):
        relative_time(value, SUNDAY)


def test_dates_inside_notes_are_written_out() -> None:
    assert fill_dates("nộp trước ngày {+2wd}.", SUNDAY) == "nộp trước ngày 01/12/2026."


def _problems(today: date) -> list[str]:
    now = datetime.combine(today, datetime.min.time(), tzinfo=VIETNAM_TZ) + timedelta(hours=12)
    problems = []
    for r in demo_records(today):
        stamps = [e.at for e in r.events]
        checks = {
            "history in order": stamps == sorted(stamps) and len(set(stamps)) == len(stamps),
            "history ends in the status": r.events[-1].status == r.status,
            "received first, in the past": r.received_at == r.events[0].at < now,
            "due after received": r.due_at is not None and r.due_at > r.received_at,
            "open dossiers not late": r.status not in ("received", "in_progress",
                                                       "needs_supplement")
            or (r.due_at is not None and r.due_at > now),
            "overdue ones late": r.status != "overdue" or (r.due_at is not None and r.due_at < now),
            "closed ones closed": r.status not in ("done", "returned")
            or (r.completed_at is not None and r.completed_at == r.events[-1].at < now),
            "supplement note and deadline": r.status != "needs_supplement"
            or (bool(r.supplement_note) and "{" not in (r.supplement_note or "")
                and r.supplement_due_at is not None and now < r.supplement_due_at),
        }
        problems += [f"{today} {r.code}: {name}" for name, ok in checks.items() if not ok]
    return problems


def test_every_dossier_tells_the_same_story_on_any_day_of_the_next_400() -> None:
    first = date.today()
    assert [p for n in range(400) for p in _problems(first + timedelta(days=n))] == []


def test_every_status_has_a_demo_dossier_and_codes_are_unique() -> None:
    dossiers = known_dossiers()

    assert {d.status for d in dossiers} == {
        "received", "in_progress", "needs_supplement", "done", "returned", "overdue",
    }
    assert len({d.code for d in dossiers}) == len(dossiers)


def test_the_readme_table_is_the_data_file() -> None:
    """Citizens and QA type what the README shows: it must be what gets loaded."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| (\d{3}\.\d{2}\.\d{2}\.H56-\d{6}-\d{4}) \| (\d{12}) \| (\d{10}) \| (\w+) \|"
        r" [^|]*\((\d\.\d{6})\) \|$",
        readme,
        re.MULTILINE,
    )

    assert rows == [
        (d.code, d.id_number, d.phone, d.status, d.procedure_code) for d in known_dossiers()
    ]


def test_reloading_replaces_the_demo_dates_and_keeps_other_dossiers(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            load_demo(session, datetime(2026, 11, 29, tzinfo=timezone.utc))
            before = count_applications(session)
            created, updated = load_demo(session, datetime(2027, 6, 1, tzinfo=timezone.utc))
            after = count_applications(session)
            load_demo(session, datetime.now(timezone.utc))  # today's, for the other tests
    finally:
        engine.dispose()

    assert created == 0
    assert updated == len(known_dossiers())
    assert before == after


def test_the_lookup_with_the_clock_a_year_ahead_still_waits_for_the_supplement(
    client: TestClient, database_url: str
) -> None:
    later = datetime.now(timezone.utc) + timedelta(days=365)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            load_demo(session, later)
    finally:
        engine.dispose()
    dossier = next(d for d in known_dossiers() if d.status == "needs_supplement")
    app = cast(FastAPI, client.app)
    app.dependency_overrides[current_time] = lambda: later
    try:
        body = client.post(
            "/api/v1/applications/lookup",
            json={"code": dossier.code, "id_number": dossier.id_number},
            headers=SERVICE,
        ).json()
    finally:
        app.dependency_overrides.pop(current_time, None)
        with make_session_factory(engine)() as session:
            load_demo(session, datetime.now(timezone.utc))  # back to today for the other tests
        engine.dispose()

    assert body["status"] == "needs_supplement"
    assert body["is_overdue"] is False
    assert datetime.fromisoformat(body["supplement_due_at"]) > later
    assert datetime.fromisoformat(body["received_at"]) > later - timedelta(days=14)
    assert re.search(r"trước ngày \d{2}/\d{2}/\d{4}", body["supplement_note"])

