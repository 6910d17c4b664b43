"""A week of conversations with known figures (KPI tests: figures, dashboard, CSV), on any days:
d0 the day before the range, d1 and d2 the range."""

from __future__ import annotations

from datetime import date, datetime

from tests.connectors.admin.tracker_events import VN, Conversation

KHAI_SINH, HO_CHIEU = ("1.001193", "Đăng ký khai sinh"), ("1.001456", "Cấp hộ chiếu")


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN)


def answered(c: Conversation, text: str, intent: str, reply: float, procedure: tuple[str, str]
             ) -> Conversation:
    return (c.user(text, intent).action("action_answer_procedure")
            .bot("utter_procedure_documents", "Giấy tờ ...", after=reply - 0.05)
            .slot("procedure_code", procedure[0]).slot("procedure_name", procedure[1]).listen())


def dialogues(d0: date, d1: date, d2: date) -> list[tuple[str, dict[str, object]]]:
    a = answered(Conversation(at(d1, 9), "socketio"), "đăng ký khai sinh cần giấy tờ gì",
                 "ask_documents", 0.30, KHAI_SINH)
    a.user("cảm ơn", "thank").action("action_thank").bot("utter_thank", "Dạ", after=0.10) \
        .bot("utter_ask_rating", "Anh/chị đánh giá?").slot("rating_asked", True).listen()
    a.user("5", "rate").action("action_save_rating").bot("utter_rating_thanks", "Cảm ơn",
                                                         after=0.15).listen()
    a.new_session(after=86_400)  # the next day, same citizen, a new conversation
    answered(a, "lệ phí làm hộ chiếu", "ask_fee", 0.60, HO_CHIEU)

    b = Conversation(at(d1, 10), "zalo")
    b.user("abc xyz", "nlu_fallback", confidence=0.4).action("action_clarify") \
        .bot("utter_rephrase_suggestions", "Anh/chị hỏi lại", after=0.45).listen()
    b.user("cho tôi gặp cán bộ", "request_human").action("action_handoff") \
        .bot("utter_handoff_available", "Cán bộ sẽ trả lời", after=0.95) \
        .slot("handoff_requested", True).listen()

    c = Conversation(at(d2, 8), "rest")
    c.user("tra cứu hồ sơ", "check_status").action("status_form") \
        .bot("utter_ask_application_code", "Mã hồ sơ?", after=0.15).listen()
    c.user("000.00.30.H56-261115-0012", "inform").action("status_form") \
        .bot("utter_ask_applicant_identifier", "Số CCCD?", after=0.15).listen()
    c.user("0912345678", "inform").action("action_check_status") \
        .bot("utter_status_needs_supplement", "Cần bổ sung", after=0.35) \
        .slot("dossier_status", "needs_supplement").slot("procedure_code", KHAI_SINH[0]) \
        .slot("procedure_name", KHAI_SINH[1]).listen()

    f = Conversation(at(d2, 15), "socketio")
    f.user("đèn đường hỏng", "submit_feedback").action("action_submit_feedback") \
        .bot("utter_feedback_sent", "Đã gửi", after=0.75) \
        .slot("feedback_code", "PA-261111-ABC123").listen()

    e = Conversation(at(d0, 23), "socketio")  # the day before the range
    e.user("xin chào", "greet").action("utter_greet").bot("utter_greet", "Chào", after=0.1)
    return [("a", a.dialogue("a")), ("b", b.dialogue("b")), ("c", c.dialogue("c")),
            ("f", f.dialogue("f")), ("e", e.dialogue("e"))]

