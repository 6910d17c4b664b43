"""Conversation upkeep: cancelling forms, clarifying when unsure, thanks, satisfaction rating."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.base import PortalAction
from actions.handoff import phone_reply
from actions.phrases import Labels
from actions.procedures import ActionAnswerProcedure
from actions.questions import is_question

FORM_SLOTS = (
    "application_code",
    "applicant_identifier",
    "feedback_topic",
    "feedback_description",
    "feedback_location",
    "feedback_contact",
    "feedback_confirm",
)
# Tiered fallback: unsure once -> "ý anh/chị là...?", twice -> how to ask, three times -> staff.
CLARIFY_AT, REPHRASE_AT, HANDOFF_AT = 1, 2, 3
MAX_CANDIDATES = 3
# Intents offered as "did you mean"; small talk is never worth a button.
CLARIFIABLE = {
    "ask_procedure",
    "ask_documents",
    "ask_fee",
    "ask_processing_time",
    "ask_office",
    "ask_online",
    "check_status",
    "submit_feedback",
    "check_feedback",
    "request_human",
    "ask_capabilities",
}
# Did the conversation get somewhere worth rating?
RESOLVING_ACTIONS = {
    "action_answer_procedure",
    "action_check_status",
    "action_submit_feedback",
    "action_check_feedback",
}


# The replies that mean "I did not understand" (a fallback answered from the message is not one).
UNSURE_REPLIES = {"utter_clarify", "utter_rephrase_suggestions"}


def consecutive_fallbacks(tracker: Tracker) -> int:
    """Unsure messages in a row, this one included, counting only those the bot did not
    understand (a fallback answered from the procedure in focus breaks the run)."""
    count = 0
    unsure_reply = True  # this message's reply is still to come
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            unsure_reply = unsure_reply or (
                (event.get("metadata") or {}).get("utter_action") in UNSURE_REPLIES
            )
            continue
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback" or not unsure_reply:
            break
        count += 1
        unsure_reply = False
    return max(count, 1)


class ActionCancelForm(Action):
    """Stops whichever form is active and forgets what it had collected."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_form_cancelled")
        return [*(SlotSet(s, None) for s in FORM_SLOTS), SlotSet("status_attempts", 0)]


class _ReadsTheWords(PortalAction):
    """An action for a message the NLU could not place: its words may still say enough."""

    async def _words_are_clear(self, tracker: Tracker, *, with_focus: bool) -> bool:
        """Does the message name a procedure outright, ask what no procedure answers (a
        penalty), (``with_focus``) ask an aspect of the procedure in focus, or ask about the
        dossier just looked up ("vì sao bị trả lại")?"""
        text = str(tracker.latest_message.get("text") or "")
        if not text.strip() or text.startswith("/"):
            return False
        focus = tracker.get_slot("procedure_code")
        reading = await self.portal.resolve(text, focus)
        just_looked_up = focus is not None and focus == tracker.get_slot("dossier_procedure")
        return bool(reading.out_of_reach) or reading.decision == "confident" or (
            with_focus and focus is not None and bool(reading.aspects)
            and reading.decision in ("none", "weak")
        ) or (just_looked_up and reading.decision != "confident" and is_question(text))


class ActionClarify(_ReadsTheWords):
    """The NLU is unsure. The words may still say enough: a question about the procedure in
    focus ("ủy quyền cho em gái xin hộ đc ko"), or one that names a procedure outright, is
    answered; otherwise "ý anh/chị là...?", then how to ask, then a person."""

    def name(self) -> str:
        return "action_clarify"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if phone_reply(tracker):
            return [FollowupAction("action_handoff_contact")]  # "O912 345 678" after "gặp cán bộ"
        if await self._words_are_clear(tracker, with_focus=True):
            return await ActionAnswerProcedure(self.portal).answer(dispatcher, tracker, domain)
        text = str(tracker.latest_message.get("text") or "")
        focus = tracker.get_slot("procedure_code")
        if focus and is_question(text) and await ActionAnswerProcedure(self.portal).say_passages(
            dispatcher, str(focus), text
        ):
            # "ảnh có được đeo kính ko" about the passport in focus: its record says
            return []
        tier = consecutive_fallbacks(tracker)
        if tier >= HANDOFF_AT:
            return [FollowupAction("action_handoff")]
        if tier >= REPHRASE_AT:
            dispatcher.utter_message(response="utter_rephrase_suggestions")
            return []
        labels = Labels(domain)
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [r["name"] for r in ranking if r.get("name") in CLARIFIABLE][:MAX_CANDIDATES]
        if not candidates:
            dispatcher.utter_message(response="utter_rephrase_suggestions")
            return []
        buttons = [
            {"title": labels[f"intent_{name}"], "payload": f"/{name}"} for name in candidates
        ]
        buttons.append({"title": labels["none_of_these"], "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return []


class ActionOutOfScope(_ReadsTheWords):
    """The NLU took the message for something beyond public services. A penalty or policy
    question still gets the hotline and staff, and a message that names a procedure outright
    ("đi xuất khẩu lao động có phải khai báo tạm vắng không") its answer."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if phone_reply(tracker):
            return [FollowupAction("action_handoff_contact")]  # "09o3 111 222" after "gặp cán bộ"
        if await self._words_are_clear(tracker, with_focus=False):
            return await ActionAnswerProcedure(self.portal).answer(dispatcher, tracker, domain)
        known = await runtime.locality(self.portal)
        dispatcher.utter_message(response="utter_out_of_scope",
                                 support_hotline=runtime.hotline(known))
        return []


class ActionThank(Action):
    def name(self) -> str:
        return "action_thank"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_thank")
        resolved = any(
            e.get("event") == "action" and e.get("name") in RESOLVING_ACTIONS
            for e in tracker.events
        )
        if resolved and not tracker.get_slot("rating_asked"):
            dispatcher.utter_message(response="utter_ask_rating")
            return [SlotSet("rating_asked", True)]
        return []


RATING_WORDS = {
    5: ("rất hài lòng", "rat hai long", "tuyệt", "tuyet", "xuất sắc", "5 sao"),
    4: ("hài lòng", "hai long", "tốt", "tot", "4 sao"),
    3: ("bình thường", "binh thuong", "tạm được", "tam duoc", "3 sao"),
    2: ("chưa hài lòng", "chua hai long", "không hài lòng", "khong hai long", "2 sao"),
    1: ("rất tệ", "rat te", "tệ", "te qua", "1 sao"),
}


def rating_from(entity: str | None, text: str) -> int | None:
    if entity and entity.strip().isdigit() and 1 <= int(entity) <= 5:
        return int(entity)
    lowered = text.lower()
    # longest phrases first: "chưa hài lòng" before "hài lòng"
    phrases = sorted(
        ((p, s) for s, ps in RATING_WORDS.items() for p in ps), key=lambda x: -len(x[0])
    )
    for phrase, score in phrases:
        if phrase in lowered:
            return score
    stripped = lowered.strip()
    return int(stripped) if stripped in {"1", "2", "3", "4", "5"} else None


class ActionSaveRating(PortalAction):
    def name(self) -> str:
        return "action_save_rating"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        score = rating_from(
            next(tracker.get_latest_entity_values("rating"), None),
            tracker.latest_message.get("text") or "",
        )
        if score is None:
            dispatcher.utter_message(response="utter_ask_rating")
            return [SlotSet("rating_asked", True)]
        await self.portal.rate(tracker.sender_id, score)
        dispatcher.utter_message(response="utter_rating_thanks")
        return [SlotSet("rating_asked", True)]
