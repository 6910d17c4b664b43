"""Pure parsing and masking of what citizens type: dossier codes, CCCD numbers, phone numbers.

No I/O here: the lookup schemas, the feedback schemas and the demo data all share these rules.
"""

from __future__ import annotations

import re
from datetime import date

# Receipt code: agency code (dot-separated groups, e.g. 000.00.30.H56), '-', yymmdd, '-', sequence.
_CODE_RE = re.compile(
    r"^(?P<agency>[0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){1,5})-(?P<day>\d{6})-(?P<seq>\d{4,6})$"
)
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_SPACES_AROUND_SEPARATORS = re.compile(r"\s*([-.])\s*")
_SEPARATORS_IN_NUMBERS = re.compile(r"[\s.\-()]")

ID_NUMBER_LENGTH = 12
LAST_DIGITS = 4
# Vietnamese mobile numbers after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x + 7 digits.
_MOBILE_RE = re.compile(r"^0[35789]\d{8}$")


class InvalidIdentifierError(ValueError):
    """The value cannot be a dossier code / CCCD / phone; the message is safe to show."""


def normalize_code(raw: str) -> str:
    """``' 000.00.30.h56 - 261115 - 0012 '`` -> ``'000.00.30.H56-261115-0012'``."""
    text = raw.translate(_DASHES).strip().upper()
    return _SPACES_AROUND_SEPARATORS.sub(r"\1", text)


def parse_code(raw: str) -> str:
    """The normalised code, or :class:`InvalidIdentifierError` when it cannot be a receipt code."""
    code = normalize_code(raw)
    match = _CODE_RE.match(code)
    if match is None:
        raise InvalidIdentifierError(
            "Mã hồ sơ không đúng định dạng (ví dụ đúng: 000.00.30.H56-241115-0012)."
        )
    day = match["day"]
    try:
        date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError as exc:
        raise InvalidIdentifierError("Ngày trong mã hồ sơ không hợp lệ (dạng yymmdd).") from exc
    return code


def _digits(raw: str) -> str:
    return _SEPARATORS_IN_NUMBERS.sub("", raw.strip())


def normalize_phone(raw: str) -> str:
    """``'+84 912.345.678'``, ``'84912345678'``, ``'0912 345 678'`` -> ``'0912345678'``."""
    text = _digits(raw)
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("0084"):
        text = "0" + text[4:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    elif len(text) == 9 and text[0] in "35789":
        text = "0" + text
    if not _MOBILE_RE.match(text):
        raise InvalidIdentifierError("Số điện thoại không hợp lệ (ví dụ đúng: 0912345678).")
    return text


def parse_phone_or_last_digits(raw: str) -> str:
    """A full phone (normalised) or its last 4 digits."""
    text = _digits(raw)
    if len(text) == LAST_DIGITS and text.isdigit():
        return text
    return normalize_phone(raw)


def parse_id_number_or_last_digits(raw: str) -> str:
    """A 12-digit CCCD / personal identification number, or its last 4 digits."""
    text = _digits(raw)
    if text.isdigit() and len(text) in (ID_NUMBER_LENGTH, LAST_DIGITS):
        return text
    raise InvalidIdentifierError(
        "Số CCCD/định danh cá nhân phải gồm 12 chữ số (hoặc nhập 4 số cuối)."
    )


def mask_digits(value: str | None, keep: int = 2) -> str:
    """For logs: ``'079203001234'`` -> ``'**********34'``. Never log the full value."""
    if not value:
        return "-"
    if len(value) <= keep + 2:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def mask_name(name: str) -> str:
    """``'Nguyễn Văn An'`` -> ``'N. V. An'``: enough to recognise, little to leak."""
    parts = name.split()
    if len(parts) <= 1:
        return name
    return " ".join([*(p[0] + "." for p in parts[:-1]), parts[-1]])
