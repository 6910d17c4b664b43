"""The notifier while the connectors run: one asyncio task, the blocking reads in a thread; with
dossiers from the province's system, it polls them too (poller.py)."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session, sessionmaker

from connectors.applications.sources.build import Dossiers
from connectors.cache import Cache
from connectors.notifications.notifier import Notifier
from connectors.notifications.poller import Poller
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
        lease_seconds=settings.notify_lease_seconds, max_attempts=settings.notify_max_attempts,
        give_up_after=timedelta(hours=settings.notify_give_up_hours),
    )


def build_poller(
    settings: Settings, cache: Cache, session_factory: sessionmaker[Session], dossiers: Dossiers
) -> Poller | None:
    """None with local dossiers: their changes come through our API, which emits them."""
    if settings.dossier_source != "upstream":
        return None
    return Poller(cache, session_factory, dossiers.fetch_fresh, _utc_now)


def _round(notifier: Notifier) -> None:
    try:
        notifier.ensure_group()
        notifier.run_once()  # no blocking read: the cache's client times out in 0.5 s
    except Exception:  # Redis or the database down: the entries wait in the stream
        logger.exception("notification round failed")


def _poll(poller: Poller, interval_seconds: float) -> None:
    try:
        if poller.claim_round(interval_seconds):
            poller.poll_once()
    except Exception:  # Redis or the database down: the next round reads again
        logger.exception("status poll failed")


async def notify_periodically(
    notifier: Notifier, settings: Settings, poller: Poller | None = None
) -> None:
    loop = asyncio.get_running_loop()
    next_poll = loop.time()
    while True:
        if poller is not None and loop.time() >= next_poll:
            next_poll = loop.time() + settings.notify_poll_seconds
            await asyncio.to_thread(_poll, poller, settings.notify_poll_seconds)
        await asyncio.to_thread(_round, notifier)
        await asyncio.sleep(settings.notify_interval_seconds)
