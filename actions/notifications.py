"""Dossier status notifications in Zalo: opting in after a look-up, opting out ("huỷ thông báo"),
and wording a change the connectors' notifier reports (intent ``dossier_status_changed``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PortalAction
from actions.clients.portal import PortalClient, PortalError, PortalUnavailable

logger = logging.getLogger(__name__)

STATUSES = ("received", "in_progress", "needs_supplement", "done", "returned", "overdue")
# Zalo lets the OA write to a citizen only within 7 days of the citizen's last message (-230)
WINDOW_SECONDS = 7 * 86_400
# what the connectors' notifier reads in Rasa's answer to its trigger (connectors/notifications/
# trigger.py): "window_closed" means nothing was sent
OUTCOME_SLOT = "notification_outcome"
# the citizen's last real message (epoch seconds), carried by this action from session to
# session: a conversation silent for an hour starts a new session on the next trigger, and Rasa
# hands the action the latest session only
LAST_MESSAGE_SLOT = "citizen_last_message_at"


class ActionFollowStatus(PortalAction):
    def name(self) -> str:
        return "action_follow_status"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = tracker.get_slot("notify_code")
        if tracker.get_latest_input_channel() != "zalo" or not code:
            dispatcher.utter_message(response="utter_status_notifications_unavailable")
            return []
        try:
            await self.portal.follow_status(code, tracker.sender_id)
        except PortalUnavailable:
            raise  # the shared apology
        except PortalError:  # the look-up proof expired (30 minutes): look it up again
            dispatcher.utter_message(response="utter_status_notifications_unavailable")
            return [SlotSet("notify_code", None)]
        dispatcher.utter_message(response="utter_status_notifications_on", code=code)
        return []


class ActionUnfollowStatus(PortalAction):
    def name(self) -> str:
        return "action_unfollow_status"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        stopped = await self.portal.unfollow_status(tracker.sender_id)
        dispatcher.utter_message(
            response="utter_status_notifications_off" if stopped
            else "utter_status_notifications_none"
        )
        return [SlotSet("notify_code", None)]


def last_citizen_message(tracker: Tracker) -> float | None:
    """When the citizen last wrote (epoch seconds), as far as the tracker shows: a message of
    theirs (not a trigger's external one) or what an earlier run of this action carried over."""
    latest: float | None = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user" and not _external(event):
            found = event.get("timestamp")
        elif kind == "slot" and event.get("name") == LAST_MESSAGE_SLOT:
            found = event.get("value")
        else:
            continue
        if isinstance(found, int | float) and not isinstance(found, bool):
            latest = float(found) if latest is None else max(latest, float(found))
    return latest


def _external(event: dict[str, Any]) -> bool:
    # Rasa marks what /trigger_intent adds (text "EXTERNAL: <intent>")
    metadata = event.get("metadata") or {}
    return bool(metadata.get("is_external")) or str(event.get("text") or "").startswith(
        "EXTERNAL: "
    )


class ActionTellStatusChange(PortalAction):
    """Runs on the notifier's trigger, not on a citizen's message: says the new status only,
    within Zalo's window; past it says nothing and tells the notifier so (OUTCOME_SLOT)."""

    def __init__(
        self, portal: PortalClient | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(portal)
        self._clock = clock

    def name(self) -> str:
        return "action_tell_status_change"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        last = last_citizen_message(tracker)
        carried: list[EventType] = [] if last is None else [SlotSet(LAST_MESSAGE_SLOT, last)]
        code = next(tracker.get_latest_entity_values("notified_code"), None)
        status = next(tracker.get_latest_entity_values("notified_status"), None)
        if not code or status not in STATUSES:
            logger.warning("a status change without a code or a known status was not told")
            return [*carried, SlotSet(OUTCOME_SLOT, "unreadable")]
        if last is None or self._clock() - last >= WINDOW_SECONDS:
            logger.info("status change not told: the citizen has not written for 7 days")
            return [*carried, SlotSet(OUTCOME_SLOT, "window_closed")]
        dispatcher.utter_message(response=f"utter_status_changed_{status}", code=code)
        return [*carried, SlotSet(OUTCOME_SLOT, "sent")]
