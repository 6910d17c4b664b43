"""Vietnamese dates in answers: day first."""

from __future__ import annotations

from datetime import datetime

from actions.parsing import format_date


def test_format_date_is_day_first() -> None:
    assert format_date(datetime(2026, 11, 27, 16, 0)) == "27/11/2026"
    assert format_date(None) is None
