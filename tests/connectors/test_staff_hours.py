"""Staff availability from the locality's office hours: pure, no database, no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from connectors.locality.hours import HoursWindow, StaffHours, next_opening, staff_available
from connectors.locality.service import Locality, load_locality
from connectors.settings import ROOT

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
DEMO_WINDOWS = [
    {"days": [0, 1, 2, 3, 4], "start": "07:30", "end": "11:30"},
    {"days": [0, 1, 2, 3, 4], "start": "13:30", "end": "17:00"},
    {"days": [5], "start": "07:30", "end": "11:30"},
]
# 2026-11-23 is a Monday; 2026-09-02 (Wed), 2026-04-30 (Thu) and 2026-05-01 (Fri) are holidays.
HOLIDAYS = [date(2026, 9, 2), date(2026, 4, 30), date(2026, 5, 1)]


def _locality(**overrides: Any) -> Locality:
    data: dict[str, Any] = {
        "name": "Tỉnh Thử",
        "hotline": "18001096",
        "portal_name": "Cổng Dịch vụ công quốc gia",
        "portal_url": "https://dichvucong.gov.vn",
        "offices": [],
        "staff_hours": {"timezone": "Asia/Ho_Chi_Minh", "windows": DEMO_WINDOWS},
        "holidays": HOLIDAYS,
    }
    return Locality.model_validate({**data, **overrides})


def vn(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "available", "opening"),
    [
        pytest.param(vn(2026, 11, 23, 9, 0), True, vn(2026, 11, 23, 9, 0), id="weekday-morning"),
        pytest.param(vn(2026, 11, 23, 7, 30), True, vn(2026, 11, 23, 7, 30), id="opening-minute"),
        pytest.param(vn(2026, 11, 23, 7, 29), False, vn(2026, 11, 23, 7, 30), id="before-opening"),
        pytest.param(vn(2026, 11, 23, 11, 30), False, vn(2026, 11, 23, 13, 30), id="noon-closes"),
        pytest.param(vn(2026, 11, 23, 12, 15), False, vn(2026, 11, 23, 13, 30), id="lunch-break"),
        pytest.param(vn(2026, 11, 23, 16, 59), True, vn(2026, 11, 23, 16, 59), id="last-minute"),
        pytest.param(vn(2026, 11, 23, 17, 0), False, vn(2026, 11, 24, 7, 30), id="closing-time"),
        pytest.param(vn(2026, 11, 23, 20, 0), False, vn(2026, 11, 24, 7, 30), id="evening"),
        pytest.param(vn(2026, 11, 27, 21, 0), False, vn(2026, 11, 28, 7, 30), id="friday-night"),
        pytest.param(vn(2026, 11, 28, 10, 0), True, vn(2026, 11, 28, 10, 0), id="saturday-morning"),
        pytest.param(vn(2026, 11, 28, 14, 0), False, vn(2026, 11, 30, 7, 30), id="saturday-pm"),
        pytest.param(vn(2026, 11, 29, 10, 0), False, vn(2026, 11, 30, 7, 30), id="sunday"),
        pytest.param(vn(2026, 9, 2, 9, 0), False, vn(2026, 9, 3, 7, 30), id="holiday"),
        pytest.param(vn(2026, 9, 1, 18, 0), False, vn(2026, 9, 3, 7, 30), id="eve-of-holiday"),
        pytest.param(vn(2026, 4, 30, 10, 0), False, vn(2026, 5, 2, 7, 30), id="two-holidays"),
        # the same instants given in UTC (and elsewhere): hours are the locality's local time
        pytest.param(utc(2026, 11, 23, 2, 0), True, vn(2026, 11, 23, 9, 0), id="utc-morning"),
        pytest.param(utc(2026, 11, 23, 5, 0), False, vn(2026, 11, 23, 13, 30), id="utc-lunch"),
        pytest.param(utc(2026, 11, 23, 10, 0), False, vn(2026, 11, 24, 7, 30), id="utc-17h-vn"),
        pytest.param(utc(2026, 11, 29, 23, 0), False, vn(2026, 11, 30, 7, 30), id="utc-sunday"),
        pytest.param(utc(2026, 11, 30, 0, 45), True, vn(2026, 11, 30, 7, 45), id="utc-sun-vn-mon"),
        pytest.param(
            datetime(2026, 11, 29, 20, 0, tzinfo=ZoneInfo("America/New_York")),
            True,
            vn(2026, 11, 30, 8, 0),
            id="new-york-sunday-evening",
        ),
    ],
)
def test_staff_availability(now: datetime, available: bool, opening: datetime) -> None:
    locality = _locality()

    assert staff_available(locality, now) is available
    found = next_opening(locality, now)
    assert found == opening
    assert found is not None
    assert found.utcoffset() == timedelta(hours=7)  # given in the locality's time zone


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"staff_hours": None}, id="no-staff-hours"),
        pytest.param({"staff_hours": {"windows": []}}, id="no-windows"),
        pytest.param(
            {
                "staff_hours": {"windows": [{"days": [0], "start": "08:00", "end": "09:00"}]},
                # every Monday for more than a year
                "holidays": [date(2026, 11, 23) + timedelta(weeks=n) for n in range(60)],
            },
            id="only-holidays-ahead",
        ),
    ],
)
def test_no_staff_to_hand_over_to(overrides: dict[str, Any]) -> None:
    locality = _locality(**overrides)
    now = vn(2026, 11, 23, 8, 30)

    assert staff_available(locality, now) is False
    assert next_opening(locality, now) is None


def test_overlapping_windows_count_once() -> None:
    locality = _locality(
        staff_hours={
            "windows": [
                {"days": [0], "start": "08:00", "end": "12:00"},
                {"days": [0], "start": "09:00", "end": "10:00"},
            ]
        },
    )

    assert staff_available(locality, vn(2026, 11, 23, 11, 0))
    assert next_opening(locality, vn(2026, 11, 23, 7, 0)) == vn(2026, 11, 23, 8, 0)
    assert next_opening(locality, vn(2026, 11, 23, 12, 0)) == vn(2026, 11, 30, 8, 0)


@pytest.mark.parametrize("function", [staff_available, next_opening])
def test_a_naive_now_is_refused(function: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        function(_locality(), datetime(2026, 11, 23, 9, 0))


@pytest.mark.parametrize(
    ("window", "message"),
    [
        pytest.param({"days": [0], "start": 810, "end": "17:00"}, "quoted", id="yaml-13:30"),
        pytest.param({"days": [0], "start": "7h30", "end": "11:30"}, "HH:MM", id="not-hh-mm"),
        pytest.param({"days": [0], "start": "25:00", "end": "26:00"}, "HH:MM", id="hour-25"),
        pytest.param({"days": [0], "start": "11:30", "end": "07:30"}, "ends after", id="reversed"),
        pytest.param({"days": [0], "start": "08:00", "end": "08:00"}, "ends after", id="empty"),
        pytest.param({"days": [7], "start": "08:00", "end": "09:00"}, "weekdays", id="day-7"),
        pytest.param({"days": [], "start": "08:00", "end": "09:00"}, "at least 1", id="no-days"),
    ],
)
def test_bad_windows_are_refused(window: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        HoursWindow.model_validate(window)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        StaffHours.model_validate({"timezone": "Asia/Saigon_Typo", "windows": []})


def test_the_demo_locality_has_the_office_hours() -> None:
    demo = load_locality(ROOT / "connectors" / "locality" / "demo.yml")

    assert demo.staff_hours is not None
    assert demo.staff_hours.timezone == "Asia/Ho_Chi_Minh"
    assert demo.staff_hours.model_dump(mode="json")["windows"] == DEMO_WINDOWS
    assert date(2026, 9, 2) in demo.holidays
    assert staff_available(demo, vn(2026, 11, 23, 9, 0))
    assert not staff_available(demo, vn(2026, 9, 2, 9, 0))
