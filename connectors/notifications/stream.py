"""Dossier status changes, as entries of a Redis stream read by the notifier's consumer group.

One idempotency key per change (dossier code, new status, time of the change): emitting the same
change twice (a retried request, two pollers) adds one entry. The key and the entry are written
by one Lua script, so a crash cannot leave the key without the entry.

Dossiers of the province's system change there, not through our API: the poller
(connectors/notifications/poller.py) keeps the last status it knows of each followed dossier and
moves it with ``transition``, one script that compares, moves and emits at once, so of several
connectors instances polling together exactly one emits the change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import redis

from connectors.applications.service import as_utc
from connectors.cache import Cache

GROUP = "notifier"
# how long a change's key is remembered: longer than any retry of the same change
KEY_SECONDS = 30 * 86_400
# the stream keeps about this many changes, handled or not (a notifier down for weeks loses the
# oldest rather than fill Redis)
MAX_ENTRIES = 100_000

_EMIT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'key', ARGV[2],
                    'code', ARGV[3], 'status', ARGV[4], 'at', ARGV[5])
end
return false
"""

# KEYS: the dossier's last known status, the change's idempotency key, the stream. Another poller
# that moved the known status first makes this one a no-op (-1); else 1 when the entry was added.
_TRANSITION = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
redis.call('SET', KEYS[1], ARGV[4], 'EX', ARGV[2])
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'key', ARGV[5],
             'code', ARGV[3], 'status', ARGV[4], 'at', ARGV[6])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class StatusChange:
    code: str
    status: str
    at: datetime

    @property
    def key(self) -> str:
        return f"{self.code}|{self.status}|{as_utc(self.at).isoformat()}"

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> StatusChange:
        return cls(fields["code"], fields["status"], datetime.fromisoformat(fields["at"]))


def stream_key(cache: Cache) -> str:
    return cache.key("notify", "changes")


def emit(cache: Cache, change: StatusChange) -> bool:
    """Adds the change to the stream unless it was already; True when added. Raises
    redis.RedisError when Redis is unreachable (the caller answers 503: the change is recorded,
    sending it again is safe)."""
    added = cache.client.eval(
        _EMIT, 2, cache.key("notify", "emitted", change.key), stream_key(cache),
        str(KEY_SECONDS), change.key, change.code, change.status, as_utc(change.at).isoformat(),
        str(MAX_ENTRIES),
    )
    return cast(object, added) is not None  # nil: the change was emitted before


def _known_key(cache: Cache, code: str) -> str:
    return cache.key("notify", "known", code)


def known_status(cache: Cache, code: str) -> str | None:
    """The last status of a followed dossier the poller knows (None: not known yet)."""
    value = cache.client.get(_known_key(cache, code))
    return value if isinstance(value, str) else None


def know_status(cache: Cache, code: str, status: str) -> bool:
    """Notes what the citizen saw (subscribing) or the poller first read, unless a status is
    known already; True when noted."""
    return bool(cache.client.set(_known_key(cache, code), status, ex=KEY_SECONDS, nx=True))


def keep_known(cache: Cache, code: str) -> None:
    """The status is unchanged: kept as long again (never rewritten: another poller may have
    just moved it)."""
    cache.client.expire(_known_key(cache, code), KEY_SECONDS)


def transition(cache: Cache, change: StatusChange, previous: str) -> bool:
    """Moves the dossier's known status from ``previous`` to the change's and emits the change,
    atomically; True when this call emitted it (False: another poller moved it first, or the
    same change was emitted before). Raises redis.RedisError."""
    result = cache.client.eval(
        _TRANSITION, 3, _known_key(cache, change.code),
        cache.key("notify", "emitted", change.key), stream_key(cache),
        previous, str(KEY_SECONDS), change.code, change.status, change.key,
        as_utc(change.at).isoformat(), str(MAX_ENTRIES),
    )
    return cast(object, result) == 1


@dataclass(frozen=True)
class Backlog:
    """What /health says of the stream: changes kept, handed to a worker and not finished, the
    age of the oldest of those, and deliveries given up after repeated failures."""

    stream_length: int
    pending: int
    oldest_pending_seconds: float | None
    given_up: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "stream_length": self.stream_length,
            "pending": self.pending,
            "oldest_pending_seconds": self.oldest_pending_seconds,
            "given_up": self.given_up,
        }


def given_up_key(cache: Cache) -> str:
    return cache.key("notify", "given-up")


def backlog(cache: Cache, now: float | None = None) -> Backlog:
    """Raises redis.RedisError. ``now``: epoch seconds (the entry ids are Redis's clock)."""
    client = cache.client
    key = stream_key(cache)
    length = int(client.xlen(key))
    pending, oldest = 0, None
    try:
        summary: dict[str, Any] = client.xpending(key, GROUP)
    except redis.ResponseError as exc:  # no group yet: no worker has started
        if "NOGROUP" not in str(exc):
            raise
    else:
        pending = int(summary.get("pending") or 0)
        first = summary.get("min")
        if pending and first:
            added_ms = int(str(first).split("-", 1)[0])
            current = time.time() if now is None else now
            oldest = max(0.0, round(current - added_ms / 1000, 3))
    given_up = int(cast(str | None, client.get(given_up_key(cache))) or 0)
    return Backlog(length, pending, oldest, given_up)
