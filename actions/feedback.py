"""Feedback and complaints (phản ánh, kiến nghị): a form, a tracking code, and status look-ups."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import PortalAction
from actions.clients.portal import NotFound
from actions.parsing import find_feedback_code, format_date, normalize_phone

# Optional answers the citizen skipped ("Bỏ qua" button or "không").
SKIPPED = "-"
MIN_DESCRIPTION = 10
SKIP_INTENTS = {"deny"}
SLOTS = ("feedback_topic", "feedback_description", "feedback_location", "feedback_contact")


def _skipped(tracker: Tracker) -> bool:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return intent in SKIP_INTENTS


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    def validate_feedback_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"feedback_topic": text[:200] if text else None}

    def validate_feedback_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < MIN_DESCRIPTION:
            dispatcher.utter_message(response="utter_feedback_too_short")
            return {"feedback_description": None}
        return {"feedback_description": text[:4000]}

    def validate_feedback_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if _skipped(tracker) or not text or text.startswith("/"):
            return {"feedback_location": SKIPPED}
        return {"feedback_location": text[:500]}

    def validate_feedback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if _skipped(tracker) or not text or text.startswith("/"):
            return {"feedback_contact": SKIPPED}
        phone = normalize_phone(text)
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"feedback_contact": None}
        return {"feedback_contact": phone}


class ActionSubmitFeedback(PortalAction):
    def name(self) -> str:
        return "action_submit_feedback"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        def optional(slot: str) -> str | None:
            value = tracker.get_slot(slot)
            return None if value in (None, SKIPPED) else str(value)

        receipt = await self.portal.create_feedback(
            topic=str(tracker.get_slot("feedback_topic") or ""),
            description=str(tracker.get_slot("feedback_description") or ""),
            location=optional("feedback_location"),
            contact_phone=optional("feedback_contact"),
        )
        dispatcher.utter_message(
            response="utter_feedback_received", tracking_code=receipt.tracking_code
        )
        return [*(SlotSet(s, None) for s in SLOTS), SlotSet("feedback_code", receipt.tracking_code)]


class ActionCheckFeedback(PortalAction):
    def name(self) -> str:
        return "action_check_feedback"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = find_feedback_code(tracker.latest_message.get("text") or "")
        if code is None:
            entity = next(tracker.get_latest_entity_values("feedback_code"), None)
            code = find_feedback_code(entity or "") if entity else None
        if code is None:
            dispatcher.utter_message(response="utter_ask_feedback_code")
            return []
        try:
            status = await self.portal.feedback(code)
        except NotFound:
            dispatcher.utter_message(response="utter_feedback_not_found", tracking_code=code)
            return []
        dispatcher.utter_message(
            response="utter_feedback_status",
            tracking_code=status.tracking_code,
            topic=status.topic,
            status_label=status.status_label,
            created=format_date(status.created_at),
        )
        if status.response:
            dispatcher.utter_message(
                response="utter_feedback_response", response_text=status.response
            )
        return [SlotSet("feedback_code", status.tracking_code)]
