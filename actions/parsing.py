"""Pure helpers for what citizens type: dossier codes, CCCD numbers, phones, Vietnamese dates.

No Rasa, no I/O: unit-tested on their own. The connectors validate again on their side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
# agency code (dot groups, one with a letter), '-', yymmdd, '-', sequence; spaces around separators
_CODE_IN_TEXT = re.compile(
    r"(?<![\w.])((?:[0-9a-z]{1,5}\s*\.\s*){1,5}[0-9a-z]{1,5})\s*-\s*(\d{6})\s*-\s*(\d{4,6})(?!\d)",
    re.IGNORECASE,
)
_FEEDBACK_CODE = re.compile(r"\bPA\s*-\s*(\d{6})\s*-\s*([A-Z0-9]{6})\b", re.IGNORECASE)
_DIGIT_RUNS = re.compile(r"(?<!\d)(\+?\d[\d .\-]{2,17}\d)(?!\d)")
_MOBILE = re.compile(r"^0[35789]\d{8}$")


def find_application_code(text: str) -> str | None:
    """The first dossier code in ``text``, normalised (``000.00.30.H56-241115-0012``)."""
    match = _CODE_IN_TEXT.search(text.translate(_DASHES))
    if match is None:
        return None
    agency = re.sub(r"\s+", "", match.group(1)).upper()
    day = match.group(2)
    try:
        date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        return None
    if not any(c.isalpha() for c in agency):
        return None
    return f"{agency}-{day}-{match.group(3)}"


def find_feedback_code(text: str) -> str | None:
    match = _FEEDBACK_CODE.search(text.translate(_DASHES))
    return f"PA-{match.group(1)}-{match.group(2).upper()}" if match else None


def normalize_phone(raw: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.match(digits) else None


@dataclass(frozen=True)
class Identifier:
    """What proves the citizen is the applicant: a CCCD number, a phone, or the last 4 digits."""

    kind: str  # id_number | phone | last4
    value: str

    def masked(self) -> str:
        return "*" * max(len(self.value) - 4, 0) + self.value[-4:]


def find_identifier(text: str) -> Identifier | None:
    """A 12-digit ID number, a phone number or 4 digits found in ``text`` (first one wins)."""
    for match in _DIGIT_RUNS.finditer(text):
        raw = match.group(1)
        digits = re.sub(r"\D", "", raw)
        if len(digits) == 12 and digits.startswith("0") and not raw.startswith("+"):
            return Identifier("id_number", digits)
        phone = normalize_phone(raw)
        if phone:
            return Identifier("phone", phone)
    bare = re.fullmatch(r"\s*(\d{4})\s*", text) or re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    if bare:
        return Identifier("last4", bare.group(1))
    return None


_VI_DATE = re.compile(
    r"(?:ngày\s*)?(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(\d{1,2})"
    r"(?:\s*(?:/|-|\.|\s+năm\s+)\s*(\d{2,4}))?",
    re.IGNORECASE,
)


def parse_vietnamese_date(text: str, today: date) -> date | None:
    """``27/11``, ``27-11-2026``, ``ngày 27 tháng 11 năm 2026`` -> a date (default: this year)."""
    match = _VI_DATE.search(text)
    if match is None:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else today.year
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def format_date(value: datetime | date | None) -> str | None:
    """Vietnamese day-first form: ``27/11/2026``."""
    return value.strftime("%d/%m/%Y") if value else None
