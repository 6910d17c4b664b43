"""The notifier: each status change told once to each conversation following the dossier.

Workers (one per connectors instance) share the stream's consumer group, so an entry goes to one
of them; an entry left unacknowledged by a crashed or stuck worker is claimed by another after
the lease. Per (change, subscription) two Redis keys make the delivery exactly-once across them:
``sending`` (SET NX with the lease: one worker at a time) and ``delivered`` (set right after the
bot accepted the message, before the entry is acknowledged). A worker that crashes after the send
but before the acknowledgement leaves ``delivered`` behind: the next one acknowledges without
sending. Only a crash in the instant between the bot's answer and ``delivered`` can repeat a
message (the bot has no idempotency key to offer), never lose one.

Zalo lets the OA write only within 7 days of the citizen's last message, which only the bot
sees: the bot words the change or, the window closed, sends nothing and says so. That change is
then not told ("expired"), but the subscription stays: the citizen may write again before the
next one. A bot that keeps failing (down, or refusing) is tried again after ``first_retry``,
then twice as long each time (at most an hour), and given up after ``max_attempts`` failures or
``give_up_after`` since the first (logged, counted in /health): the entry is then acknowledged
instead of being retried for ever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

import redis
from sqlalchemy.orm import Session, sessionmaker

from connectors.cache import Cache
from connectors.notifications.models import StatusSubscription
from connectors.notifications.service import active
from connectors.notifications.stream import (
    GROUP,
    KEY_SECONDS,
    StatusChange,
    given_up_key,
    stream_key,
)
from connectors.notifications.trigger import Told, TriggerFailed

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# the longest wait between two tries of a delivery the bot refused
MAX_RETRY = timedelta(hours=1)


class Deliver(Protocol):
    def __call__(self, sender_id: str, code: str, status: str) -> Told: ...


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0  # handled before (a redelivered entry)
    expired: int = 0  # Zalo's window closed, the bot said: not sent
    failed: int = 0  # the bot unreachable or refusing (or not due again): the entry stays
    given_up: int = 0  # failed too often or too long: not sent, acknowledged


class Notifier:
    def __init__(
        self, cache: Cache, session_factory: sessionmaker[Session], deliver: Deliver,
        consumer: str, clock: Clock, lease_seconds: float = 60.0, max_attempts: int = 10,
        give_up_after: timedelta = timedelta(hours=24), first_retry: timedelta | None = None,
    ) -> None:
        """``first_retry``: the wait after a first failure (default: the lease)."""
        self._cache = cache
        self._sessions = session_factory
        self._deliver = deliver
        self.consumer = consumer
        self._clock = clock
        self._lease_ms = int(lease_seconds * 1000)
        self._max_attempts = max_attempts
        self._give_up_after = give_up_after
        self._first_retry = first_retry or timedelta(seconds=lease_seconds)
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
        # what became of it: sent, expired or given up (kept as long as the change's key)
        handled = self._cache.key("notify", "delivered", delivery)
        if self._redis.exists(handled):
            return "skipped"
        due = self._redis.hget(self._cache.key("notify", "failures", delivery), "next")
        if due is not None and float(cast(str, due)) > self._clock().timestamp():
            return "failed"  # refused lately: not tried again yet
        sending = self._cache.key("notify", "sending", delivery)
        if not self._redis.set(sending, self.consumer, nx=True, px=self._lease_ms):
            return "failed"  # another worker is sending it right now: look again later
        try:
            told = self._deliver(subscription.sender_id, change.code, change.status)
        except TriggerFailed as exc:
            outcome = self._failed(delivery, subscription, exc)
            if outcome == "given_up":
                self._redis.set(handled, outcome, ex=KEY_SECONDS)
            self._redis.delete(sending)
            return outcome
        outcome = "sent" if told == "sent" else "expired"
        self._redis.set(handled, outcome, ex=KEY_SECONDS)
        if outcome == "expired":
            logger.info("notification not sent: Zalo's 7-day window closed (subscription %d); "
                        "the next change is tried again", subscription.id)
        return outcome

    def _failed(
        self, delivery: str, subscription: StatusSubscription, exc: TriggerFailed
    ) -> str:
        """Counts a failure of the delivery: "failed" (tried again later) or "given_up"."""
        failures = self._cache.key("notify", "failures", delivery)
        now = self._clock().timestamp()
        pipe = self._redis.pipeline()
        pipe.hsetnx(failures, "first", str(now))
        pipe.hincrby(failures, "attempts", 1)
        pipe.hget(failures, "first")
        pipe.expire(failures, KEY_SECONDS)
        _, attempts, first, _ = pipe.execute()
        waited = timedelta(seconds=now - float(first))
        if int(attempts) < self._max_attempts and waited < self._give_up_after:
            delay = min(self._first_retry * 2 ** (int(attempts) - 1), MAX_RETRY)
            self._redis.hset(failures, "next", str(now + delay.total_seconds()))
            logger.warning("notification not sent (attempt %d), tried again in %s: %s",
                           int(attempts), delay, exc)
            return "failed"
        logger.warning(
            "notification given up after %d failed attempts over %s (subscription %d): %s",
            int(attempts), waited, subscription.id, exc,
        )
        self._redis.incr(given_up_key(self._cache))
        self._redis.delete(failures)
        return "given_up"
