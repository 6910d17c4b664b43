"""The notifier: each status change told once to each conversation following the dossier.

Workers (one per connectors instance) share the stream's consumer group, so an entry goes to one
of them; an entry left unacknowledged by a crashed or stuck worker is claimed by another after
the lease. Per (change, subscription) two Redis keys make the delivery exactly-once across them:
``sending`` (SET NX with the lease: one worker at a time) and ``delivered`` (set right after the
bot accepted the message, before the entry is acknowledged). A worker that crashes after the send
but before the acknowledgement leaves ``delivered`` behind: the next one acknowledges without
sending. Only a crash in the instant between the bot's answer and ``delivered`` can repeat a
message (the bot has no idempotency key to offer), never lose one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

import redis
from sqlalchemy.orm import Session, sessionmaker

from connectors.cache import Cache
from connectors.notifications.models import StatusSubscription
from connectors.notifications.service import active, within_window
from connectors.notifications.stream import GROUP, KEY_SECONDS, StatusChange, stream_key
from connectors.notifications.trigger import TriggerFailed

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Deliver(Protocol):
    def __call__(self, sender_id: str, code: str, status: str) -> None: ...


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0  # delivered before (a redelivered entry)
    expired: int = 0  # Zalo's window closed: not sent
    failed: int = 0  # the bot unreachable: the entry stays for a retry


class Notifier:
    def __init__(
        self, cache: Cache, session_factory: sessionmaker[Session], deliver: Deliver,
        consumer: str, clock: Clock, lease_seconds: float = 60.0,
    ) -> None:
        self._cache = cache
        self._sessions = session_factory
        self._deliver = deliver
        self.consumer = consumer
        self._clock = clock
        self._lease_ms = int(lease_seconds * 1000)
        self._stream = stream_key(cache)

    @property
    def _redis(self) -> redis.Redis:
        return self._cache.client

    def ensure_group(self) -> None:
        try:
            self._redis.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _entries(self, block_ms: int | None) -> list[tuple[str, dict[str, str]]]:
        # entries another worker took and never acknowledged, then new ones
        claimed: list[Any] = self._redis.xautoclaim(
            self._stream, GROUP, self.consumer, min_idle_time=self._lease_ms, start_id="0-0",
            count=20,
        )
        entries: list[tuple[str, dict[str, str]]] = [
            (entry_id, fields) for entry_id, fields in claimed[1] if fields
        ]
        fresh = cast(list[Any], self._redis.xreadgroup(
            GROUP, self.consumer, {self._stream: ">"}, count=20, block=block_ms,
        ))
        for _stream, items in fresh or []:
            entries.extend((entry_id, fields) for entry_id, fields in items)
        return entries

    def run_once(self, block_ms: int | None = None) -> Report:
        """Handles what is waiting (after up to ``block_ms`` for something new)."""
        report = Report()
        for entry_id, fields in self._entries(block_ms):
            if self._handle(StatusChange.from_fields(fields), report):
                self._ack(entry_id)
        return report

    def _ack(self, entry_id: str) -> None:
        self._redis.xack(self._stream, GROUP, entry_id)

    def _handle(self, change: StatusChange, report: Report) -> bool:
        """True when every follower was told (or cannot be): the entry may be acknowledged."""
        done = True
        with self._sessions() as session:
            for subscription in active(session, change.code):
                outcome = self._tell(subscription, change)
                setattr(report, outcome, getattr(report, outcome) + 1)
                done = done and outcome != "failed"
            session.commit()
        return done

    def _tell(self, subscription: StatusSubscription, change: StatusChange) -> str:
        delivery = f"{change.key}|{subscription.id}"
        delivered = self._cache.key("notify", "delivered", delivery)
        if self._redis.exists(delivered):
            return "skipped"
        now = self._clock()
        if not within_window(subscription, now):
            subscription.expired_at = now  # Zalo would answer -230: wait for the citizen
            logger.info("notification not sent: Zalo's 7-day window closed (subscription %d)",
                        subscription.id)
            return "expired"
        sending = self._cache.key("notify", "sending", delivery)
        if not self._redis.set(sending, self.consumer, nx=True, px=self._lease_ms):
            return "failed"  # another worker is sending it right now: look again later
        try:
            self._deliver(subscription.sender_id, change.code, change.status)
        except TriggerFailed as exc:
            self._redis.delete(sending)
            logger.warning("notification not sent, tried again later: %s", exc)
            return "failed"
        self._redis.set(delivered, "1", ex=KEY_SECONDS)
        return "sent"
