"""The retention period applied while the connectors run: a purge at start and every hour.

Several connectors instances may purge at once: the statements are idempotent updates and deletes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors.privacy.service import purge
from connectors.settings import Settings

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def purge_once(
    session_factory: sessionmaker[Session], settings: Settings,
    clock: Callable[[], datetime] = _utc_now,
) -> None:
    try:
        with session_factory() as session:
            purge(session, clock(), settings.retention_days)
    except SQLAlchemyError as exc:  # the next round tries again; requests are unaffected
        logger.warning("retention purge failed: %s", exc)


async def purge_periodically(
    session_factory: sessionmaker[Session], settings: Settings,
    clock: Callable[[], datetime] = _utc_now,
) -> None:
    while True:
        await asyncio.to_thread(purge_once, session_factory, settings, clock)
        await asyncio.sleep(settings.purge_interval_seconds)
