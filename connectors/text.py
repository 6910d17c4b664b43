"""Text folding for search: citizens type without diacritics, with abbreviations and typos."""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

# Folded abbreviation -> folded expansion. Kept to what people type about procedures.
ABBREVIATIONS: dict[str, str] = {
    "cccd": "can cuoc cong dan",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh nhan dan",
    "dkkh": "dang ky ket hon",  # ĐKKH is marriage; birth is ĐKKS
    "dkks": "dang ky khai sinh",
    "dkkt": "dang ky khai tu",
    "dkkhon": "dang ky ket hon",
    "gplx": "giay phep lai xe",
    "gpxd": "giay phep xay dung",
    "gcn": "giay chung nhan",
    "qsdd": "quyen su dung dat",
    "lltp": "ly lich tu phap",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "hkd": "ho kinh doanh",
    "dkkd": "dang ky kinh doanh",
    "dk": "dang ky",
    "hs": "ho so",
    "tthc": "thu tuc hanh chinh",
    "xnk": "xuat nhap canh",
    "ktkh": "ket hon",
}

# Words that carry no information about which procedure is meant.
# "can" (căn cước) and "mat" (mất: a lost card) are deliberately absent: they name procedures.
_STOPWORD_TEXT = """thu tuc toi muon lam gi the nao nhu o dau bao nhieu ngay a vay ad admin cho hoi
xin duoc khong ko em anh chi minh giup voi cua thi la va co nhung phai di nop"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Folded words with abbreviations expanded."""
    out: list[str] = []
    for w in _WORD_RE.findall(fold(text)):
        out.extend(ABBREVIATIONS.get(w, w).split())
    return out
