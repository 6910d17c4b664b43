"""Is a message a question? Vietnamese asks with end particles more than with "?": pure helpers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NEGATION = r"(?:không|ko|k|khong|chẳng|chang|chả|cha|hông|hong)"
# Every pattern here reads any message the citizen sends, so none may backtrack on a long one:
# no two adjacent "\s*" around an optional part ("\s*[.!]*\s*$" was quadratic in a run of spaces),
# a word group starts at a word boundary, a lazy span is bounded (tests/fuzz).
_QUESTION_END = re.compile(
    r"(?:\?|\b(?:không|ko|k|khong|hok|hông|chưa|chua|được không|dc ko|đc ko|dc k|thế nào|the nao|"
    r"ntn|làm sao|lam sao|bao nhiêu|bao nhieu|bn|ở đâu|o dau|nhỉ|nhi|hả|ha|sao|bao giờ|bao gio|"
    r"khi nào|khi nao|mấy ngày|may ngay|mấy hôm|may hom|bao lâu|bao lau|à|chứ|chu)"
    r"(?:\s+(?:ạ|a|vậy|vay|v|z|nhé|nhe|em|ad|con|chị|anh|nhỉ))*(?:\s*[.!]+)?)\s*$",
    re.IGNORECASE,
)
_WHAT_END = re.compile(
    r"(?P<before>(?:(?<!\S)(?:\S+\s+){1,3})?)(?:gì|gi|j)(?:\s+(?:ạ|a|vậy|vay|v|z|nhé|nhe))*"
    r"\s*(?:[?.!]+\s*)?$",
    re.IGNORECASE,
)
_NEGATED = re.compile(rf"\b{_NEGATION}\b", re.IGNORECASE)
# "hết bao nhiêu tiền", "báo trước mấy giờ": how much / how long / where, then a word or two
_HOW_NEAR_END = re.compile(
    r"\b(?:bao nhiêu|bao nhieu|mấy|bao lâu|bao lau|ở đâu|o dau|chỗ nào|cho nao|thế nào|the nao|"
    r"ra sao|giờ nào|gio nao)(?:\s+\S+){0,2}\s*(?:[?.!]+\s*)?$",
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


def fold(text: str) -> str:
    """Lower case without diacritics ("Bộ phận một cửa" -> "bo phan mot cua"), to compare what a
    citizen typed with or without them."""
    bare = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(c for c in bare if not unicodedata.combining(c)).split())


# "làm online có rẻ hơn không", "nop truc tuyen phi co re hon ko": the two ways' fees compared
_ONLINE = re.compile(r"\b(?:online|onl|truc tuyen|qua mang|tren mang|dich vu cong|qua app|vneid)\b")
_COMPARED = re.compile(
    r"\b(?:re hon|dat hon|mac hon|it hon|nhieu hon|khac (?:nhau|gi)|chenh(?: lech)?|giam|"
    r"bot|uu dai|nhu nhau|bang nhau)\b"
)


def compares_online_fee(text: str) -> bool:
    """Does the citizen ask whether applying online costs less (or more) than in person?"""
    folded = fold(text)
    return bool(_ONLINE.search(folded) and _COMPARED.search(folded))


# "online có mất phí không", "nop truc tuyen co ton tien ko": whether applying online costs at all
_COSTS = re.compile(
    r"\b(?:mat|ton|co|thu|dong|tra|phai nop) (?:phi|le phi|tien)\b"
)  # not "có miễn phí không": a "Dạ không" would answer it backwards


def asks_if_online_costs(text: str) -> bool:
    """Does the citizen ask, yes or no, whether applying online costs anything?"""
    folded = fold(text)
    return bool(_ONLINE.search(folded) and _COSTS.search(folded)) and not compares_online_fee(
        text
    )


# "có cần mang giấy khai sinh không", "co phai nop so ho khau ko", "có cần sổ hộ khẩu ko": a
# paper, asked yes or no
_PAPER_ASKED = re.compile(
    r"\b(?:cần|can|phải|phai)\s+(?:(?P<verb>mang|nộp|nop|có|co|xin|làm|lam|đem|dem|kèm|kem)\s+)?"
    r"(?:theo\s+|thêm\s+|them\s+)?"
    r"(?P<paper>(?:giấy|giay|sổ|so|thẻ|the|hợp đồng|hop dong|đơn|don|văn bản|van ban|bằng|bang|"
    r"học bạ|hoc ba|hộ chiếu|ho chieu)\b[^?,.]{0,80}?)"
    r"(?<!\s)\s+(?:không|ko|k|khong|hông|hong|hok)\b",
    re.IGNORECASE,
)
# words that say nothing of which paper it is
_PAPER_FILLER = {"giay", "to", "cai", "cua", "minh", "toi", "em", "ban", "goc", "chinh", "sao",
                 "truoc", "theo", "them", "nua", "luon"}
# "có cần giấy ủy quyền không" asks who may submit (the power of attorney), not a paper of the list
_WHO_MAY_SUBMIT = re.compile(r"\buy quyen\b")


@dataclass(frozen=True)
class PaperAsked:
    paper: str  # as typed: "giấy khai sinh"
    telling: frozenset[str]  # the folded words that tell which: {"khai", "sinh"}
    to_apply: bool  # "có cần xin/làm ..." may ask for a procedure of its own


def paper_asked(text: str) -> PaperAsked | None:
    """The paper a yes/no question asks about ("có cần mang giấy khai sinh không"), or None."""
    match = _PAPER_ASKED.search(unicodedata.normalize("NFC", text))
    if match is None:
        return None
    paper = match["paper"].strip()
    if _WHO_MAY_SUBMIT.search(fold(paper)):
        return None
    telling = frozenset(w for w in fold(paper).split() if w not in _PAPER_FILLER and len(w) > 1)
    to_apply = fold(match["verb"] or "") in ("xin", "lam")
    return PaperAsked(paper, telling, to_apply) if telling else None


# "Xin văn bản xác nhận … (CT07) …, thay cho sổ hộ khẩu giấy trước đây": a record that says which
# paper it replaces
_REPLACES = re.compile(r"\bthay (?:cho|the)\b(?P<what>(?: \w+){1,6})")


def replaces_paper(summary: str, telling: frozenset[str]) -> bool:
    """Does a record's summary say it replaces the paper ("thay cho sổ hộ khẩu giấy")?"""
    return any(telling <= set(m["what"].split()) for m in _REPLACES.finditer(fold(summary)))
