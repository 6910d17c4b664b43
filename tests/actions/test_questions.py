"""Is a message a question: Vietnamese end particles, with and without diacritics."""

from __future__ import annotations

import pytest

from actions.questions import is_question, paper_asked


@pytest.mark.parametrize(
    "text, asks",
    [
        ("hai vợ chồng phải cùng đến à", True),
        ("gui qua email hay goi dien thoai duoc khong", True),
        ("trước đây có xin một lần rồi mà giấy hết hạn thì sao", True),
        ("cần giấy tờ gì", True),
        ("phí bao nhiêu?", True),
        ("chứng thực di chúc ở ủy ban xã hết bao nhiêu tiền", True),
        ("có phải báo công an hông, báo trước mấy giờ", True),
        ("nộp cho công ty hay lên bhxh", True),
        ("khoan, cho hỏi làm tạm trú online hết bao nhiêu tiền", True),
        ("Dạ cho em hỏi khai báo tạm vắng thì phải khai những thông tin gì ạ", True),
        ("vì sao bị trả lại", True),
        # a complaint that holds a question word is still a complaint
        ("tôi nộp hồ sơ bao lâu rồi mà chưa có kết quả", False),
        ("rác ở ngõ 12 không ai thu gom cả tuần", False),
        ("thủ tục xin học bổng du học Nhật", False),
        ("cán bộ một cửa phường quát tháo, ko hướng dẫn gì", False),
        ("đèn đường hỏng cả tuần rồi", False),
    ],
)
def test_a_question_is_told_by_its_end(text: str, asks: bool) -> None:
    assert is_question(text) is asks


@pytest.mark.parametrize(
    "text, telling",
    [
        ("co can mang giay khai sinh ko", {"khai", "sinh"}),
        ("đăng ký kết hôn có cần xin giấy xác nhận độc thân trước không",
         {"xac", "nhan", "doc", "than"}),
        ("có phải nộp sổ hộ khẩu không", {"so", "ho", "khau"}),
        # not a paper: how many copies, or who may submit
        ("có cần mang bản gốc không", None),
        ("có cần giấy ủy quyền không", None),
    ],
)
def test_the_paper_a_yes_no_question_asks_about(text: str, telling: set[str] | None) -> None:
    found = paper_asked(text)
    assert (set(found.telling) if found else None) == telling
