"""Masks personal data in recorded conversations before anyone reviews or commits them.

ID numbers, phones, dossier and feedback codes become obviously invented stand-ins of the same
shape (so the NLU still reads them as such), consistently within a conversation; names become
"Nguyễn Văn A", the name Vietnamese forms use as a placeholder; addresses become "[địa chỉ]".
The identifier patterns are those that keep them out of log lines (vnid/redact.py).
The invented demo dossiers (connectors/seed/dossiers.yml) are public and stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from vnid.redact import DOSSIER_CODE, EMAIL, FEEDBACK_CODE, ID_NUMBER, PHONE

DEMO_FILE = Path(__file__).resolve().parent.parent / "connectors" / "seed" / "dossiers.yml"

PLACEHOLDER_NAME = "Nguyễn Văn A"
PLACEHOLDER_ADDRESS = "[địa chỉ]"

# four or more digits typed where the bot asked for an identifier (e.g. the last four of a CCCD)
ANY_DIGITS = re.compile(r"(?<!\d)\d(?:[\s.\-]?\d){3,}(?!\d)")

_SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trương Đoàn "
    "Lâm Mai Trịnh Cao Lưu Tạ Châu Quách Hà Thái Kiều Tô Chu Vương La Lại Mạc Triệu Thân Văn"
)
SURNAMES = tuple(_SURNAMES.split(" "))
# names of places that begin with a surname ("Hà Nội", "TP Hồ Chí Minh") are not people
_PLACES = (
    "hà nội|hà giang|hà nam|hà tĩnh|hồ chí minh|cao bằng|lâm đồng|thái bình|thái nguyên|"
    "lý sơn|mai châu|phan thiết|phan rang|võ nhai|văn lâm|văn giang|đinh lập|la gi|hà đông|"
    "trương định|hồ gươm|hồ tây"
)
PLACES = frozenset(_PLACES.split("|"))
_UPPER = "A-ZÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸĐ"
_WORD = rf"[{_UPPER}][^\W\d_]*"
FULL_NAME = re.compile(rf"\b(?:{'|'.join(SURNAMES)})(?:\s+{_WORD}){{1,4}}\b")
# "tên tôi là nguyen van binh", "họ tên: ..." (typed in lower case too)
NAME_AFTER_CUE = re.compile(
    r"(?i)\b((?:họ\s+(?:và\s+)?tên|ho\s+(?:va\s+)?ten|tên\s+(?:tôi|em|mình|cháu|con)\s+là|"
    r"ten\s+(?:toi|em|minh|chau|con)\s+la|(?:tôi|em|mình)\s+tên(?:\s+là)?|"
    r"(?:toi|em|minh)\s+ten(?:\s+la)?|người\s+nộp(?:\s+là)?|nguoi\s+nop(?:\s+la)?)\s*:?\s*)"
    r"((?:[^\W\d_]+\s*){2,4}?)(?=$|[,.;!?\n]|\s+(?:sinh|ở|o|số|so|cccd|sdt|đt|dt|nhé|nhe|ạ|a)\b)"
)
ADDRESS_AFTER_CUE = re.compile(
    r"(?i)\b((?:địa\s+chỉ|dia\s+chi|nhà\s+(?:tôi|em|mình)\s+ở|nha\s+(?:toi|em|minh)\s+o|"
    r"số\s+nhà|so\s+nha)\s*:?\s*)([^\n.!?]+)"
)
ADDRESS_PLACE = re.compile(
    r"(?i)\b(?:số|so)\s+\d+[a-z]?(?:/\d+)*\s+(?:đường|duong|phố|pho|ngõ|ngo|hẻm|hem|kiệt|kiet)"
    r"[^\n.!?,]*(?:,[^\n.!?,]*){0,3}"
    r"|\b(?:ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet)\s+\d+[^\n.!?,]*(?:,[^\n.!?,]*){0,3}"
    r"|\b(?:thôn|thon|xóm|xom|ấp|ap|tổ\s+dân\s+phố|to\s+dan\s+pho|khu\s+phố|khu\s+pho)\s+"
    r"[\w\s]{1,30}?(?=$|[,.!?\n])"
)


def _demo_values() -> frozenset[str]:
    """The invented demo dossiers' codes and numbers: public, never masked."""
    if not DEMO_FILE.exists():
        return frozenset()
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")) or {}
    values: set[str] = set()
    for d in data.get("dossiers") or []:
        values.update(str(d.get(k)) for k in ("code", "id_number", "phone") if d.get(k))
    return frozenset(values)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _canonical_phone(text: str) -> str:
    digits = _digits(text)
    for prefix in ("0084", "84"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 9:
            return "0" + digits[len(prefix):]
    return digits


@dataclass
class Masker:
    """One per conversation: the same number gets the same stand-in in every turn."""

    keep: frozenset[str] = field(default_factory=_demo_values)
    seen: dict[str, str] = field(default_factory=dict)  # original -> stand-in
    _counts: dict[str, int] = field(default_factory=dict)

    def _stand_in(self, kind: str, key: str, make: Callable[[int], str]) -> str:
        if key not in self.seen:
            n = self._counts.get(kind, 0) + 1
            self._counts[kind] = n
            self.seen[key] = make(n)
        return self.seen[key]

    def _code(self, m: re.Match[str]) -> str:
        compact = re.sub(r"\s+", "", m[0]).upper().replace("–", "-").replace("—", "-")
        if compact in self.keep:
            return m[0]
        return self._stand_in("code", compact, lambda n: f"000.00.00.H00-000101-{n:04d}")

    def _feedback(self, m: re.Match[str]) -> str:
        compact = re.sub(r"\s+", "", m[0]).upper()
        return self._stand_in("feedback", compact, lambda n: f"PA-000101-XXXXX{n % 10}")

    def _id(self, m: re.Match[str]) -> str:
        digits = _digits(m[0])
        if digits in self.keep:
            return m[0]
        return self._stand_in("id", digits, lambda n: f"{n:012d}")

    def _phone(self, m: re.Match[str]) -> str:
        phone = _canonical_phone(m[0])
        if phone in self.keep:
            return m[0]
        return self._stand_in("phone", phone, lambda n: f"09000000{n:02d}")

    def _name(self, name: str) -> str:
        return self._stand_in("name", name.strip().lower(), lambda _n: PLACEHOLDER_NAME)

    def _full_name(self, m: re.Match[str]) -> str:
        words = m[0].lower().split()
        if " ".join(words[:2]) in PLACES or " ".join(words[:3]) in PLACES:
            return m[0]
        return self._name(m[0])

    def _named(self, m: re.Match[str]) -> str:
        name = m[2]
        trailing = name[len(name.rstrip()):]
        return m[1] + self._name(name) + trailing

    def identifiers(self, text: str) -> str:
        """Codes, ID numbers, phones and e-mails: wherever they appear (the bot's words too)."""
        text = DOSSIER_CODE.sub(self._code, text)
        text = FEEDBACK_CODE.sub(self._feedback, text)
        text = ID_NUMBER.sub(self._id, text)
        text = PHONE.sub(self._phone, text)
        return EMAIL.sub("[email]", text)

    def citizen(self, text: str, *, answering: str | None = None) -> str:
        """What a citizen typed. ``answering``: the form slot the bot had just asked for."""
        if answering == "feedback_location":
            return PLACEHOLDER_ADDRESS
        if answering == "applicant_identifier":
            text = ANY_DIGITS.sub(lambda m: m[0] if m[0] in self.keep else "0" * len(_digits(m[0])),
                                  self.identifiers(text))
        text = self.identifiers(text)
        text = NAME_AFTER_CUE.sub(self._named, text)
        text = FULL_NAME.sub(self._full_name, text)
        text = ADDRESS_AFTER_CUE.sub(lambda m: m[1] + PLACEHOLDER_ADDRESS, text)
        return ADDRESS_PLACE.sub(PLACEHOLDER_ADDRESS, text)

    def bot(self, text: str) -> str:
        """What the bot said: identifiers, plus anything already masked in the citizen's words."""
        text = self.identifiers(text)
        for original, stand_in in self.seen.items():
            if len(original) > 3 and not original.isdigit():
                text = re.sub(re.escape(original), stand_in, text, flags=re.IGNORECASE)
        return text
