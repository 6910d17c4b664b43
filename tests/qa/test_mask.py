"""Recorded conversations are masked before anyone reviews or commits them: a table of cases."""

from __future__ import annotations

import pytest

from qa.mask import PLACEHOLDER_ADDRESS, Masker


@pytest.mark.parametrize(
    "typed, masked",
    [
        # ID numbers (CCCD), grouped or not
        ("cccd của tôi là 079203009999", "cccd của tôi là 000000000001"),
        ("so cccd 079 203 009 999 nhe", "so cccd 000000000001 nhe"),
        # phones in every spelling
        ("sđt 0912 777 888", "sđt 0900000001"),
        ("goi cho toi +84 912 777 888", "goi cho toi 0900000001"),
        ("số 0912.777.888 ạ", "số 0900000001 ạ"),
        # dossier codes of real citizens, as typed
        ("hồ sơ 000.00.12.H29-250101-0456 đâu rồi", "hồ sơ 000.00.00.H00-000101-0001 đâu rồi"),
        ("ma ho so 000.00.12.h29 - 250101 - 0456", "ma ho so 000.00.00.H00-000101-0001"),
        ("tra cứu phản ánh PA-261122-7K3Q9X", "tra cứu phản ánh PA-000101-XXXXX1"),
        ("email toi la an.nguyen@gmail.com", "email toi la [email]"),
        # names: capitalised full names, and after "tên tôi là" typed in lower case
        ("tôi là Nguyễn Thị Hoa, muốn hỏi", "tôi là Nguyễn Văn A, muốn hỏi"),
        ("ten toi la tran van binh, sinh nam 1990", "ten toi la Nguyễn Văn A, sinh nam 1990"),
        ("họ tên: Lê Minh Tuấn", "họ tên: Nguyễn Văn A"),
        # addresses
        ("nhà tôi ở số 12 đường Lê Lợi, phường Bến Thành", "nhà tôi ở " + PLACEHOLDER_ADDRESS),
        ("đèn hỏng ở số 5 ngõ 34 phố Huế", "đèn hỏng ở " + PLACEHOLDER_ADDRESS),
        ("địa chỉ: thôn Đông, xã Hòa Bình", "địa chỉ: " + PLACEHOLDER_ADDRESS),
        ("rác ở ngõ 12 Trần Phú bốc mùi", "rác ở " + PLACEHOLDER_ADDRESS),
        # nothing personal: left alone
        ("làm hộ chiếu ở Hà Nội mất bao lâu", "làm hộ chiếu ở Hà Nội mất bao lâu"),
        ("đăng ký thường trú ở TP Hồ Chí Minh", "đăng ký thường trú ở TP Hồ Chí Minh"),
        ("lệ phí 200.000 đồng, mất 5 ngày", "lệ phí 200.000 đồng, mất 5 ngày"),
        ("con tôi 5 tuổi, năm 2021", "con tôi 5 tuổi, năm 2021"),
        # the invented demo dossiers are public and stay
        ("000.00.30.H56-261115-0012 079203001234", "000.00.30.H56-261115-0012 079203001234"),
    ],
)
def test_what_citizens_type_is_masked(typed: str, masked: str) -> None:
    assert Masker().citizen(typed) == masked


@pytest.mark.parametrize(
    "answering, typed, masked",
    [
        ("applicant_identifier", "1234", "0000"),
        ("applicant_identifier", "4 số cuối là 5678", "4 số cuối là 0000"),
        ("feedback_location", "trước cổng trường tiểu học Kim Đồng", PLACEHOLDER_ADDRESS),
        (None, "1234", "1234"),
    ],
)
def test_answers_to_personal_questions_are_masked_whole(
    answering: str | None, typed: str, masked: str
) -> None:
    assert Masker().citizen(typed, answering=answering) == masked


def test_the_same_number_gets_the_same_stand_in_and_the_bot_echo_is_masked_alike() -> None:
    masker = Masker()

    first = masker.citizen("sđt 0912777888 và 0987111222")
    again = masker.citizen("vẫn là 0912 777 888")
    echoed = masker.bot("Hồ sơ của Trần Thị Hoa, số điện thoại 0912777888.")
    masker.citizen("tên tôi là Trần Thị Hoa")

    assert first == "sđt 0900000001 và 0900000002"
    assert again == "vẫn là 0900000001"
    assert "0912777888" not in echoed
    assert "Trần Thị Hoa" not in masker.bot("Chào chị Trần Thị Hoa")
