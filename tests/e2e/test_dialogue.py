"""End to end through Rasa 3.6 and the current rasa-sdk action server: forms, slot events,
follow-up actions and handoff all cross the action-server protocol here."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Say

pytestmark = pytest.mark.e2e

CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs supplement; CCCD 079203001234
# the handoff answer, in office hours or out of them
HANDED_OVER = r"chuyển cuộc trò chuyện cho cán bộ|ghi nhận yêu cầu gặp cán bộ"


def texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def test_status_form_asks_code_then_identifier_and_answers(say: Say, sender: str) -> None:
    assert "mã hồ sơ" in texts(say(sender, "tra cứu hồ sơ"))
    assert "CCCD" in texts(say(sender, CODE.lower().replace("-", " - ")))

    answer = texts(say(sender, "0912345678"))

    assert CODE in answer
    assert "Cần bổ sung" in answer
    assert "Ngày hẹn trả kết quả" in answer


def test_status_with_the_code_in_the_first_sentence(say: Say, sender: str) -> None:
    assert "CCCD" in texts(say(sender, f"hồ sơ {CODE} của tôi đến đâu rồi"))

    assert "Cần bổ sung" in texts(say(sender, "079203001234"))


def test_wrong_identifier_three_times_ends_politely(say: Say, sender: str) -> None:
    say(sender, "tra cứu hồ sơ")
    say(sender, CODE)
    assert "còn 2 lần thử" in texts(say(sender, "0999999999"))
    # the code is kept and the number asked again; sending the code again asks it again too,
    # keeping the count of tries
    assert "CCCD" in texts(say(sender, CODE))
    assert "còn 1 lần thử" in texts(say(sender, "0999999998"))
    say(sender, CODE)

    assert "sau 3 lần thử" in texts(say(sender, "0999999997"))


def test_third_unsure_message_hands_over_to_staff(say: Say, sender: str) -> None:
    # /nlu_fallback is what the NLU yields when unsure; the third in a row makes the action
    # server answer with a FollowupAction(action_handoff), which Rasa must then run
    # a payload carries no intent ranking, so there is no "did you mean" to offer
    assert "thử hỏi ngắn gọn" in texts(say(sender, "/nlu_fallback"))
    assert "thử hỏi ngắn gọn" in texts(say(sender, "/nlu_fallback"))

    answer = texts(say(sender, "/nlu_fallback"))

    assert re.search(HANDED_OVER, answer)
    assert "chưa hiểu" not in answer  # the handoff is the last word, not another apology


def test_cancel_in_the_middle_of_the_form(say: Say, sender: str) -> None:
    say(sender, "tra cứu hồ sơ")

    assert "đã dừng" in texts(say(sender, "thôi"))
    assert "trợ lý ảo" in texts(say(sender, "xin chào"))  # the bot is free again


def test_a_complaint_in_one_message_is_summarised_then_sent(say: Say, sender: str) -> None:
    summary = texts(say(
        sender,
        "đèn đường trước số 12 đường Mẫu hỏng cả tuần nay, buổi tối rất tối, sđt 0912 345 678",
    ))

    # everything was in the message: the bot asks no more questions, only to confirm
    assert "số 12 đường Mẫu" in summary and "0912345678" in summary
    answer = texts(say(sender, "đúng rồi, gửi đi"))
    code = re.search(r"PA-\d{6}-[A-Z0-9]{6}", answer)
    assert code is not None
    assert "Đã tiếp nhận" in texts(say(sender, f"tra cứu phản ánh {code[0]}"))


def test_ko_inside_a_complaint_does_not_cancel_it(say: Say, sender: str) -> None:
    say(sender, "tôi muốn phản ánh")

    answer = texts(say(sender, "cán bộ một cửa phường quát tháo, ko hướng dẫn gì"))

    assert "đã dừng" not in answer
    assert "xảy ra ở đâu" in answer  # the next question of the form: the description was kept


@pytest.mark.parametrize(
    "message, callback",
    [("cho tôi gặp cán bộ", False), ("cho tôi gặp cán bộ, sđt 0912 345 678", True)],
)
def test_handoff_says_what_happens_next_and_calls_back_only_with_a_number(
    say: Say, sender: str, message: str, callback: bool
) -> None:
    answer = texts(say(sender, message))

    assert re.search(HANDED_OVER, answer)
    if "ngoài giờ làm việc" in answer:  # outside staff hours (depends on the clock)
        assert ("gọi lại cho anh/chị" in answer) is callback
        assert "18001096" in answer


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "😊",
        "👍👍👍",
        "a" * 5000,
        "khai sinh " * 400,
        "<script>alert(1)</script>",
        "'; DROP TABLE procedure; --",
    ],
)
def test_odd_messages_get_a_polite_answer_never_an_error(
    say: Say, sender: str, message: str
) -> None:
    messages = say(sender, message)

    assert all(isinstance(m.get("text", ""), str) for m in messages)
    assert "Traceback" not in texts(messages)


def test_english_gets_vietnamese_and_a_short_english_note(say: Say, sender: str) -> None:
    answer = texts(say(sender, "hello, how do I get a passport? I only speak english"))

    assert "tiếng Việt" in answer
    assert "Sorry" in answer


def test_restart_starts_a_fresh_conversation(say: Say, sender: str) -> None:
    say(sender, "đăng ký khai sinh cần giấy tờ gì")
    say(sender, "/restart")

    # no procedure in focus any more: a follow-up asks which procedure
    assert "thủ tục nào" in texts(say(sender, "lệ phí bao nhiêu?"))


def test_a_procedure_question_leaves_a_status_form_opened_by_mistake(
    say: Say, sender: str
) -> None:
    say(sender, "tra cứu hồ sơ")

    answer = texts(say(sender, "cấp lại cccd bn tiền"))

    assert "đã dừng" in answer
    assert "Lệ phí Cấp lại thẻ căn cước" in answer
