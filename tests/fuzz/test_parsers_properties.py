"""Properties of the parsers that read every message a citizen types (vnid, actions).

- never raise on any text (parse_* raise only InvalidIdentifierError, whose message is shown);
- normal forms are fixed points; an identifier typed inside a sentence is found, and what is found
  was in the message;
- no catastrophic backtracking: each parser returns on 50 kB built to stall a backtracking regular
  expression (a plain run; the timings are in the issue-10 report, not asserted).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import vnid
from actions import feedback_parsing, parsing, questions
from tests.fuzz.strategies import (
    ADVERSARIAL,
    any_text,
    application_codes,
    feedback_codes,
    id_numbers,
    sentence_around,
    typed_phones,
)

# Every pure function of the parsers that reads free text, by name.
READERS: dict[str, Callable[[str], Any]] = {
    "vnid.normalize_code": vnid.normalize_code,
    "vnid.find_application_code": vnid.find_application_code,
    "vnid.find_feedback_code": vnid.find_feedback_code,
    "vnid.find_phones": vnid.find_phones,
    "vnid.find_identifier": vnid.find_identifier,
    "vnid.normalize_phone": vnid.normalize_phone,
    "vnid.mask_digits": vnid.mask_digits,
    "vnid.mask_name": vnid.mask_name,
    "feedback_parsing.is_stop": feedback_parsing.is_stop,
    "feedback_parsing.is_yes": feedback_parsing.is_yes,
    "feedback_parsing.is_question_not_complaint": feedback_parsing.is_question_not_complaint,
    "feedback_parsing.is_correction": feedback_parsing.is_correction,
    "feedback_parsing.complaint_body": feedback_parsing.complaint_body,
    "feedback_parsing.has_content": feedback_parsing.has_content,
    "feedback_parsing.find_place": feedback_parsing.find_place,
    "feedback_parsing.leaves_no_phone": feedback_parsing.leaves_no_phone,
    "feedback_parsing.tries_a_number": feedback_parsing.tries_a_number,
    "feedback_parsing.adds_to_complaint": feedback_parsing.adds_to_complaint,
    "feedback_parsing.find_contact": feedback_parsing.find_contact,
    "feedback_parsing.topic_of": feedback_parsing.topic_of,
    "questions.is_question": questions.is_question,
    "questions.fold": questions.fold,
    "questions.paper_asked": questions.paper_asked,
}
VALIDATORS: dict[str, Callable[[str], str]] = {
    "vnid.parse_code": vnid.parse_code,
    "vnid.parse_phone": vnid.parse_phone,
    "vnid.parse_phone_or_last_digits": vnid.parse_phone_or_last_digits,
    "vnid.parse_id_number_or_last_digits": vnid.parse_id_number_or_last_digits,
}
_DASHES = str.maketrans(dict.fromkeys("–—‐‑−", "-"))


def squashed(text: str) -> str:
    """For "was it in the message": no spaces, one kind of dash, case folded."""
    return re.sub(r"\s+", "", text.translate(_DASHES)).casefold()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("name", READERS)
@given(text=any_text)
@example(text="\x00")
@example(text="0912\x00345678")
@example(text="😊" * 50 + " 079203001234")
def test_reader_never_raises(name: str, text: str) -> None:
    READERS[name](text)


@pytest.mark.parametrize("name", VALIDATORS)
@given(text=any_text)
def test_validator_accepts_or_explains(name: str, text: str) -> None:
    try:
        VALIDATORS[name](text)
    except vnid.InvalidIdentifierError as refusal:
        assert str(refusal)  # a Vietnamese sentence the bot can show


@pytest.mark.parametrize("name", sorted(READERS))
@pytest.mark.parametrize("attack", sorted(ADVERSARIAL))
def test_reader_returns_on_a_backtracking_attack(name: str, attack: str) -> None:
    # before issue 10: normalize_code 44 s, is_question 23 s, paper_asked 179 s, is_stop 9 s
    READERS[name](ADVERSARIAL[attack])


@given(text=any_text)
def test_normalize_code_is_a_fixed_point(text: str) -> None:
    once = vnid.normalize_code(text)
    assert vnid.normalize_code(once) == once


@given(text=any_text)
def test_normalize_phone_is_a_fixed_point(text: str) -> None:
    phone = vnid.normalize_phone(text)
    if phone is not None:
        assert vnid.normalize_phone(phone) == phone
        assert re.fullmatch(r"0[35789]\d{8}", phone)


@given(typed=sentence_around(application_codes()))
@example(typed=("000.00.30.H56-261115-0012", "mã hồ sơ 000.00.30.h56 - 261115 - 0012 ạ"))
def test_a_dossier_code_in_a_sentence_is_found(typed: tuple[str, str]) -> None:
    canonical, message = typed
    assert vnid.find_application_code(message) == canonical
    assert vnid.parse_code(canonical) == canonical


@given(typed=sentence_around(feedback_codes()))
def test_a_feedback_code_in_a_sentence_is_found(typed: tuple[str, str]) -> None:
    canonical, message = typed
    assert vnid.find_feedback_code(message) == canonical


@given(typed=sentence_around(typed_phones()))
@example(typed=("0912345678", "sđt +84 912.345.678 nhé"))
def test_a_phone_in_a_sentence_is_found(typed: tuple[str, str]) -> None:
    phone, message = typed
    assert vnid.find_phones(message) == [phone]
    assert vnid.find_identifier(message) == vnid.Identifier("phone", phone)
    assert vnid.parse_phone(phone) == phone


@given(typed=sentence_around(id_numbers))
def test_an_id_number_in_a_sentence_is_found(typed: tuple[str, str]) -> None:
    number, message = typed
    assert vnid.find_identifier(message) == vnid.Identifier("id_number", number)
    assert vnid.parse_id_number_or_last_digits(number) == number


@given(text=any_text)
def test_what_is_found_was_in_the_message(text: str) -> None:
    code = vnid.find_application_code(text)
    if code is not None:
        assert squashed(code) in squashed(text)
    tracking = vnid.find_feedback_code(text)
    if tracking is not None:
        assert squashed(tracking) in squashed(text)
    for phone in vnid.find_phones(text):
        assert phone[1:] in digits(text)  # the national number; the prefix may be +84
    identifier = vnid.find_identifier(text)
    if identifier is not None:
        kept = identifier.value[1:] if identifier.kind == "phone" else identifier.value
        assert kept in digits(text)


@given(text=any_text)
def test_masked_values_keep_at_most_two_characters(text: str) -> None:
    masked = vnid.mask_digits(text)
    assert len(masked.strip("*")) <= 2 or masked == "-"


@given(text=any_text)
def test_a_stop_is_never_a_yes(text: str) -> None:
    assert not (feedback_parsing.is_stop(text) and feedback_parsing.is_yes(text))


@given(text=any_text)
def test_the_contact_is_one_of_the_phones(text: str) -> None:
    contact = feedback_parsing.find_contact(text)
    assert contact is None or contact in vnid.find_phones(text)


@given(text=any_text)
def test_the_place_is_taken_from_the_message(text: str) -> None:
    place = feedback_parsing.find_place(text)
    if place is not None:
        normalised = feedback_parsing.nfc(text)
        assert all(word in normalised for word in place.split())


@given(text=any_text, limit=st.integers(min_value=10, max_value=120))
def test_the_topic_is_one_short_line(text: str, limit: int) -> None:
    topic = feedback_parsing.topic_of(text, limit)
    assert "\n" not in topic
    # the limit, "…", and what upper-casing the first letter may add ("ß" -> "SS")
    assert len(topic) <= limit + 3


@given(text=any_text)
def test_the_paper_asked_is_in_the_message(text: str) -> None:
    asked = questions.paper_asked(text)
    if asked is not None:
        assert asked.paper in feedback_parsing.nfc(text)
        assert asked.telling


@given(text=any_text)
def test_question_fold_is_idempotent(text: str) -> None:
    once = questions.fold(text)
    assert questions.fold(once) == once


# dossier and feedback dates (strftime does not pad years before 1000 on every platform)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_format_date_reads_back_day_first(day: date) -> None:
    formatted = parsing.format_date(day)
    assert formatted is not None
    assert datetime.strptime(formatted, "%d/%m/%Y").date() == day
