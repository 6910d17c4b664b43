"""Forwarding complaints while the connectors run: the outbox every few seconds and the status
sync every few minutes, in one asyncio task (the blocking work in a thread).

Several connectors instances may run it at once: rows are claimed with a lease before any call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import httpx
from sqlalchemy.orm import Session, sessionmaker

from connectors.feedback.outbox import Backlog, DeliveryReport, backlog, deliver_due
from connectors.feedback.sync import SyncReport, sync_due
from connectors.feedback.upstream import FeedbackUpstream, load_feedback_upstream
from connectors.settings import Settings
from connectors.upstream.client import UpstreamClient

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Forwarder:
    """The configured feedback upstream, and what sends to it and reads from it."""

    upstream: FeedbackUpstream
    client: UpstreamClient
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=_utc_now)

    def deliver(self, *, ignore_schedule: bool = False) -> DeliveryReport:
        return deliver_due(
            self.session_factory, self.upstream, self.clock, ignore_schedule=ignore_schedule
        )

    def sync(self, min_age: timedelta = timedelta(0)) -> SyncReport:
        return sync_due(self.session_factory, self.upstream, self.clock, min_age)

    def backlog(self) -> Backlog:
        with self.session_factory() as session:
            return backlog(session, self.clock())

    def close(self) -> None:
        self.client.close()


def build_forwarder(
    settings: Settings, session_factory: sessionmaker[Session], *,
    environ: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> Forwarder | None:
    """None when no feedback upstream is configured (complaints stay here, as before).

    A file that is wrong, or a key its file names but the environment lacks, stops the start:
    the operator asked for forwarding, and silently not forwarding would lose nothing but trust.
    """
    if settings.feedback_upstream_file is None:
        return None
    config = load_feedback_upstream(settings.feedback_upstream_file)
    client = UpstreamClient(config.upstream, environ=environ, transport=transport)
    logger.info(
        "feedback is forwarded to %s (%s)", config.upstream.name, config.upstream.base_url
    )
    return Forwarder(FeedbackUpstream(config, client), client, session_factory, clock)


def _safely(work: Callable[[], T], what: str) -> T | None:
    try:
        return work()
    except Exception:
        logger.exception("feedback %s round failed", what)
        return None


async def forward_periodically(forwarder: Forwarder, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    next_sync = loop.time()
    # another instance's reads count: a complaint read within half the interval is not read again
    min_age = timedelta(seconds=settings.feedback_sync_interval_seconds / 2)
    while True:
        await asyncio.to_thread(_safely, forwarder.deliver, "outbox")
        if loop.time() >= next_sync:
            next_sync = loop.time() + settings.feedback_sync_interval_seconds
            await asyncio.to_thread(_safely, lambda: forwarder.sync(min_age), "status sync")
        await asyncio.sleep(settings.feedback_outbox_interval_seconds)
