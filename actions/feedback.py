"""Feedback and complaints (phản ánh, kiến nghị): a form, a tracking code, and status look-ups."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import feedback_parsing as fp
from actions.base import PortalAction
from actions.clients.portal import NotFound, PortalClient
from actions.parsing import find_feedback_code, format_date
from actions.procedures import ActionAnswerProcedure

# Optional answers the citizen skipped ("Bỏ qua" button or "không").
SKIPPED = "-"
# The citizen asked to stop: every slot gets this so the form completes, and nothing is sent.
CANCELLED = "__cancelled__"
# The form was opened by a question the NLU took for a complaint: it ends and the question is
# answered as the procedure question it is.
MISREAD = "__question__"
SKIP_INTENTS = {"deny"}
SLOTS = (
    "feedback_topic", "feedback_description", "feedback_location", "feedback_contact",
    "feedback_confirm",
)
REQUIRED = ("feedback_description", "feedback_location", "feedback_contact", "feedback_confirm")
# A question asked in passing once the complaint is told ("à mà cho hỏi tạm trú mất mấy ngày")
# is answered, and the form asks its question again; the description step keeps everything.
QUESTION_INTENTS = {
    "ask_procedure", "ask_documents", "ask_fee", "ask_processing_time", "ask_office", "ask_online",
}
QUESTION_SURE = 0.8
ASIDE_STEPS = {"feedback_location", "feedback_contact", "feedback_confirm"}
# A mistyped phone is asked again this many times; then the complaint goes on without one, so
# that a citizen is never held at the phone question.
PHONE_TRIES = 2


def _latest(tracker: Tracker) -> tuple[str, str | None]:
    # control characters (a NUL typed or pasted) never reach a slot, the summary or the portal
    text = fp.clean_text(str(tracker.latest_message.get("text") or "")).strip()
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return text, intent


def _skipping(text: str, intent: str | None) -> bool:
    """The "Bỏ qua" button, a typed "bỏ qua", or a short "không"."""
    return (
        text == "/deny" or fp.is_skip(text)
        or (intent in SKIP_INTENTS and len(text.split()) <= 3)
    )


def _phone_tries(tracker: Tracker) -> int:
    """How many times this form has already said the phone was not right."""
    tries = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop":
            break
        if event.get("event") == "bot" and (
            (event.get("metadata") or {}).get("utter_action") == "utter_invalid_contact"
        ):
            tries += 1
    return tries


class ValidateFeedbackForm(FormValidationAction):
    """Details in any order, several from one message: the place, the phone and what happened.

    Slots are filled by these ``extract_*`` methods (custom mappings), never by "whatever the
    citizen types next", so a phone number typed with the description fills the contact, and
    "ko" inside a description is part of it. Only a short, clear "thôi"/"hủy" stops the form.
    """

    def __init__(self, portal: PortalClient | None = None) -> None:
        self._portal = portal

    def name(self) -> str:
        return "validate_feedback_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return list(REQUIRED)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not self._aside(tracker):
            events: list[EventType] = await super().run(dispatcher, tracker, domain)
            return events
        answered = await ActionAnswerProcedure(self._portal).run(dispatcher, tracker, domain)
        # the answer's focus is kept; nothing of the form changes, so it asks its question again
        return [e for e in answered if e.get("event") == "slot"]

    @staticmethod
    def _aside(tracker: Tracker) -> bool:
        text, intent = _latest(tracker)
        sure = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        step = tracker.get_slot("requested_slot")
        if (
            step not in ASIDE_STEPS or not fp.is_question_not_complaint(text)
            or fp.find_contact(text) is not None or fp.find_place(text) is not None
        ):
            return False
        if step != "feedback_confirm" and not (
            fp.tries_a_number(text) or fp.leaves_no_phone(text) or _skipping(text, intent)
        ):
            # a question, not a place or a phone, whatever the NLU made of it; at the last step
            # words join the complaint unless the NLU is sure of the question
            return True
        return intent in QUESTION_INTENTS and sure >= QUESTION_SURE

    def _cancelled(self, tracker: Tracker) -> bool:
        text, _intent = _latest(tracker)
        return text == "/cancel" or fp.is_stop(text)

    async def extract_feedback_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if self._cancelled(tracker):
            return dict.fromkeys(SLOTS, CANCELLED)
        text, _intent = _latest(tracker)
        opening = tracker.get_slot("requested_slot") is None and not any(
            tracker.get_slot(s) for s in SLOTS
        )
        if opening and (fp.is_question_not_complaint(text) or fp.is_correction(text)):
            return dict.fromkeys(SLOTS, MISREAD)
        current = tracker.get_slot("feedback_description")
        requested = tracker.get_slot("requested_slot")
        if text.startswith("/") or not text:
            return {}
        if requested == "feedback_description" and fp.is_skip(text):
            # the description cannot be skipped: asked again (an empty value, so that the form
            # is not rejected and the NLU's `cancel` for "bỏ qua" never drops the complaint)
            return {"feedback_description": None}
        if current in (None, CANCELLED) and (requested == "feedback_description"
                                              or fp.has_content(text)):
            return {"feedback_description": fp.complaint_body(text) or text}
        if requested == "feedback_confirm" and fp.tries_a_number(text) and fp.find_contact(text):
            # the phone, given after all: it goes to the contact, and the summary comes again
            return {"feedback_confirm": None}
        if requested == "feedback_confirm" and not fp.is_yes(text) and not _skipping(text, None):
            # more details before sending: they join the description
            return {"feedback_description": f"{current}\n{text}", "feedback_confirm": None}
        if requested == "feedback_contact" and current and self._more_details(tracker):
            dispatcher.utter_message(response="utter_feedback_added")
            return {"feedback_description": f"{current}\n{text}"}
        if requested == "feedback_location" and current and self._story_at_place(tracker):
            # the citizen went on telling what happened: it is kept, and the place asked again
            # (or taken from it, when the story names one)
            dispatcher.utter_message(response="utter_feedback_added")
            return {"feedback_description": f"{current}\n{text}"}
        return {}

    @staticmethod
    def _story_at_place(tracker: Tracker) -> bool:
        text, intent = _latest(tracker)
        return (
            not text.startswith("/") and not _skipping(text, intent)
            and fp.tells_what_happened(text)
        )

    @staticmethod
    def _more_details(tracker: Tracker) -> bool:
        """Words at the phone question that tell more of what happened (or a second complaint)."""
        text, intent = _latest(tracker)
        return not (
            fp.tries_a_number(text) or fp.leaves_no_phone(text) or _skipping(text, intent)
        ) and fp.adds_to_complaint(text)

    async def extract_feedback_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, intent = _latest(tracker)
        if tracker.get_slot("feedback_location") is not None or self._cancelled(tracker):
            return {}
        if tracker.get_slot("requested_slot") == "feedback_location":
            if _skipping(text, intent) or fp.only_says_send(text):
                # "đúng rồi, gửi đi": the citizen has nothing more to add; no place is a place
                return {"feedback_location": SKIPPED}
            if self._story_at_place(tracker):
                place = fp.find_place(text)  # the story may name the place: then it is answered
                return {"feedback_location": place} if place else {}
            return {"feedback_location": text} if text and not text.startswith("/") else {}
        place = fp.find_place(text)
        return {"feedback_location": place} if place else {}

    async def extract_feedback_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, intent = _latest(tracker)
        if tracker.get_slot("feedback_contact") not in (None, SKIPPED) or self._cancelled(tracker):
            return {}
        phone = fp.find_contact(text)
        if phone:
            return {"feedback_contact": phone}
        if tracker.get_slot("requested_slot") != "feedback_contact" or tracker.get_slot(
            "feedback_contact"
        ) == SKIPPED:
            return {}
        if _skipping(text, intent) or fp.leaves_no_phone(text):
            return {"feedback_contact": SKIPPED}
        if not fp.tries_a_number(text):
            # words: more details or a question, handled elsewhere; the question is asked again
            return {}
        if _phone_tries(tracker) >= PHONE_TRIES:
            dispatcher.utter_message(response="utter_feedback_without_contact")
            return {"feedback_contact": SKIPPED}
        # a mistyped number: validated below, and asked again
        return {"feedback_contact": text}

    async def extract_feedback_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, intent = _latest(tracker)
        if tracker.get_slot("requested_slot") != "feedback_confirm" or self._cancelled(tracker):
            return {}
        if text == "/affirm" or intent == "affirm" or fp.is_yes(text):
            return {"feedback_confirm": "yes"}
        if text == "/deny":
            return dict.fromkeys(SLOTS, CANCELLED)
        # asked again, with what was just added ("bỏ qua" adds nothing: sending needs a yes)
        return {"feedback_confirm": None}

    def validate_feedback_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in (CANCELLED, MISREAD):
            return dict.fromkeys(SLOTS, value)
        if value is None:  # "bỏ qua" at the description: the form asks for it again
            return {"feedback_description": None}
        text = str(value).strip()
        if len(text.split()) < fp.MIN_DESCRIPTION_WORDS:
            dispatcher.utter_message(response="utter_feedback_too_short")
            return {"feedback_description": None}
        return {"feedback_description": text[:4000], "feedback_topic": fp.topic_of(text)}

    def validate_feedback_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"feedback_location": text[:500] if text else SKIPPED}

    def validate_feedback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in (SKIPPED, CANCELLED, MISREAD) or (
            value and fp.find_contact(str(value)) == value
        ):
            return {"feedback_contact": value}
        dispatcher.utter_message(response="utter_invalid_contact")
        return {"feedback_contact": None}

    def validate_feedback_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"feedback_confirm": value}


class ActionSubmitFeedback(PortalAction):
    def name(self) -> str:
        return "action_submit_feedback"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        def optional(slot: str) -> str | None:
            value = tracker.get_slot(slot)
            return None if value in (None, SKIPPED) else fp.clean_text(str(value))

        if tracker.get_slot("feedback_confirm") == MISREAD:
            # the question is still the latest message: answer it as one, here (a follow-up
            # action would leave the dialogue policy on a step no rule covers: a fallback
            # message after the answer)
            answered = await ActionAnswerProcedure(self._portal).run(dispatcher, tracker, domain)
            return [*(SlotSet(s, None) for s in SLOTS), *answered]
        if tracker.get_slot("feedback_confirm") != "yes":
            dispatcher.utter_message(response="utter_feedback_not_sent")
            return [SlotSet(s, None) for s in SLOTS]
        receipt = await self.portal.create_feedback(
            # slots come from the tracker Rasa sends: cleaned again, whatever filled them
            topic=fp.clean_text(str(tracker.get_slot("feedback_topic") or "")),
            description=fp.clean_text(str(tracker.get_slot("feedback_description") or "")),
            location=optional("feedback_location"),
            contact_phone=optional("feedback_contact"),
            conversation_id=tracker.sender_id,
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
