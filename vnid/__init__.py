"""Vietnamese citizen identifiers as people type them: dossier codes, CCCD numbers, phones and
feedback tracking codes. One module for the action server and the connectors (pure Python, no
dependencies, no I/O), so both read "0084 912 345 678" or "000.00.30.h56 - 261115 - 0012" alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "ID_NUMBER_LENGTH",
    "LAST_DIGITS",
    "Identifier",
    "InvalidIdentifierError",
    "find_application_code",
    "find_feedback_code",
    "find_identifier",
    "find_phone_like",
    "find_phones",
    "mask_digits",
    "mask_name",
    "normalize_code",
    "normalize_phone",
    "parse_code",
    "parse_id_number_or_last_digits",
    "parse_phone",
    "parse_phone_or_last_digits",
]

ID_NUMBER_LENGTH = 12
LAST_DIGITS = 4

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
# Receipt code: agency code (dot-separated groups, e.g. 000.00.30.H56), '-', yymmdd, '-', sequence.
_CODE = re.compile(
    r"^(?P<agency>[0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){1,5})-(?P<day>\d{6})-(?P<seq>\d{4,6})$"
)
# the same inside a sentence, typed with spaces around the separators and in any case
_CODE_IN_TEXT = re.compile(
    r"(?<![\w.])((?:[0-9a-z]{1,5}\s*\.\s*){1,5}[0-9a-z]{1,5})\s*-\s*(\d{6})\s*-\s*(\d{4,6})(?!\d)",
    re.IGNORECASE,
)
# (?<!\s): a match starts where a run of spaces starts; without it every space of a long run
# rescans the run (quadratic: 50 kB of spaces took 44 s)
_SPACES_AROUND_SEPARATORS = re.compile(r"(?<!\s)\s*([-.])\s*")
_SEPARATORS_IN_NUMBERS = re.compile(r"[\s.\-()]")
_FEEDBACK_CODE = re.compile(r"\bPA\s*-\s*(\d{6})\s*-\s*([A-Z0-9]{6})\b", re.IGNORECASE)
# a run of digits as people group them: "0912 345 678", "079.203.001.234", "+84 (912) 345-678"
_DIGIT_RUNS = re.compile(r"(?<![\d+])(\+?\(?\d[\d .\-()]{2,18}\d)(?!\d)")
# Vietnamese mobile numbers after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x + 7 digits.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
# "09o3 111 222", "O912 345 678": the letter o typed for a zero, in a group of digits that no
# other letter touches ("số" or "o" alone stay words)
_GROUP_WITH_O = re.compile(r"(?<![^\W\d_])[\doO]*[oO][\doO]*(?![^\W\d_])")
# a number the citizen meant as a phone: 9 to 11 digits in one run ("0912 345 67" is one, a
# digit short); fewer is a count or a date, 12 an ID number
_PHONE_LIKE_DIGITS = range(9, 12)


class InvalidIdentifierError(ValueError):
    """The value cannot be a dossier code / CCCD / phone; the message is safe to show."""


def normalize_code(raw: str) -> str:
    """``' 000.00.30.h56 - 261115 - 0012 '`` -> ``'000.00.30.H56-261115-0012'``."""
    text = raw.translate(_DASHES).strip().upper()
    return _SPACES_AROUND_SEPARATORS.sub(r"\1", text)


def _valid_day(day: str) -> bool:
    try:
        date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        return False
    return True


def parse_code(raw: str) -> str:
    """The normalised code, or :class:`InvalidIdentifierError` when it cannot be a receipt code."""
    code = normalize_code(raw)
    match = _CODE.match(code)
    if match is None:
        raise InvalidIdentifierError(
            "Mã hồ sơ không đúng định dạng (ví dụ đúng: 000.00.30.H56-241115-0012)."
        )
    if not _valid_day(match["day"]):
        raise InvalidIdentifierError("Ngày trong mã hồ sơ không hợp lệ (dạng yymmdd).")
    return code


def find_application_code(text: str) -> str | None:
    """The first dossier code in ``text``, normalised (``000.00.30.H56-241115-0012``)."""
    match = _CODE_IN_TEXT.search(text.translate(_DASHES))
    if match is None:
        return None
    agency = re.sub(r"\s+", "", match.group(1)).upper()
    if not any(c.isalpha() for c in agency) or not _valid_day(match.group(2)):
        return None
    return f"{agency}-{match.group(2)}-{match.group(3)}"


def find_feedback_code(text: str) -> str | None:
    match = _FEEDBACK_CODE.search(text.translate(_DASHES))
    return f"PA-{match.group(1)}-{match.group(2).upper()}" if match else None


def _zeros_for_o(text: str) -> str:
    """``'09o3 111 222'`` -> ``'0903 111 222'``: an o among digits is a zero."""
    return _GROUP_WITH_O.sub(
        lambda m: m.group().replace("o", "0").replace("O", "0")
        if sum(c.isdigit() for c in m.group()) >= 2 else m.group(),
        text,
    )


def _digits(raw: str) -> str:
    return _SEPARATORS_IN_NUMBERS.sub("", _zeros_for_o(raw.strip()))


def normalize_phone(raw: str) -> str | None:
    """``'+84 912.345.678'``, ``'84912345678'``, ``'0084 912 345 678'`` -> ``'0912345678'``;
    None when it is not a Vietnamese mobile number."""
    text = _digits(raw)
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("0084"):
        text = "0" + text[4:]
    elif text.startswith("84") and len(text) == 11:
        text = "0" + text[2:]
    elif len(text) == 9 and text[:1] in "35789":
        text = "0" + text
    return text if _MOBILE.match(text) else None


def parse_phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise InvalidIdentifierError("Số điện thoại không hợp lệ (ví dụ đúng: 0912345678).")
    return phone


def parse_phone_or_last_digits(raw: str) -> str:
    """A full phone (normalised) or its last 4 digits."""
    text = _digits(raw)
    if len(text) == LAST_DIGITS and text.isdigit():
        return text
    return parse_phone(raw)


def parse_id_number_or_last_digits(raw: str) -> str:
    """A 12-digit CCCD / personal identification number, or its last 4 digits."""
    text = _digits(raw)
    if text.isdigit() and len(text) in (ID_NUMBER_LENGTH, LAST_DIGITS):
        return text
    raise InvalidIdentifierError(
        "Số CCCD/định danh cá nhân phải gồm 12 chữ số (hoặc nhập 4 số cuối)."
    )


@dataclass(frozen=True)
class Identifier:
    """What proves the citizen is the applicant: a CCCD number, a phone, or the last 4 digits."""

    kind: str  # id_number | phone | last4
    value: str

    def masked(self) -> str:
        return mask_digits(self.value)


def _runs(text: str) -> list[str]:
    return [m.group(1) for m in _DIGIT_RUNS.finditer(_zeros_for_o(text))]


def find_phones(text: str) -> list[str]:
    """Every Vietnamese mobile number in ``text``, normalised, in order ("O912 345 678" too)."""
    return [p for p in map(normalize_phone, _runs(text)) if p]


def find_phone_like(text: str) -> str | None:
    """A number typed as a phone that is not a valid one ("0912 345 67", "0123 456 789"): the
    citizen is asked to check it, never the message taken for a question. Amounts
    ("1.500.000.000") do not start as a phone does."""
    for raw in _runs(text):
        digits = re.sub(r"\D", "", raw)
        if (len(digits) in _PHONE_LIKE_DIGITS and digits.startswith(("0", "84"))
                and normalize_phone(raw) is None):
            return raw.strip()
    return None


def find_identifier(text: str) -> Identifier | None:
    """A 12-digit ID number, a phone number or 4 digits found in ``text`` (first one wins).
    Dossier and feedback codes typed in the same message are not identifiers."""
    text = _FEEDBACK_CODE.sub(" ", _CODE_IN_TEXT.sub(" ", text.translate(_DASHES)))
    text = _zeros_for_o(text)
    for raw in _runs(text):
        digits = re.sub(r"\D", "", raw)
        if len(digits) == ID_NUMBER_LENGTH and digits.startswith("0") and not raw.startswith("+"):
            return Identifier("id_number", digits)
        phone = normalize_phone(raw)
        if phone:
            return Identifier("phone", phone)
    bare = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    if bare and not _runs(text.replace(bare.group(1), "", 1)):
        return Identifier("last4", bare.group(1))
    return None


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
