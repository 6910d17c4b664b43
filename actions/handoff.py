"""Handing the conversation to staff: flag it in the portal, say so, give hours and hotline."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.base import PortalAction
from actions.parsing import find_phone_like, find_phones

# "số của tôi là 09o3 111 222 nhé": a number with a few words around it
PHONE_REPLY_WORDS = 10


def channel_of(tracker: Tracker) -> str | None:
    channel = tracker.get_latest_input_channel()
    return str(channel) if channel else None


def phone_reply(tracker: Tracker) -> bool:
    """After staff were asked for, is the message the number to call back (or an attempt at one,
    "0912 345 67")? Then it is never read as a question about a procedure."""
    text = str(tracker.latest_message.get("text") or "")
    if not tracker.get_slot("handoff_requested") or text.startswith("/") or (
        len(text.split()) > PHONE_REPLY_WORDS
    ):
        return False
    return bool(find_phones(text)) or find_phone_like(text) is not None


class ActionHandoff(PortalAction):
    def name(self) -> str:
        return "action_handoff"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = "request_human" if intent == "request_human" else "repeated_failure"
        last_text = None
        for event in reversed(tracker.events):
            # the citizen's last real question helps the officer who picks it up
            if event.get("event") == "user" and not str(event.get("text") or "").startswith("/"):
                last_text = event.get("text")
                break
        phones = find_phones(str(tracker.latest_message.get("text") or ""))
        # a citizen who already left a number is not asked for it again on a second request
        phone = phones[0] if phones else tracker.get_slot("handoff_phone")
        receipt = await self.portal.request_handoff(
            tracker.sender_id, reason, channel_of(tracker), last_text, phone
        )
        known = await runtime.locality(self.portal)
        opening = receipt.next_opening
        when = opening.strftime("%Hh%M ngày %d/%m/%Y") if opening else "-"
        if receipt.staff_available:
            _say_staff_will_answer(dispatcher, runtime.hotline(known))
            return [SlotSet("handoff_requested", True), SlotSet("handoff_phone", phone)]
        hotline = runtime.hotline(known) or "-"
        if phone:
            # a call-back is promised only with a number to call
            dispatcher.utter_message(response="utter_handoff_call_back", phone=phone,
                                     next_opening=when, support_hotline=hotline)
        else:
            dispatcher.utter_message(response="utter_handoff_unavailable", next_opening=when,
                                     support_hotline=hotline,
                                     staff_hours=known.staff_hours_text if known else "-")
        return [SlotSet("handoff_requested", True), SlotSet("handoff_phone", phone)]


class ActionHandoffContact(PortalAction):
    """A phone number sent on its own: the number to call back, when staff were asked for."""

    def name(self) -> str:
        return "action_handoff_contact"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        phones = find_phones(text)
        typed = find_phone_like(text)
        if tracker.get_slot("handoff_requested") and not phones and typed is not None:
            # "0912 345 67": a digit short; the citizen checks it, staff get no wrong number
            dispatcher.utter_message(response="utter_handoff_phone_check", phone=typed)
            return []
        if not tracker.get_slot("handoff_requested") or not phones:
            dispatcher.utter_message(response="utter_default")
            return []
        receipt = await self.portal.request_handoff(
            tracker.sender_id, "request_human", channel_of(tracker), None, phones[0]
        )
        remembered: list[EventType] = [SlotSet("handoff_phone", phones[0])]
        known = await runtime.locality(self.portal)
        if receipt.staff_available:
            _say_staff_will_answer(dispatcher, runtime.hotline(known))
            return remembered
        opening = receipt.next_opening
        dispatcher.utter_message(
            response="utter_handoff_call_back", phone=phones[0],
            next_opening=opening.strftime("%Hh%M ngày %d/%m/%Y") if opening else "-",
            support_hotline=runtime.hotline(known) or "-",
        )
        return remembered


def _say_staff_will_answer(dispatcher: CollectingDispatcher, hotline: str | None) -> None:
    # a citizen who cannot wait in the chat is told the number to call as well
    if hotline:
        dispatcher.utter_message(response="utter_handoff_available", support_hotline=hotline)
    else:
        dispatcher.utter_message(response="utter_handoff_available_no_hotline")
