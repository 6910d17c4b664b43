"""Feedback: the form's validation, the tracking code, and looking a feedback up."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient
from actions.feedback import (
    SKIPPED,
    ActionCheckFeedback,
    ActionSubmitFeedback,
    ValidateFeedbackForm,
)
from tests.actions.conftest import TrackerFactory

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "slot, typed, intent, stored",
    [
        ("feedback_description", "hỏng", "inform", None),
        (
            "feedback_description",
            "Đèn đường trước số 12 hỏng một tuần nay",
            "inform",
            "Đèn đường trước số 12 hỏng một tuần nay",
        ),
        ("feedback_location", "/deny", "deny", SKIPPED),
        ("feedback_location", "số 12 đường Mẫu", "inform", "số 12 đường Mẫu"),
        ("feedback_contact", "không", "deny", SKIPPED),
        ("feedback_contact", "0912 345 678", "inform", "0912345678"),
        ("feedback_contact", "12345", "inform", None),
    ],
)
def test_validation(
    tracker: TrackerFactory,
    domain: dict[str, Any],
    slot: str,
    typed: str,
    intent: str,
    stored: str | None,
) -> None:
    validate = getattr(ValidateFeedbackForm(), f"validate_{slot}")

    result = validate(typed, CollectingDispatcher(), tracker(typed, intent), domain)

    assert result == {slot: stored}


async def test_submit_returns_a_tracking_code_that_can_be_looked_up(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(
        slots={
            "feedback_topic": "Đèn đường hỏng",
            "feedback_description": "Đèn đường trước số 12 đường Mẫu hỏng một tuần nay",
            "feedback_location": SKIPPED,
            "feedback_contact": "0912345678",
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
