"""Dossier status notifications in Zalo: opting in after a look-up, opting out ("huỷ thông báo"),
and wording a change the connectors' notifier reports (intent ``dossier_status_changed``)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import PortalAction
from actions.clients.portal import PortalError, PortalUnavailable

logger = logging.getLogger(__name__)

STATUSES = ("received", "in_progress", "needs_supplement", "done", "returned", "overdue")


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


class ActionTellStatusChange(PortalAction):
    """Runs on the notifier's trigger, not on a citizen's message: says the new status only."""

    def name(self) -> str:
        return "action_tell_status_change"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = next(tracker.get_latest_entity_values("notified_code"), None)
        status = next(tracker.get_latest_entity_values("notified_status"), None)
        if not code or status not in STATUSES:
            logger.warning("a status change without a code or a known status was not told")
            return []
        dispatcher.utter_message(response=f"utter_status_changed_{status}", code=code)
        return []
