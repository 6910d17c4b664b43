"""Behaviour shared by every action that talks to the portal: client injection and apologies."""

from __future__ import annotations

import abc
import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.clients.portal import PortalClient, PortalError, PortalUnavailable
from actions.settings import get_settings

logger = logging.getLogger(__name__)


class PortalAction(Action, abc.ABC):
    """An action whose facts come from the connectors. Subclasses implement ``answer``."""

    def __init__(self, portal: PortalClient | None = None) -> None:
        self._portal = portal

    @property
    def portal(self) -> PortalClient:
        return self._portal or runtime.portal()

    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # one deadline for everything the answer needs (locality, search, detail): a slow
        # portal must still leave time for the apology within the 3 seconds citizens are promised
        try:
            return await asyncio.wait_for(
                self._run(dispatcher, tracker, domain), timeout=get_settings().answer_budget_seconds
            )
        except (PortalUnavailable, asyncio.TimeoutError):  # not the builtin before 3.11
            logger.warning("portal unavailable or too slow in %s", self.name())
        except PortalError:
            logger.exception("portal error in %s", self.name())
        hotline = runtime.hotline(runtime.known())
        dispatcher.utter_message(
            response=runtime.with_hotline("utter_portal_unavailable", hotline),
            support_hotline=hotline,
        )
        return []

    async def _run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        known = await runtime.locality(self.portal)
        events: list[EventType] = []
        hotline = runtime.hotline(known)
        if hotline and tracker.get_slot("support_hotline") != hotline:
            events.append(SlotSet("support_hotline", hotline))
        return events + await self.answer(dispatcher, tracker, domain)
