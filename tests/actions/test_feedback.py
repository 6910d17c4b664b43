"""Feedback: the form's validation, the tracking code, and looking a feedback up."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions import feedback_parsing as fp
from actions.clients.portal import PortalClient
from actions.feedback import (
    CANCELLED,
    MISREAD,
    SKIPPED,
    SLOTS,
    ActionCheckFeedback,
    ActionSubmitFeedback,
    ValidateFeedbackForm,
)
from tests.actions.conftest import TrackerFactory

pytestmark = pytest.mark.anyio


async def extract(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, intent: str = "inform",
    **slots: Any,
) -> dict[str, Any]:
    """What one message fills in the form (the extraction, then the validation)."""
    dispatcher = CollectingDispatcher()
    t = tracker(text, intent, slots=slots, active_loop="feedback_form")
    events = await ValidateFeedbackForm().run(dispatcher, t, domain)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    "text, intent, filled",
    [
        # the opening message already says what happened: it is the description
        ("đèn đường hỏng cả tuần rồi, tối om", "submit_feedback",
         {"feedback_description": "đèn đường hỏng cả tuần rồi, tối om"}),
        ("tôi muốn phản ánh cán bộ một cửa phường quát tháo, ko hướng dẫn gì", "cancel",
         {"feedback_description": "cán bộ một cửa phường quát tháo, ko hướng dẫn gì"}),
        # several details in one message, in any order
        ("rác ở ngõ 12 phố Huế không ai thu gom cả tuần, sđt 0912 345 678", "submit_feedback",
         {"feedback_description": "rác ở ngõ 12 phố Huế không ai thu gom cả tuần, sđt 0912 345 678",
          "feedback_location": "ngõ 12 phố Huế", "feedback_contact": "0912345678"}),
        # the place named without "ở": a place word and a name
        ("tôi muốn phản ánh đường Trần Phú phường Trung Tâm cứ mưa là ngập nửa bánh xe",
         "submit_feedback", {"feedback_location": "đường Trần Phú phường Trung Tâm"}),
        # only the wish to complain: nothing to fill yet
        ("tôi muốn phản ánh", "submit_feedback", {}),
    ],
)
async def test_details_are_taken_from_whatever_the_citizen_writes(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, intent: str,
    filled: dict[str, Any],
) -> None:
    slots = await extract(tracker, domain, text, intent)

    assert {k: v for k, v in slots.items() if k in filled} == filled
    assert {k for k in slots if k.startswith("feedback_") and slots[k] is not None} >= set(filled)
    assert CANCELLED not in slots.values()


@pytest.mark.parametrize(
    "text, cancels",
    [
        ("thôi", True),
        ("hủy đi em", True),
        ("thôi không gửi nữa", True),
        ("ko", False),
        ("cán bộ ko hướng dẫn gì cả, thôi thì tôi đành về", False),
    ],
)
async def test_only_a_clear_request_to_stop_cancels(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, cancels: bool
) -> None:
    slots = await extract(tracker, domain, text, "cancel", requested_slot="feedback_description")

    assert (slots.get("feedback_confirm") == CANCELLED) is cancels


@pytest.mark.parametrize(
    "requested, text, intent, slot, stored",
    [
        ("feedback_location", "/deny", "deny", "feedback_location", SKIPPED),
        ("feedback_location", "trước cổng chợ Bắc Sơn", "inform", "feedback_location",
         "trước cổng chợ Bắc Sơn"),
        ("feedback_contact", "không", "deny", "feedback_contact", SKIPPED),
        ("feedback_contact", "0912 345 678", "inform", "feedback_contact", "0912345678"),
        ("feedback_confirm", "ok gửi đi", "affirm", "feedback_confirm", "yes"),
    ],
)
async def test_the_question_asked_takes_the_answer(
    tracker: TrackerFactory, domain: dict[str, Any], requested: str, text: str, intent: str,
    slot: str, stored: str,
) -> None:
    slots = await extract(
        tracker, domain, text, intent, requested_slot=requested,
        feedback_description="Đèn đường trước số 12 hỏng một tuần nay",
    )

    assert slots[slot] == stored


async def test_an_invalid_phone_is_asked_again(
    tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("12345", "inform", slots={"requested_slot": "feedback_contact"},
                active_loop="feedback_form")

    events = await ValidateFeedbackForm().run(dispatcher, t, domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_contact"]
    assert not [e for e in events if e.get("name") == "feedback_contact" and e.get("value")]


async def test_a_cancelled_feedback_is_not_sent(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots=dict.fromkeys(SLOTS, CANCELLED))

    await ActionSubmitFeedback(portal).run(dispatcher, t, domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_not_sent"]


async def test_submit_returns_a_tracking_code_that_can_be_looked_up(
    portal: PortalClient, portal_database: str, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(
        slots={
            "feedback_topic": "Đèn đường hỏng",
            "feedback_description": "Đèn đường trước số 12 đường Mẫu hỏng một tuần nay",
            "feedback_location": SKIPPED,
            "feedback_contact": "0912345678",
            "feedback_confirm": "yes",
        }
    )

    await ActionSubmitFeedback(portal).run(dispatcher, t, domain)

    assert dispatcher.messages[0]["response"] == "utter_feedback_received"
    code = dispatcher.messages[0]["tracking_code"]
    assert code.startswith("PA-")

    looked_up = CollectingDispatcher()
    await ActionCheckFeedback(portal).run(
        looked_up, tracker(f"tra cứu phản ánh {code.lower()}", "check_feedback"), domain
    )
    assert looked_up.messages[0]["response"] == "utter_feedback_status"
    assert looked_up.messages[0]["topic"] == "Đèn đường hỏng"
    # the complaint remembers its conversation: erasing the citizen's data finds its contact
    engine = create_engine(portal_database)
    with engine.connect() as db:
        stored = db.execute(
            text("SELECT conversation_id FROM feedback WHERE tracking_code = :c"), {"c": code}
        ).scalar_one()
    engine.dispose()
    assert stored == t.sender_id


@pytest.mark.parametrize(
    "text, response",
    [
        ("tra cứu phản ánh", "utter_ask_feedback_code"),
        ("tra cứu phản ánh PA-261122-ZZZZZZ", "utter_feedback_not_found"),
    ],
)
async def test_lookup_without_or_with_unknown_code(
    portal: PortalClient,
    tracker: TrackerFactory,
    domain: dict[str, Any],
    text: str,
    response: str,
) -> None:
    dispatcher = CollectingDispatcher()

    await ActionCheckFeedback(portal).run(dispatcher, tracker(text, "check_feedback"), domain)

    assert dispatcher.messages[0]["response"] == response


@pytest.mark.parametrize(
    "text, misread",
    [
        ("ba bi mat cai can cuoc cua ba roi, lam lai co mat tien ko", True),
        ("nhà chồng em là nhà bố mẹ chồng đứng tên, có cần bố mẹ chồng ký gì không", True),
        ("cong an co toi nha lam can cuoc dum ko con", True),
        ("vay em can bo sung cai gi, han den bao gio", True),
        ("ko, ý tôi là đổi bằng lái ô tô cơ", True),  # a question restated
        ("đèn đường hỏng cả tuần rồi", False),
        ("cán bộ một cửa phường quát tháo, ko hướng dẫn gì", False),
        ("tôi muốn phản ánh sao hồ sơ chậm thế?", False),
    ],
)
async def test_a_question_taken_for_a_complaint_is_answered_not_filed(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, misread: bool
) -> None:
    slots = await extract(tracker, domain, text, "submit_feedback")

    assert (slots.get("feedback_confirm") == MISREAD) is misread


async def test_a_misread_form_hands_the_question_to_the_procedure_answer(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("ba bi mat can cuoc, lam lai co mat tien ko", slots=dict.fromkeys(SLOTS, MISREAD))

    events = await ActionSubmitFeedback(portal).run(dispatcher, t, domain)

    # answered in place: a follow-up action would end on a step no rule covers (a fallback)
    assert [m["response"] for m in dispatcher.messages][:1] == ["utter_procedure_fee"]
    assert "followup" not in [e.get("event") for e in events]
    assert {"event": "slot", "name": "feedback_confirm", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


@pytest.mark.parametrize(
    "requested, text, intent, aside",
    [
        # a question in passing, once the complaint is told: answered, the form goes on
        ("feedback_location", "à mà cho hỏi đăng ký tạm trú mất mấy ngày", "ask_processing_time",
         True),
        ("feedback_contact", "cho hỏi làm căn cước cho con phí bao nhiêu", "ask_fee", True),
        # the answers to the form's questions
        ("feedback_location", "ở ngõ 5 phố Huế", "ask_office", False),
        ("feedback_contact", "0912 345 678 ạ", "ask_fee", False),
        # the description keeps everything, questions included
        ("feedback_description", "sao hồ sơ của tôi chậm thế, bao giờ mới xong",
         "ask_processing_time", False),
    ],
)
async def test_a_question_in_passing_is_answered_and_the_form_asks_again(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], requested: str,
    text: str, intent: str, aside: bool,
) -> None:
    dispatcher = CollectingDispatcher()
    told = {} if requested == "feedback_description" else {
        "feedback_description": "Đường Trần Phú cứ mưa là ngập nửa bánh xe"}
    t = tracker(text, intent, active_loop="feedback_form",
                slots={"requested_slot": requested, **told})

    events = await ValidateFeedbackForm(portal).run(dispatcher, t, domain)

    filled = {e["name"] for e in events if e.get("event") == "slot" and e.get("value")}
    answered = [m["response"] for m in dispatcher.messages if m["response"].startswith(
        "utter_procedure_")]
    assert bool(answered) is aside
    assert (not filled & set(SLOTS)) is aside


TOLD = "Đường Trần Phú cứ mưa là ngập nửa bánh xe"


@pytest.mark.parametrize(
    "text, intent, contact, described, said",
    [
        # more of what happened, or a second complaint: kept, and the phone is asked again
        ("cán bộ còn đòi 200 nghìn mới làm cho", "submit_feedback", None, True,
         ["utter_feedback_added"]),
        ("ngoài ra cống đầu ngõ cũng tắc mấy hôm nay", "inform", None, True,
         ["utter_feedback_added"]),
        # no phone, said in words: the complaint goes on without one
        ("ko muốn để lại số", "inform", SKIPPED, False, []),
        ("em không có số đâu", "deny", SKIPPED, False, []),
        ("bỏ qua", "inform", SKIPPED, False, []),
        # neither: nothing is filled and nothing is called wrong; the question comes again
        ("ok", "affirm", None, False, []),
        # a mistyped number is called wrong
        ("0912 345", "inform", None, False, ["utter_invalid_contact"]),
    ],
)
async def test_words_at_the_phone_question_never_hold_the_citizen_there(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str,
    intent: str, contact: str | None, described: bool, said: list[str],
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(text, intent, active_loop="feedback_form",
                slots={"requested_slot": "feedback_contact", "feedback_description": TOLD})

    events = await ValidateFeedbackForm(portal).run(dispatcher, t, domain)

    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("feedback_contact") == contact
    assert slots.get("feedback_description") == (f"{TOLD}\n{text}" if described else None)
    assert [m["response"] for m in dispatcher.messages] == said


async def test_a_question_at_the_phone_step_is_answered_even_when_the_nlu_is_unsure(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("cho mình hỏi đăng ký tạm trú mất mấy ngày", "nlu_fallback",
                active_loop="feedback_form",
                slots={"requested_slot": "feedback_contact", "feedback_description": TOLD})

    events = await ValidateFeedbackForm(portal).run(dispatcher, t, domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_procedure_time"]
    assert not {e["name"] for e in events if e.get("event") == "slot"} & set(SLOTS)


async def test_after_two_mistyped_phones_the_complaint_goes_on_without_one(
    tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    said_wrong = {"event": "bot", "text": "Số điện thoại chưa đúng",
                  "metadata": {"utter_action": "utter_invalid_contact"}}
    opened = {"event": "active_loop", "name": "feedback_form"}
    dispatcher = CollectingDispatcher()
    t = tracker("09123", "inform", active_loop="feedback_form",
                slots={"requested_slot": "feedback_contact", "feedback_description": TOLD},
                events=[said_wrong, opened, said_wrong, said_wrong])

    events = await ValidateFeedbackForm().run(dispatcher, t, domain)

    assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"}[
        "feedback_contact"] == SKIPPED
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_without_contact"]


async def test_a_phone_given_at_the_summary_replaces_the_skipped_one(
    tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    slots = await extract(tracker, domain, "0912 000 111", requested_slot="feedback_confirm",
                          feedback_description=TOLD, feedback_location=SKIPPED,
                          feedback_contact=SKIPPED)

    assert slots["feedback_contact"] == "0912000111"
    assert slots.get("feedback_description") is None  # not added to what happened
    assert slots["feedback_confirm"] is None  # the summary is shown again, with the phone


DESCRIPTION = "rác thải không được thu gom ba ngày nay, bốc mùi"
# What the citizen has told when each step is asked.
TOLD_BEFORE = {
    "feedback_description": {},
    "feedback_location": {"feedback_description": DESCRIPTION},
    "feedback_contact": {"feedback_description": DESCRIPTION, "feedback_location": "ngõ 12"},
    "feedback_confirm": {"feedback_description": DESCRIPTION, "feedback_location": "ngõ 12",
                         "feedback_contact": "0912345678"},
}


@pytest.mark.parametrize("text", ["bỏ qua", "Bỏ qua", "bo qua buoc nay", "thôi bỏ qua đi"])
@pytest.mark.parametrize(
    "step, filled",
    [
        # required: asked again, nothing of the complaint lost or changed
        ("feedback_description", {"feedback_description": None}),
        # optional: skipped
        ("feedback_location", {"feedback_location": SKIPPED}),
        ("feedback_contact", {"feedback_contact": SKIPPED}),
        # required: the summary is shown again, the description keeps its words
        ("feedback_confirm", {"feedback_confirm": None}),
    ],
)
async def test_bo_qua_skips_an_optional_step_and_never_drops_the_complaint(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, step: str,
    filled: dict[str, Any],
) -> None:
    # the NLU reads "bỏ qua" as `cancel` (one of that intent's examples)
    dispatcher = CollectingDispatcher()
    t = tracker(text, "cancel", slots={**TOLD_BEFORE[step], "requested_slot": step},
                active_loop="feedback_form")

    events = await ValidateFeedbackForm().run(dispatcher, t, domain)

    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots == filled  # a slot event: the form goes on (a rejected form would be cancelled)
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "text, step",
    [
        ("hủy phản ánh", "feedback_location"),
        ("huy phan anh", "feedback_contact"),
        ("hủy phản ánh đang nhập", "feedback_confirm"),
        ("thôi", "feedback_location"),
    ],
)
async def test_an_explicit_cancel_still_cancels(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, step: str
) -> None:
    slots = await extract(tracker, domain, text, "cancel", **TOLD_BEFORE[step],
                          requested_slot=step)

    assert slots["feedback_confirm"] == CANCELLED


@pytest.mark.parametrize(
    "text, step, slot, stored",
    [
        ("rác\x00 thải không được thu gom\x1b ba ngày nay", "feedback_description",
         "feedback_description", "rác thải không được thu gom ba ngày nay"),
        ("ngõ\x00 12\x07 phố Huế", "feedback_location", "feedback_location", "ngõ 12 phố Huế"),
        ("rác không ai thu gom\r\ncả tuần\tnay", "feedback_description",
         "feedback_description", "rác không ai thu gom\ncả tuần\tnay"),
    ],
)
async def test_control_characters_never_reach_a_slot(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, step: str, slot: str,
    stored: str,
) -> None:
    slots = await extract(tracker, domain, text, "inform", **TOLD_BEFORE[step],
                          requested_slot=step)

    assert slots[slot] == stored


async def test_submit_sends_no_control_characters(
    tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    sent: dict[str, Any] = {}

    class Portal:
        async def locality(self) -> None:
            return None

        async def create_feedback(self, **fields: Any) -> Any:
            sent.update(fields)
            return type("Receipt", (), {"tracking_code": "PA-261129-ABCDEF"})()

    t = tracker(slots={
        "feedback_topic": "Rác\x00 thải", "feedback_description": DESCRIPTION + "\x00\x7f",
        "feedback_location": "ngõ\x00 12", "feedback_contact": SKIPPED, "feedback_confirm": "yes",
    })

    await ActionSubmitFeedback(Portal()).run(CollectingDispatcher(), t, domain)  # type: ignore[arg-type]

    assert (sent["topic"], sent["description"], sent["location"], sent["contact_phone"]) == (
        "Rác thải", DESCRIPTION, "ngõ 12", None
    )


STORY = "Cán bộ một cửa phường quát tháo"


@pytest.mark.parametrize(
    "text, location, added",
    [
        # an address, with or without a cue word: the place
        ("ngõ 12 phố Hàng Bông, phường Hàng Gai, quận Hoàn Kiếm", "ngõ 12 phố Hàng Bông, phường "
         "Hàng Gai, quận Hoàn Kiếm", False),
        ("trước cổng trường tiểu học Kim Đồng có nhiều xe đỗ", "trước cổng trường tiểu học Kim "
         "Đồng có nhiều xe đỗ", False),
        ("UBND phường 5", "UBND phường 5", False),
        # a go-ahead at the place question: no place, nothing added
        ("đúng rồi, gửi đi", SKIPPED, False),
        ("có, ở chợ Bắc Sơn", "có, ở chợ Bắc Sơn", False),  # a yes that names a place
        # the citizen goes on with the story: kept in the description, the place asked again
        ("cán bộ còn bắt tôi chờ cả buổi sáng rồi bảo về mai quay lại", None, True),
        # the story names the place: it answers the question too
        ("lúc tôi nộp hồ sơ khai sinh cho con tại phường Tân Mai thì cán bộ đòi thêm tiền",
         "phường Tân Mai", True),
    ],
)
async def test_the_story_told_at_the_place_question_is_not_taken_for_the_place(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, location: str | None,
    added: bool,
) -> None:
    slots = await extract(tracker, domain, text, "inform", requested_slot="feedback_location",
                          feedback_description=STORY)

    assert slots.get("feedback_location") == location
    assert slots.get("feedback_description") == (f"{STORY}\n{text}" if added else None)


@pytest.mark.parametrize(
    "text, place",
    [
        ("den duong hong o phuong, toi om ca tuan", None),  # a place word alone is no place
        ("rác ở chợ", None),
        ("rác ở cổng chợ Bắc Sơn", "cổng chợ Bắc Sơn"),
        ("phản ánh đường Trần Phú phường Trung Tâm cứ mưa là ngập",
         "đường Trần Phú phường Trung Tâm"),
    ],
)
def test_the_place_of_a_complaint_names_a_place(text: str, place: str | None) -> None:
    assert fp.find_place(text) == place
