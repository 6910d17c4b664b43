"""Conversations staff took over from the console (connectors/admin/review/takeover.py sends
Rasa's ``pause`` event): Rasa records what the citizen writes but the bot answers nothing, on
purpose. A channel that says "hệ thống đang gặp sự cố" when a message got no answer must stay
silent for these: staff answer them."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


async def paused(app: Any, sender_id: str) -> bool:
    """Is the bot paused for this conversation? (False when it cannot tell: then the channel
    apologises, as for any message left unanswered.)"""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return False
    try:
        tracker = await store.retrieve(sender_id)
    except Exception:  # noqa: BLE001 - the store failing is what the apology is for
        logger.warning("could not read the conversation to see whether staff took it over")
        return False
    return bool(tracker is not None and tracker.is_paused())
