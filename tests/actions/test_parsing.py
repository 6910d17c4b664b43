"""Pure parsing helpers: what citizens type for codes, ID numbers, phones and dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from actions.parsing import (
    Identifier,
    find_application_code,
    find_feedback_code,
    find_identifier,
    format_date,
    normalize_phone,
    parse_vietnamese_date,
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
        ("091.234.5678", Identifier("phone", "0912345678")),
        ("1234", Identifier("last4", "1234")),
        ("4 số cuối là 5678", Identifier("last4", "5678")),
        ("không nhớ", None),
        ("12345", None),
    ],
)
def test_find_identifier(text: str, identifier: Identifier | None) -> None:
    assert find_identifier(text) == identifier


def test_identifiers_are_masked_for_logs() -> None:
    assert Identifier("id_number", "079203001234").masked() == "********1234"


@pytest.mark.parametrize(
    "raw, phone",
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("0123456789", None),
        ("09123", None),
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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("27/11", date(2026, 11, 27)),
        ("27-11-2025", date(2025, 11, 27)),
        ("ngày 2 tháng 9 năm 2026", date(2026, 9, 2)),
        ("hẹn 05/01/27", date(2027, 1, 5)),
        ("31/02", None),
        ("không có ngày", None),
    ],
)
def test_parse_vietnamese_date(text: str, expected: date | None) -> None:
    assert parse_vietnamese_date(text, today=date(2026, 11, 22)) == expected


def test_format_date_is_day_first() -> None:
    assert format_date(datetime(2026, 11, 27, 16, 0)) == "27/11/2026"
    assert format_date(None) is None
