"""Pure helpers for what citizens type (no Rasa, no I/O). Identifiers are the shared ``vnid``
module's, so the action server and the connectors read them alike."""

from __future__ import annotations

from datetime import date, datetime

from vnid import (
    Identifier,
    find_application_code,
    find_feedback_code,
    find_identifier,
    find_phone_like,
    find_phones,
    normalize_phone,
)

__all__ = [
    "Identifier",
    "find_application_code",
    "find_feedback_code",
    "find_identifier",
    "find_phone_like",
    "find_phones",
    "format_date",
    "normalize_phone",
]


def format_date(value: datetime | date | None) -> str | None:
    """Vietnamese day-first form: ``27/11/2026``."""
    return value.strftime("%d/%m/%Y") if value else None
