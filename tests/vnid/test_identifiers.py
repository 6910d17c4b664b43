"""The identifiers citizens type (the shared vnid module): the actions and connectors alike."""

from __future__ import annotations

import pytest

from vnid import (
    Identifier,
    find_application_code,
    find_feedback_code,
    find_identifier,
    find_phone_like,
    find_phones,
    normalize_phone,
)


@pytest.mark.parametrize(
    "text, code",
    [
        ("000.00.30.H56-241115-0012", "000.00.30.H56-241115-0012"),
        ("mã hồ sơ của tôi là 000.00.30.h56-241115-0012 ạ", "000.00.30.H56-241115-0012"),
        ("000.00.30.H56 - 241115 - 0012", "000.00.30.H56-241115-0012"),
        ("000.20.22.H29–250301–0456", "000.20.22.H29-250301-0456"),  # en dashes
        ("ma hs 000.00.31.h56-261118-0007 den dau roi", "000.00.31.H56-261118-0007"),
        ("000.00.30.H56-241315-0012", None),  # month 13
        ("000.00.30.56-241115-0012", None),  # agency code without a letter group
        ("0912345678", None),
        ("tra cứu hồ sơ", None),
    ],
)
def test_find_application_code(text: str, code: str | None) -> None:
    assert find_application_code(text) == code


@pytest.mark.parametrize(
    "text, identifier",
    [
        ("079203001234", Identifier("id_number", "079203001234")),
        ("cccd của tôi 079 203 001 234", Identifier("id_number", "079203001234")),
        ("0912345678", Identifier("phone", "0912345678")),
        ("sđt 0987 654 321", Identifier("phone", "0987654321")),
        ("+84 912 345 678", Identifier("phone", "0912345678")),
        ("84912345678", Identifier("phone", "0912345678")),
        ("0084 912 345 678", Identifier("phone", "0912345678")),  # read as last4:0084 once
        ("(+84) 912-345-678", Identifier("phone", "0912345678")),
        ("091.234.5678", Identifier("phone", "0912345678")),
        ("1234", Identifier("last4", "1234")),
        ("4 số cuối là 5678", Identifier("last4", "5678")),
        # the dossier code typed alongside is not an identifier
        ("ma 000.00.31.H56-261112-0018, 4 so cuoi dt 8123", Identifier("last4", "8123")),
        ("hồ sơ 000.00.31.H56-261112-0018 cccd 079203001234",
         Identifier("id_number", "079203001234")),
        ("không nhớ", None),
        ("12345", None),
        # the letter o typed for a zero
        ("O912 345 678", Identifier("phone", "0912345678")),
        ("sdt 09o3 111 222", Identifier("phone", "0903111222")),
        ("cccd 0792o3001234", Identifier("id_number", "079203001234")),
        ("có 2 con, o cùng bố mẹ", None),  # "o" alone is a word
    ],
)
def test_find_identifier(text: str, identifier: Identifier | None) -> None:
    assert find_identifier(text) == identifier


def test_identifiers_are_masked_for_logs() -> None:
    assert Identifier("id_number", "079203001234").masked() == "**********34"


@pytest.mark.parametrize(
    "raw, phone",
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("0123456789", None),
        ("09123", None),
        ("0084 912 345 678", "0912345678"),
        ("912345678", "0912345678"),
    ],
)
def test_normalize_phone(raw: str, phone: str | None) -> None:
    assert normalize_phone(raw) == phone


@pytest.mark.parametrize(
    "text, code",
    [
        ("tra cứu phản ánh pa-261122-7k3q9x", "PA-261122-7K3Q9X"),
        ("PA - 261122 - 7K3Q9X", "PA-261122-7K3Q9X"),
        ("phản ánh của tôi", None),
    ],
)
def test_find_feedback_code(text: str, code: str | None) -> None:
    assert find_feedback_code(text) == code


def test_every_phone_in_a_message_is_found_in_order() -> None:
    text = "đèn hỏng, gọi 0912 345 678 hoặc +84 987 654 321, cccd 079203001234"
    assert find_phones(text) == ["0912345678", "0987654321"]


@pytest.mark.parametrize(
    "text, phones",
    [
        ("09o3 111 222", ["0903111222"]),
        ("O912 345 678", ["0912345678"]),
        ("số của em là o987.654.321 ạ", ["0987654321"]),
        ("gọi 0912 345 678 hoặc 09O3-111-222", ["0912345678", "0903111222"]),
        ("so 0912 345 67o", ["0912345670"]),
        # an o that is a word, or part of one, is not a zero
        ("cho o nhờ 20 ngày", []),
        ("hỏi lo 0912 345 67", []),
    ],
)
def test_a_phone_typed_with_the_letter_o_for_zero_is_found(text: str, phones: list[str]) -> None:
    assert find_phones(text) == phones


@pytest.mark.parametrize(
    "text, typed",
    [
        ("0912 345 67", "0912 345 67"),  # a digit short
        ("số em 0123 456 789", "0123 456 789"),  # no mobile prefix
        ("+84 912 345 67", "+84 912 345 67"),
        ("0912345678", None),  # a valid phone is not "phone-like"
        ("O912 345 678", None),
        ("1.500.000.000 đồng", None),  # an amount
        ("079203001234", None),  # an ID number
        ("1234", None),
        ("đăng ký khai sinh", None),
    ],
)
def test_a_number_meant_as_a_phone_that_is_not_one(text: str, typed: str | None) -> None:
    assert find_phone_like(text) == typed
