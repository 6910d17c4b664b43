"""Hypothesis strategies for what citizens type: any text, Vietnamese sentences, identifiers.

Shared by the fuzz tests of the identifier parsers and of the normaliser.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

# Any text a chat box can send: NUL and control characters, emoji, combining marks, every script;
# not lone surrogates (JSON and Rasa refuse them before any parser sees them).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)

_VIETNAMESE_TEXT = (
    "tôi em mình anh chị cho hỏi muốn tra cứu hồ sơ mã số của là đây ạ nhé với đăng ký khai sinh "
    "căn cước công dân điện thoại gọi lại giúp được không vậy phản ánh đèn đường ngõ phố Huế hỏng "
    "cần mang giấy gì bao nhiêu ở đâu khi nào kết quả thôi hủy gửi đi ok dạ vâng cảm ơn 😊 👍"
)
_VIETNAMESE_WORDS = _VIETNAMESE_TEXT.split()
# words with no digit: the identifiers around them are then the only digits of the message
words = st.lists(st.sampled_from(_VIETNAMESE_WORDS), max_size=8).map(" ".join)
# separators citizens type inside numbers and codes
number_gap = st.sampled_from(["", " ", ".", "-", " . ", "  "])
code_gap = st.sampled_from(["", " ", "  ", "\t"])
dash = st.sampled_from(["-", "–", "—", "‐", "‑", "−"])


def sentence_around(
    identifier: st.SearchStrategy[tuple[str, str]],
) -> st.SearchStrategy[tuple[str, str]]:
    """From (what must be found, how it was typed): (what must be found, a message holding the
    typed form between words)."""
    return st.tuples(words, identifier, words).map(
        lambda parts: (parts[1][0], f"{parts[0]} {parts[1][1]} {parts[2]}".strip())
    )


id_numbers = st.from_regex(r"0\d{11}", fullmatch=True).map(lambda n: (n, n))
mobiles = st.from_regex(r"0[35789]\d{8}", fullmatch=True)


@st.composite
def typed_phones(draw: st.DrawFn) -> tuple[str, str]:
    """(the normalised phone, how a citizen typed it: "+84 912.345.678", "0912 345 678" ...)."""
    phone = draw(mobiles)
    prefix = draw(st.sampled_from(["0", "+84", "+84 ", "0084 ", "84"]))
    rest = phone[1:]
    gap = draw(number_gap)
    groups = [rest[:3], rest[3:6], rest[6:]] if draw(st.booleans()) else [rest]
    return phone, prefix + gap.join(groups)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(
    lambda d: d.strftime("%y%m%d")
)
_AGENCY_GROUP = st.from_regex(r"[0-9A-Z]{1,5}", fullmatch=True)


@st.composite
def application_codes(draw: st.DrawFn) -> tuple[str, str]:
    """(the canonical dossier code, as typed: any case, spaces around the separators)."""
    groups = draw(st.lists(_AGENCY_GROUP, min_size=2, max_size=6))
    if not any(c.isalpha() for c in "".join(groups)):  # an agency code holds a letter
        groups[-1] = groups[-1][:-1] + draw(st.sampled_from("HKT"))
    day = draw(days)
    sequence = draw(st.from_regex(r"\d{4,6}", fullmatch=True))
    canonical = f"{'.'.join(groups)}-{day}-{sequence}"
    gap = draw(code_gap)
    agency = f"{gap}.{gap}".join(groups)
    typed = f"{agency}{gap}{draw(dash)}{gap}{day}{gap}{draw(dash)}{gap}{sequence}"
    return canonical, typed.lower() if draw(st.booleans()) else typed


@st.composite
def feedback_codes(draw: st.DrawFn) -> tuple[str, str]:
    """(the canonical feedback tracking code PA-yymmdd-XXXXXX, as typed)."""
    day = draw(days)
    suffix = draw(st.from_regex(r"[A-Z0-9]{6}", fullmatch=True))
    gap = draw(code_gap)
    typed = f"PA{gap}{draw(dash)}{gap}{day}{gap}{draw(dash)}{gap}{suffix}"
    return f"PA-{day}-{suffix}", typed.lower() if draw(st.booleans()) else typed


# 50 kB built to make a backtracking regular expression try every split of a long run; each was
# a stall (seconds to minutes) before issue 10 (see the tests that use them).
ADVERSARIAL_LENGTH = 50_000
ADVERSARIAL: dict[str, str] = {
    "one long word": "x" * ADVERSARIAL_LENGTH,
    "digits": "1" * ADVERSARIAL_LENGTH,
    "dots and digits": "1." * (ADVERSARIAL_LENGTH // 2),
    "spaces then a letter": " " * ADVERSARIAL_LENGTH + "x",
    "thôi, spaces, a letter": "thôi" + " " * ADVERSARIAL_LENGTH + "x",
    "không, spaces, a letter": "không" + " " * ADVERSARIAL_LENGTH + "x",
    "gì, spaces, a letter": "gì" + " " * ADVERSARIAL_LENGTH + "x",
    "mấy a b, spaces, a letter": "mấy a b" + " " * ADVERSARIAL_LENGTH + "x",
    "a letter, spaces, a letter": "a" + " " * ADVERSARIAL_LENGTH + "b",
    "cần mang giấy, repeated": "cần mang giấy " * (ADVERSARIAL_LENGTH // 14),
    "cần mang giấy, spaces": "cần mang giấy" + " " * ADVERSARIAL_LENGTH + "x",
    "code-like, repeated": "a.a - " * (ADVERSARIAL_LENGTH // 6),
    "PA, spaces": "PA" + " " * ADVERSARIAL_LENGTH,
    "digit groups": "1 " * (ADVERSARIAL_LENGTH // 2),
    "emoji": "😊" * ADVERSARIAL_LENGTH,
    "combining marks": "a" + "\u0301" * ADVERSARIAL_LENGTH,
}

