"""The notifier while the connectors run: one asyncio task, the blocking reads in a thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from datetime import datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from connectors.cache import Cache
from connectors.notifications.notifier import Notifier
from connectors.notifications.trigger import BotTrigger
from connectors.settings import Settings

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def build_notifier(
    settings: Settings, cache: Cache, session_factory: sessionmaker[Session]
) -> Notifier | None:
    """None when NOTIFY_TRIGGER_URL is unset: changes are still emitted, nobody is told yet."""
    if not settings.notify_trigger_url:
        return None
    trigger = BotTrigger(settings.notify_trigger_url, settings.notify_trigger_token)
    consumer = f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    return Notifier(
        cache, session_factory, trigger, consumer, _utc_now,
        lease_seconds=settings.notify_lease_seconds,
    )


def _round(notifier: Notifier) -> None:
    try:
        notifier.ensure_group()
        notifier.run_once()  # no blocking read: the cache's client times out in 0.5 s
    except Exception:  # Redis or the database down: the entries wait in the stream
        logger.exception("notification round failed")


async def notify_periodically(notifier: Notifier, settings: Settings) -> None:
    while True:
        await asyncio.to_thread(_round, notifier)
        await asyncio.sleep(settings.notify_interval_seconds)
