"""Clarification tiers, cancelling, thanks with a one-time rating, handoff to staff."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient
from actions.conversation import (
    ActionCancelForm,
    ActionClarify,
    ActionOutOfScope,
    ActionSaveRating,
    ActionThank,
    rating_from,
)
from actions.handoff import ActionHandoff, ActionHandoffContact
from actions.procedures import ActionAnswerProcedure
from tests.actions.conftest import TrackerFactory, _portal_on

pytestmark = pytest.mark.anyio


def fallback_turns(n: int, reply: str = "utter_clarify") -> list[dict[str, Any]]:
    """A greeting, then n unsure messages; each earlier one got ``reply``."""
    turn = {"event": "user", "text": "???", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    answered = {"event": "bot", "text": "...", "metadata": {"utter_action": reply}}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "xin chào", "parse_data": {"intent": {"name": "greet"}}}
    ]
    for i in range(n):
        events.append(dict(turn))
        if i < n - 1:
            events.append(dict(answered))
    return events


async def test_first_unsure_message_offers_the_likely_intents(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(
        "phi lam cai do",
        "nlu_fallback",
        events=fallback_turns(1),
        ranking=[("nlu_fallback", 0.4), ("ask_fee", 0.3), ("greet", 0.2), ("ask_documents", 0.1)],
    )

    await ActionClarify(portal).run(dispatcher, t, domain)

    assert dispatcher.messages[0]["response"] == "utter_clarify"
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Hỏi lệ phí", "Hỏi giấy tờ cần mang", "Không phải các ý trên"]
    assert len(titles) <= 5


async def test_second_unsure_message_shows_how_to_ask(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient
) -> None:
    dispatcher = CollectingDispatcher()

    await ActionClarify(portal).run(
        dispatcher, tracker("??", "nlu_fallback", events=fallback_turns(2)), domain
    )

    assert dispatcher.messages[0]["response"] == "utter_rephrase_suggestions"


async def test_third_unsure_message_goes_to_an_officer(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient
) -> None:
    events = await ActionClarify(portal).run(
        CollectingDispatcher(), tracker("??", "nlu_fallback", events=fallback_turns(3)), domain
    )

    assert {"event": "followup", "timestamp": None, "name": "action_handoff"} in events


async def test_unsure_messages_answered_from_their_words_do_not_count_towards_a_person(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("??", "nlu_fallback", events=fallback_turns(3, reply="utter_procedure_fee"),
                ranking=[("nlu_fallback", 0.4), ("ask_fee", 0.3)])

    await ActionClarify(portal).run(dispatcher, t, domain)

    assert dispatcher.messages[0]["response"] == "utter_clarify"


@pytest.mark.parametrize(
    "text, focus, expected",
    [
        # the NLU was unsure; the words ask about the procedure in focus
        ("ủy quyền cho em gái xin hộ đc ko", "1.001193", "utter_procedure_requesters"),
        ("uy quyen cho em gai xin ho dc ko", "1.001193", "utter_procedure_requesters"),
        # ... or name a procedure outright
        ("đăng ký khai sinh cho con thì lệ phí thế nào", None, "utter_procedure_fee"),
        # ... or ask what a sentence of the record in focus answers
        ("ảnh có được đeo kính ko", "1.001456", "utter_procedure_passages"),
        # ... or nothing clear: "ý anh/chị là...?"
        ("phi lam cai do", None, "utter_clarify"),
    ],
)
async def test_an_unsure_message_is_answered_when_its_words_are_clear(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient,
    text: str, focus: str | None, expected: str,
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(text, "nlu_fallback", slots={"procedure_code": focus},
                events=fallback_turns(1), ranking=[("nlu_fallback", 0.4), ("ask_fee", 0.3)])

    await ActionClarify(portal).run(dispatcher, t, domain)

    assert dispatcher.messages[0]["response"] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("giá vàng hôm nay bao nhiêu", "utter_out_of_scope"),
        # a penalty is no procedure, but the citizen gets the hotline and staff
        ("vuot den do xe may bi phat bao nhieu tien vay", "utter_cannot_answer"),
        # a procedure named outright is answered, whatever the NLU thought
        ("toi di xuat khau lao dong 2 nam thi co phai khai bao tam vang ko",
         "utter_procedure_overview"),
    ],
)
async def test_out_of_scope_still_answers_what_the_words_name(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient, text: str,
    expected: str,
) -> None:
    dispatcher = CollectingDispatcher()

    await ActionOutOfScope(portal).run(dispatcher, tracker(text, "out_of_scope"), domain)

    assert dispatcher.messages[0]["response"] == expected


async def test_a_question_about_the_dossier_just_looked_up_is_answered_from_it(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient
) -> None:
    dispatcher = CollectingDispatcher()
    looked_up = {"procedure_code": "1.001612", "dossier_procedure": "1.001612",
                 "dossier_status": "returned"}

    await ActionOutOfScope(portal).run(
        dispatcher, tracker("vì sao bị trả lại", "out_of_scope", slots=looked_up), domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_status_returned_again"]


@pytest.mark.parametrize(
    "text, status, expected",
    [
        # what now: the next step this dossier's status calls for
        ("vậy giờ e phải làm gì tiếp", "needs_supplement", "utter_status_supplement_again"),
        ("vậy giờ e phải làm gì tiếp", "done", "utter_status_pickup_again"),
        ("vậy giờ e phải làm gì tiếp", "overdue", "utter_status_agency_again"),
        # what it needs and what it is
        ("có phải bổ sung giấy tờ gì không", "in_progress", "utter_status_no_supplement"),
        ("hồ sơ này là thủ tục gì nhỉ, tôi quên mất", "in_progress",
         "utter_status_procedure_again"),
    ],
)
async def test_questions_right_after_a_look_up_are_answered_from_the_dossier(
    tracker: TrackerFactory, domain: dict[str, Any], portal: PortalClient, text: str,
    status: str, expected: str,
) -> None:
    dispatcher = CollectingDispatcher()
    looked_up = {"procedure_code": "1.004859", "dossier_procedure": "1.004859",
                 "dossier_status": status, "procedure_name": "Cải chính hộ tịch",
                 "dossier_supplement": "Bản chính giấy tờ chứng minh"
                 if status == "needs_supplement" else None}

    await ActionAnswerProcedure(portal).run(
        dispatcher, tracker(text, "ask_procedure", slots=looked_up), domain)

    assert [m["response"] for m in dispatcher.messages] == [expected]


async def test_cancel_forgets_what_the_forms_collected(
    tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()

    events = await ActionCancelForm().run(dispatcher, tracker("thôi", "cancel"), domain)

    assert dispatcher.messages[0]["response"] == "utter_form_cancelled"
    assert {"application_code", "feedback_description"} <= {e["name"] for e in events}


@pytest.mark.parametrize(
    "history, asked_before, expected",
    [
        ([], False, ["utter_thank"]),
        (
            [{"event": "action", "name": "action_answer_procedure"}],
            False,
            ["utter_thank", "utter_ask_rating"],
        ),
        ([{"event": "action", "name": "action_answer_procedure"}], True, ["utter_thank"]),
    ],
)
async def test_thanks_asks_for_a_rating_once_after_something_was_resolved(
    tracker: TrackerFactory,
    domain: dict[str, Any],
    history: list[dict[str, Any]],
    asked_before: bool,
    expected: list[str],
) -> None:
    dispatcher = CollectingDispatcher()

    await ActionThank().run(
        dispatcher,
        tracker("cảm ơn", "thank", events=history, slots={"rating_asked": asked_before}),
        domain,
    )

    assert [m["response"] for m in dispatcher.messages] == expected


@pytest.mark.parametrize(
    "entity, text, score",
    [
        ("5", "/rate", 5),
        (None, "rất hài lòng", 5),
        (None, "chưa hài lòng lắm", 2),
        (None, "hài lòng", 4),
        (None, "3", 3),
        (None, "hmm", None),
        ("9", "", None),
    ],
)
def test_rating_from_buttons_and_words(entity: str | None, text: str, score: int | None) -> None:
    assert rating_from(entity, text) == score


async def test_rating_is_saved(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()

    await ActionSaveRating(portal).run(
        dispatcher, tracker("/rate", "rate", {"rating": "4"}), domain
    )

    assert dispatcher.messages[0]["response"] == "utter_rating_thanks"


async def test_handoff_flags_the_conversation_and_says_what_happens(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    history = [
        {
            "event": "user",
            "text": "hồ sơ của tôi bị trả lại vì sao",
            "parse_data": {"intent": {"name": "check_status"}},
        }
    ]

    events = await ActionHandoff(portal).run(
        dispatcher, tracker("cho tôi gặp cán bộ", "request_human", events=history), domain
    )

    assert dispatcher.messages[0]["response"] in {
        "utter_handoff_available",
        "utter_handoff_unavailable",
    }
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "handoff_requested",
        "value": True,
    } in events


# Sunday 23:00 in Vietnam: no officer on duty on any calendar, so a call-back is what is promised
_SUNDAY_NIGHT = datetime(2026, 11, 29, 16, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("second_request", "called_back_on"),
    [
        ("cho tôi gặp cán bộ lần nữa", "0912345678"),  # the number left before
        ("gặp cán bộ, số mới của tôi 0987654321", "0987654321"),  # a new number wins
    ],
)
async def test_a_second_handoff_request_keeps_the_number_left_before(
    tracker: TrackerFactory, domain: dict[str, Any], portal_database: str,
    second_request: str, called_back_on: str,
) -> None:
    async with _portal_on(portal_database, now=_SUNDAY_NIGHT) as portal:
        first = CollectingDispatcher()
        left = await ActionHandoffContact(portal).run(
            first, tracker("0912345678", "inform", slots={"handoff_requested": True}), domain
        )
        assert {"event": "slot", "timestamp": None, "name": "handoff_phone",
                "value": "0912345678"} in left

        again = CollectingDispatcher()
        events = await ActionHandoff(portal).run(
            again,
            tracker(second_request, "request_human",
                    slots={"handoff_requested": True, "handoff_phone": "0912345678"}),
            domain,
        )

    assert [m["response"] for m in again.messages] == ["utter_handoff_call_back"]
    assert again.messages[0]["phone"] == called_back_on
    assert {"event": "slot", "timestamp": None, "name": "handoff_phone",
            "value": called_back_on} in events
