"""Is a message a question: Vietnamese end particles, with and without diacritics."""

from __future__ import annotations

import pytest

from actions.questions import is_question


@pytest.mark.parametrize(
    "text, asks",
    [
        ("hai vợ chồng phải cùng đến à", True),
        ("gui qua email hay goi dien thoai duoc khong", True),
        ("trước đây có xin một lần rồi mà giấy hết hạn thì sao", True),
        ("cần giấy tờ gì", True),
        ("phí bao nhiêu?", True),
        ("thủ tục xin học bổng du học Nhật", False),
        ("cán bộ một cửa phường quát tháo, ko hướng dẫn gì", False),
        ("đèn đường hỏng cả tuần rồi", False),
    ],
)
def test_a_question_is_told_by_its_end(text: str, asks: bool) -> None:
    assert is_question(text) is asks
