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
# "hết bao nhiêu tiền", "báo trước mấy giờ": how much / how long / where, then a word or two
_HOW_NEAR_END = re.compile(
    r"\b(?:bao nhiêu|bao nhieu|mấy|bao lâu|bao lau|ở đâu|o dau|chỗ nào|cho nao|thế nào|the nao|"
    r"ra sao|giờ nào|gio nao)(?:\s+\S+){0,2}\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "cho em hỏi ...", "khoan, cho hỏi ...", "xin hỏi ...", "vì sao ...", "tại sao ..."
_ASKS_FIRST = re.compile(
    r"^\W*(?:(?:dạ|da|khoan|à|ạ|thêm|them|ad|chị|anh|em)[,\s]+){0,3}"
    r"(?:(?:cho|xin)\s+(?:\S+\s+){0,2}?(?:hỏi|hoi)\b|vì sao|vi sao|tại sao|tai sao)",
    re.IGNORECASE,
)
# "nộp cho công ty hay lên bhxh": one or the other
_EITHER = re.compile(
    r"\bhay\s+(?:là|lên|len|ra|đến|den|phải|phai|nộp|nop|đi|di|về|ve|tự|chỉ|chi)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """"phải cùng đến à", "gửi qua email được không", "cần giấy tờ gì": a question; "ko hướng
    dẫn gì" (a negation before "gì") is not."""
    clean = unicodedata.normalize("NFC", text)
    what = _WHAT_END.search(clean)
    return bool(
        _QUESTION_END.search(clean) or (what and not _NEGATED.search(what["before"]))
        or _HOW_NEAR_END.search(clean) or _ASKS_FIRST.search(clean) or _EITHER.search(clean)
    )
