"""After asking for staff, the number to call back as citizens type it ("09o3 111 222", "O912 345
678"): taken as a phone whichever action the NLU chose, never read as a question; a number that
cannot be a mobile one is asked again."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PortalAction
from actions.clients.portal import PortalClient
from actions.conversation import ActionClarify, ActionOutOfScope
from actions.handoff import ActionHandoff, ActionHandoffContact
from actions.procedures import ActionAnswerProcedure
from tests.actions.conftest import TrackerFactory, _portal_on

pytestmark = pytest.mark.anyio

# Sunday 23:00 in Vietnam: no officer on duty, so a call-back is what is promised
SUNDAY_NIGHT = datetime(2026, 11, 29, 16, 0, tzinfo=timezone.utc)

TYPED_WITH_O = [
    ("09o3 111 222", "0903111222"),
    ("O912 345 678", "0912345678"),
    ("số của tôi là o987.654.321 nhé", "0987654321"),
]
LANDINGS: list[tuple[type[PortalAction], str]] = [
    (ActionAnswerProcedure, "inform"),
    (ActionAnswerProcedure, "ask_procedure"),
    (ActionClarify, "nlu_fallback"),
    (ActionOutOfScope, "out_of_scope"),
]


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


@pytest.mark.parametrize("action, intent", LANDINGS)
@pytest.mark.parametrize("typed", [t for t, _ in TYPED_WITH_O] + ["0912 345 67"])
async def test_a_number_after_asking_for_staff_goes_to_the_call_back_whatever_the_intent(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any],
    action: type[PortalAction], intent: str, typed: str,
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(typed, intent, slots={"handoff_requested": True},
                ranking=[(intent, 0.5), ("inform", 0.3)])

    events = await action(portal).run(dispatcher, t, domain)

    assert followups(events) == ["action_handoff_contact"]
    assert dispatcher.messages == []  # no answer about a procedure, no "ý anh/chị là"


@pytest.mark.parametrize("typed", ["O912 345 678", "0912 345 67"])
async def test_without_a_request_for_staff_a_number_is_not_a_call_back(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], typed: str
) -> None:
    events = await ActionAnswerProcedure(portal).run(
        CollectingDispatcher(), tracker(typed, "inform"), domain
    )

    assert "action_handoff_contact" not in followups(events)


@pytest.mark.parametrize("typed, phone", TYPED_WITH_O)
async def test_the_call_back_number_is_read_with_the_letter_o_as_zero(
    tracker: TrackerFactory, domain: dict[str, Any], portal_database: str, typed: str,
    phone: str,
) -> None:
    dispatcher = CollectingDispatcher()
    async with _portal_on(portal_database, now=SUNDAY_NIGHT) as portal:
        events = await ActionHandoffContact(portal).run(
            dispatcher, tracker(typed, "inform", slots={"handoff_requested": True}), domain
        )

    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_call_back"]
    assert dispatcher.messages[0]["phone"] == phone
    assert {"event": "slot", "timestamp": None, "name": "handoff_phone", "value": phone} in events


@pytest.mark.parametrize("typed", ["0912 345 67", "0123 456 789", "số em là 091 234 56789"])
async def test_a_number_that_is_no_mobile_number_is_asked_again_not_called(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], typed: str
) -> None:
    dispatcher = CollectingDispatcher()

    events = await ActionHandoffContact(portal).run(
        dispatcher, tracker(typed, "inform", slots={"handoff_requested": True}), domain
    )

    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_phone_check"]
    assert not [e for e in events if e.get("name") == "handoff_phone"]
    text = domain["responses"]["utter_handoff_phone_check"][0]["text"]
    assert "{phone}" in text and "10 chữ số" in text


# Monday 10:00 in Vietnam: an officer is on duty and answers in the chat
MONDAY_MORNING = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)


async def test_in_office_hours_the_citizen_also_hears_the_hotline(
    tracker: TrackerFactory, domain: dict[str, Any], portal_database: str
) -> None:
    dispatcher = CollectingDispatcher()
    async with _portal_on(portal_database, now=MONDAY_MORNING) as portal:
        await ActionHandoff(portal).run(
            dispatcher, tracker("cho tôi gặp cán bộ", "request_human"), domain
        )

    [message] = dispatcher.messages
    assert (message["response"], message.get("support_hotline")) == (
        "utter_handoff_available", "18001096"
    )
