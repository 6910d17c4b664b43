"""Reading a complaint (phản ánh, kiến nghị) as citizens write it: pure helpers, no Rasa.

One message may hold several details ("đèn đường ngõ 12 phố Huế hỏng cả tuần, sđt 0912345678"):
the phone goes to the contact, the place to the location, the whole to the description. Words
like "ko" inside a description never cancel it; only a short, clear request to stop does.
"""

from __future__ import annotations

import re
import unicodedata

from actions.parsing import find_phones
from actions.questions import is_question

# The words that open a complaint say nothing about it: "tôi muốn phản ánh", "cho em kiến nghị".
_OPENING = re.compile(
    r"^\s*(?:(?:xin\s+)?chào[^,.]*[,.]\s*)?(?:(?:tôi|toi|em|mình|minh|cháu|chau)\s+)?"
    r"(?:(?:muốn|muon|cần|can|xin|cho\s+\w+)\s+)?(?:gửi\s+|gui\s+|được\s+|duoc\s+)?"
    r"(?:phản\s*ánh|phan\s*anh|kiến\s*nghị|kien\s*nghi|khiếu\s*nại|khieu\s*nai|góp\s*ý|gop\s*y|"
    r"tố\s*cáo|to\s*cao|báo|bao)\s*(?:về\s+|ve\s+|việc\s+|viec\s+|là\s+|la\s+)?[:,.\-]?\s*",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"^\s*(?:thôi|thoi|hủy|huỷ|huy|dừng|dung|thôi khỏi|thoi khoi|không gửi nữa|khong gui nua|"
    r"không cần nữa|khong can nua|bỏ đi|bo di|hủy bỏ|huy bo|thôi không gửi|thoi khong gui|"
    r"không phản ánh nữa|khong phan anh nua|cancel|stop)"
    r"(?:\s+(?:đi|di|nhé|nhe|nha|ạ|a|em|ad|nữa|nua|luôn|luon|không gửi nữa|khong gui nua|"
    # "hủy phản ánh (đang nhập)": the explicit way to drop the complaint
    r"phản ánh|phan anh|kiến nghị|kien nghi|này|nay|đang nhập|dang nhap))*"
    # one class for the trailing spaces and marks: "\s*[.!]*\s*$" tried every split of a long
    # run of spaces between its two "\s*" (quadratic: "thôi" + 50 kB of spaces took 9 s)
    r"[\s.!]*$",
    re.IGNORECASE,
)
# "bỏ qua (bước này) đi": skip the question asked. The NLU reads it as `cancel` (one of that
# intent's examples), but it never drops the complaint: an optional step is skipped, a required
# one is asked again with everything kept.
_SKIP = re.compile(
    r"^\s*(?:(?:thôi|thoi|dạ|da|ừ|u|ok|vâng|vang)[,\s]+)?(?:(?:em|tôi|toi|mình|minh)\s+)?"
    r"(?:bỏ qua|bo qua|skip)"
    r"(?:\s+(?:bước|buoc|câu|cau|phần|phan|mục|muc)(?:\s+(?:này|nay|đó|do))?)?"
    r"(?:\s+(?:đi|di|nhé|nhe|nha|ạ|a|em|ad|luôn|luon))*[\s.!]*$",
    re.IGNORECASE,
)
# Control characters (NUL and the like) are no text: they break the staff console, logs and
# exports. Newline and tab are kept; lone surrogates cannot even be stored.
_KEEP_CONTROLS = frozenset("\n\t")
_PLACE = re.compile(
    r"(?:(?<=\s)|^)(?:ở|o|tại|tai|trước|truoc|gần|gan|đầu|dau|cuối|cuoi)\s+"
    r"((?:số|so|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|kiet|đường|duong|phố|pho|thôn|thon|xóm|xom|"
    r"ấp|ap|tổ|to|khu|chợ|cho|cổng|cong|phường|phuong|xã|xa|trường|truong|công viên|cong vien|"
    r"bến|ben|cầu|cau|nút|nut|ngã|nga)\b[^,.;!?\n]*)",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^\s*(?:ok|oke|okie|ừ|u|ừm|vâng|vang|dạ|da|đúng|dung|gửi|gui|có|co|chuẩn|chuan|được|duoc)\b"
    r"|\b(?:gửi|gui)\s+(?:đi|di|giúp|giup|luôn|luon|phản ánh|phan anh|kiến nghị|kien nghi)\b",
    re.IGNORECASE,
)
_NOT_YET = re.compile(
    r"\b(?:không|ko|khong|đừng|dung co|chưa|chua|sửa|sua|khoan|đợi|doi da|thêm|them)\b",
    re.IGNORECASE,
)
MIN_DESCRIPTION_WORDS = 3
_COMPLAINT_WORDS = re.compile(
    r"\b(?:phản\s*ánh|phan\s*anh|kiến\s*nghị|kien\s*nghi|khiếu\s*nại|khieu\s*nai|tố\s*cáo|"
    r"to\s*cao|góp\s*ý|gop\s*y|bức\s*xúc|buc\s*xuc|quát|quat|hỏng|hong|hư|hu|"
    r"ngập|ngap|tắc|tac|rác|rac|ồn|on ao|gây khó|gay kho|nhũng nhiễu|nhung nhieu|"
    r"chậm trễ|cham tre|vòi|voi tien|đòi tiền|doi tien)\b",
    re.IGNORECASE,
)
# "bỏ qua", "không có số", "thôi khỏi": the citizen leaves no phone (not a stop of the complaint)
_NO_PHONE = re.compile(
    r"^\s*(?:(?:thôi|thoi|dạ|da|ừ|u)\s+)?(?:(?:em|tôi|toi|mình|minh|cháu|chau)\s+)?"
    r"(?:bỏ qua|bo qua|khỏi|khoi|không có|ko có|k có|khong co|"
    r"không cần|ko cần|k cần|khong can|không để lại|khong de lai|không muốn|ko muốn|k muốn|"
    r"khong muon|không tiện|khong tien|ko tiện)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """The text without control characters other than newline and tab ("\\r\\n" is one line
    break)."""
    text = text.replace("\r\n", "\n")
    return "".join(
        ch for ch in text
        if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def is_skip(text: str) -> bool:
    """"bỏ qua", "thôi bỏ qua đi", "bo qua buoc nay": skip this question, nothing more."""
    return bool(_SKIP.match(nfc(text)))


def is_stop(text: str) -> bool:
    """A short, clear request to stop ("thôi", "hủy đi", "không gửi nữa"), nothing more."""
    return bool(_STOP.match(nfc(text)))


def is_yes(text: str) -> bool:
    """"Đúng rồi, gửi phản ánh giúp tôi": a go-ahead, with nothing asking to wait or change."""
    clean = nfc(text)
    return bool(_YES.search(clean)) and not _NOT_YET.search(clean) and not is_stop(text)


SEND_ONLY_WORDS = 6


def only_says_send(text: str) -> bool:
    """"Đúng rồi, gửi đi" at an optional question: a go-ahead that names no place and adds
    nothing to the complaint."""
    return is_yes(text) and len(nfc(text).split()) <= SEND_ONLY_WORDS and find_place(text) is None


def is_question_not_complaint(text: str) -> bool:
    """"ba bị mất căn cước, làm lại có mất tiền ko" is a question the NLU may take for a
    complaint: it asks something and complains of nothing."""
    clean = nfc(text)
    return not _COMPLAINT_WORDS.search(clean) and is_question(clean)


_CORRECTION = re.compile(
    r"\b(?:ý (?:tôi|em|mình|tui|cháu) là|y (?:toi|em|minh|tui|chau) la|ý là|y la|"
    r"tôi hỏi là|toi hoi la|em hỏi là|em hoi la)\b",
    re.IGNORECASE,
)


def is_correction(text: str) -> bool:
    """"ko, ý tôi là đổi bằng lái ô tô cơ": the citizen restates a question, complaining of
    nothing."""
    clean = nfc(text)
    return bool(_CORRECTION.search(clean)) and not _COMPLAINT_WORDS.search(clean)


def complaint_body(text: str) -> str:
    """The message without the words that open a complaint."""
    return _OPENING.sub("", nfc(text), count=1).strip(" ,.:-")


def has_content(text: str) -> bool:
    """Does the message say what happened (not just "tôi muốn phản ánh")?"""
    return len(complaint_body(text).split()) >= MIN_DESCRIPTION_WORDS


_PLACE_TEXT = (
    "số so ngõ ngo ngách ngach hẻm hem kiệt kiet đường duong phố pho thôn thon xóm xom ấp ap tổ "
    "to khu chợ cho cổng cong phường phuong xã xa quận quan huyện huyen trường truong công viên "
    "vien bến ben cầu cau nút nut ngã nga ba tư năm dân phố tiểu học trung học cơ sở thị trấn "
    "chung cư tòa nhà block lô"
)
_PLACE_WORDS = frozenset(_PLACE_TEXT.split(" "))


# Without a cue ("phản ánh đường Trần Phú phường Trung Tâm cứ mưa là ngập"): a word that only
# names a place, followed by a name (capitalised) or a number.
_NAMED_PLACE = re.compile(
    r"(?:(?<=\s)|^)((?:đường|duong|phố|ngõ|ngo|ngách|ngach|hẻm|hem|kiệt|thôn|thon|xóm|xom|ấp|"
    r"phường|phuong|xã|khu phố|tổ dân phố|quận|huyện|thị trấn)\s+(\w)[^,.;!?\n]*)"
)


def _named_place(text: str) -> re.Match[str] | None:
    return next((m for m in _NAMED_PLACE.finditer(text)
                 if m[2].isupper() or m[2].isdigit()), None)


def find_place(text: str) -> str | None:
    """The place a complaint is about: a cue ("ở", "trước") and the address words after it,
    or without a cue a place word and a name ("đường Trần Phú"), up to the first word that is
    not part of a place (numbers and names are)."""
    clean = nfc(text)
    match = _PLACE.search(clean) or _named_place(clean)
    if match is None:
        return None
    kept: list[str] = []
    for word in match[1].split():
        bare = word.strip(",.;:")
        if not bare:
            break
        if bare.lower() in _PLACE_WORDS or bare[0].isdigit() or bare[0].isupper() or "/" in bare:
            kept.append(bare)
            if bare != word:  # the word ended a clause
                break
        else:
            break
    # a place word alone ("ở phường", "o xa") names no place: the form asks where
    return " ".join(kept) if len(kept) >= 2 else None


# At the place question a longer message is read for what it is: an address is mostly place
# words, numbers and names ("ngõ 12 phố Hàng Bông, phường Hàng Gai"); a story is mostly not.
PLACE_ANSWER_WORDS = 8


def _is_place_word(word: str) -> bool:
    return word.lower() in _PLACE_WORDS or word[0].isdigit() or word[0].isupper() or "/" in word


def looks_like_address(text: str) -> bool:
    words = [bare for w in nfc(text).split() if (bare := w.strip(",.;:()"))]
    return bool(words) and 2 * sum(map(_is_place_word, words)) >= len(words)


def tells_what_happened(text: str) -> bool:
    """At the place question: a message that tells (more of) what happened, not only where
    ("cán bộ phường thu thêm 200 nghìn mới nhận hồ sơ khai sinh"); it joins the description."""
    return len(nfc(text).split()) >= PLACE_ANSWER_WORDS and not looks_like_address(text)


def leaves_no_phone(text: str) -> bool:
    """"bỏ qua", "không có số đâu", "thôi khỏi em": no phone, the complaint goes on."""
    clean = nfc(text)
    return bool(_NO_PHONE.match(clean)) and not _DIGITS.search(clean) and len(clean.split()) <= 8


def tries_a_number(text: str) -> bool:
    """Digits typed at the phone question: a (maybe mistyped) phone, not words that hold a
    number ("cán bộ đòi 200 nghìn")."""
    digits = len(_DIGITS.findall(text))
    words = sum(1 for word in text.split() if not _DIGITS.search(word))
    return digits >= 6 or (digits >= 3 and words <= 2)


def adds_to_complaint(text: str) -> bool:
    """More of what happened ("cán bộ còn đòi tiền nữa"), not an answer to the step's question."""
    return bool(_COMPLAINT_WORDS.search(nfc(text))) or (
        has_content(text) and not is_question_not_complaint(text)
    )


def find_contact(text: str) -> str | None:
    phones = find_phones(text)
    return phones[0] if phones else None


def topic_of(description: str, limit: int = 80) -> str:
    """A one-line subject for the staff inbox: the first clause of the description."""
    first = re.split(r"[.!?\n;]", description.strip(), maxsplit=1)[0].strip()
    words = first.split()
    if len(first) <= limit:
        return first[:1].upper() + first[1:]
    short = " ".join(words)
    while len(short) > limit and " " in short:
        short = short.rsplit(" ", 1)[0]
    return short[:1].upper() + short[1:] + "…"
