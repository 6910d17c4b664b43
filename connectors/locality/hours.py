"""When staff can take a conversation over: office-hour windows in the locality's time zone.

Pure: nothing here reads a clock or a file. ``now`` is always passed in (and must be aware), so the
answers are the same in tests, in the API and whatever time zone the server runs in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_serializer, field_validator, model_validator

if TYPE_CHECKING:
    from connectors.locality.service import Locality

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# How far ahead next_opening looks: a year covers any run of holidays a locality can declare.
_HORIZON_DAYS = 370


def _parse_hhmm(value: Any) -> time:
    # Strings only: YAML 1.1 reads an unquoted 13:30 as the sexagesimal integer 810, which pydantic
    # would otherwise take for 810 seconds (00:13:30).
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError('write times as quoted "HH:MM" strings, e.g. "07:30"')
    try:
        parsed = datetime.strptime(value.strip(), "%H:%M")
    except ValueError as exc:
        raise ValueError(f'{value!r} is not a time "HH:MM"') from exc
    return parsed.time()


class HoursWindow(BaseModel):
    """Staff on duty these weekdays (Monday=0 … Sunday=6), from ``start`` (included) to ``end``."""

    days: list[int] = Field(min_length=1, examples=[[0, 1, 2, 3, 4]])
    start: time = Field(examples=["07:30"])
    end: time = Field(examples=["11:30"])

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("days are weekdays 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time(cls, value: Any) -> time:
        return _parse_hhmm(value)

    @model_validator(mode="after")
    def _ordered(self) -> HoursWindow:
        if self.end <= self.start:
            raise ValueError("a window ends after it starts (windows cannot cross midnight)")
        return self

    @field_serializer("start", "end")
    def _hhmm(self, value: time) -> str:
        return value.strftime("%H:%M")


class StaffHours(BaseModel):
    timezone: str = Field(default=DEFAULT_TIMEZONE, examples=[DEFAULT_TIMEZONE])
    windows: list[HoursWindow] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (e.g. datetime.now(timezone.utc))")


def _windows_on(hours: StaffHours, holidays: frozenset[date], day: date) -> list[HoursWindow]:
    if day in holidays:
        return []
    return [w for w in hours.windows if day.weekday() in w.days]


def staff_available(locality: Locality, now: datetime) -> bool:
    """True when ``now`` falls inside a staff window on a day that is not a holiday.

    A locality without ``staff_hours`` has no staff to hand over to: always False.
    """
    _require_aware(now)
    hours = locality.staff_hours
    if hours is None:
        return False
    local = now.astimezone(hours.tz)
    clock = local.time().replace(tzinfo=None)
    return any(
        w.start <= clock < w.end
        for w in _windows_on(hours, frozenset(locality.holidays), local.date())
    )


def next_opening(locality: Locality, now: datetime) -> datetime | None:
    """The first moment at or after ``now`` when staff are available, in the locality's zone.

    ``now`` itself (converted) while staff are available; None when no window opens within a year
    (no ``staff_hours``, no windows, or only holidays ahead).
    """
    _require_aware(now)
    hours = locality.staff_hours
    if hours is None or not hours.windows:
        return None
    tz = hours.tz
    local = now.astimezone(tz)
    holidays = frozenset(locality.holidays)
    for offset in range(_HORIZON_DAYS):
        day = local.date() + timedelta(days=offset)
        for window in sorted(_windows_on(hours, holidays, day), key=lambda w: w.start):
            start = datetime.combine(day, window.start, tzinfo=tz)
            end = datetime.combine(day, window.end, tzinfo=tz)
            if local < start:
                return start
            if local < end:
                return local
    return None
