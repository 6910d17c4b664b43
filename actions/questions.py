"""Is a message a question? Vietnamese asks with end particles more than with "?": pure helpers."""

from __future__ import annotations

import re
import unicodedata

_NEGATION = r"(?:không|ko|k|khong|chẳng|chang|chả|cha|hông|hong)"
_QUESTION_END = re.compile(
    r"(?:\?|\b(?:không|ko|k|khong|hok|hông|chưa|chua|được không|dc ko|đc ko|dc k|thế nào|the nao|"
    r"ntn|làm sao|lam sao|bao nhiêu|bao nhieu|bn|ở đâu|o dau|nhỉ|nhi|hả|ha|sao|bao giờ|bao gio|"
    r"khi nào|khi nao|mấy ngày|may ngay|mấy hôm|may hom|bao lâu|bao lau|à|chứ|chu)"
    r"(?:\s+(?:ạ|a|vậy|vay|v|z|nhé|nhe|em|ad|con|chị|anh|nhỉ))*\s*[.!]*)\s*$",
    re.IGNORECASE,
)
_WHAT_END = re.compile(
    r"(?P<before>(?:\S+\s+){0,3})(?:gì|gi|j)(?:\s+(?:ạ|a|vậy|vay|v|z|nhé|nhe))*\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_NEGATED = re.compile(rf"\b{_NEGATION}\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """"phải cùng đến à", "gửi qua email được không", "cần giấy tờ gì": a question; "ko hướng
    dẫn gì" (a negation before "gì") is not."""
    clean = unicodedata.normalize("NFC", text)
    what = _WHAT_END.search(clean)
    return bool(_QUESTION_END.search(clean) or (what and not _NEGATED.search(what["before"])))
