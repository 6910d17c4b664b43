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
    "cty": "cong ty",
    "tnhh": "trach nhiem huu han",
    "dntn": "doanh nghiep tu nhan",
    "gpkd": "giay phep kinh doanh",
    "tthn": "tinh trang hon nhan",
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


# Everyday words -> the words the official names use. Matched on folded whole words; the expansion
# is added to the query (never replaces it). Kept to vocabulary any one-stop-shop officer knows.
CONCEPTS: tuple[tuple[str, str], ...] = (
    # a foreign nationality or country makes it "có yếu tố nước ngoài"
    ("nguoi nuoc ngoai", "yeu to nuoc ngoai"),
    ("quoc tich", "yeu to nuoc ngoai"),
    ("viet kieu", "yeu to nuoc ngoai"),
    ("han quoc", "yeu to nuoc ngoai"),
    ("nguoi han", "yeu to nuoc ngoai"),
    ("nhat ban", "yeu to nuoc ngoai"),
    ("nguoi nhat", "yeu to nuoc ngoai"),
    ("trung quoc", "yeu to nuoc ngoai"),
    ("dai loan", "yeu to nuoc ngoai"),
    ("nguoi my", "yeu to nuoc ngoai"),
    ("nguoi tay", "yeu to nuoc ngoai"),
    ("ngoai quoc", "yeu to nuoc ngoai"),
    ("con lai", "yeu to nuoc ngoai"),  # a child of mixed nationality
    # residence: the household register words people still use
    ("nhap ho khau", "dang ky thuong tru"),
    ("nhap khau cho", "dang ky thuong tru"),
    ("nhap khau vao nha", "dang ky thuong tru"),
    ("ho khau", "thuong tru"),
    ("cat khau", "xoa dang ky thuong tru"),
    ("chu ho", "dieu chinh thong tin cu tru"),
    # land and vehicles
    ("so do", "giay chung nhan quyen su dung dat"),
    ("so hong", "giay chung nhan quyen su dung dat"),
    ("cavet", "chung nhan dang ky xe"),
    ("ca vet", "chung nhan dang ky xe"),
    ("bang lai", "giay phep lai xe"),
    ("bien so", "bien so xe"),
    # civil status and certification
    ("doc than", "xac nhan tinh trang hon nhan"),
    ("giay ket hon", "dang ky ket hon"),
    ("cong chung", "chung thuc"),
    ("ban photo", "chung thuc ban sao"),
    ("ho ca the", "ho kinh doanh"),
    ("lam lai", "cap lai"),
    ("bi mat", "cap lai"),
    ("lam mat", "cap lai"),
    ("danh mat", "cap lai"),
    ("that lac", "cap lai"),
    ("mat giay", "cap lai"),
    ("mat the", "cap lai"),
    ("mat so", "cap lai"),
    ("mat cavet", "cap lai"),
    ("mat ho chieu", "cap lai"),
    ("mat bang", "cap lai"),
    ("bi rach", "cap doi"),
    ("bi hong", "cap doi"),
    ("mo cong ty", "thanh lap"),
    ("lap cong ty", "thanh lap"),
    ("mo doanh nghiep", "thanh lap"),
    ("dong cua", "cham dut hoat dong"),
    ("nghi ban", "cham dut hoat dong"),
    ("nghi kinh doanh", "tam ngung kinh doanh"),
    ("thi bang", "cap giay phep lai xe"),
    ("nguoi chet", "khai tu"),
    ("qua doi", "khai tu"),
    ("het han", "cap doi"),
    ("rut bhxh", "huong bao hiem xa hoi mot lan"),
)
_CONCEPT_RE = [(re.compile(rf"(?<!\w){re.escape(k)}(?!\w)"), v) for k, v in CONCEPTS]


def expand_query(text: str) -> str:
    """The query plus the official wording of the everyday concepts it names."""
    folded = " ".join(words(text))
    extra = [v for pattern, v in _CONCEPT_RE if pattern.search(folded)]
    return " ".join([text, *dict.fromkeys(extra)]) if extra else text
