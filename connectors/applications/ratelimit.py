"""Counters with an expiry in Redis (shared by every connectors instance), and the per-client
fixed-window rate limit built on them.

When Redis is unreachable each process keeps its own counters in memory: the limits still hold per
instance, and /health reports Redis as down. After a failure Redis is retried only every few
seconds, so an outage does not add a connect timeout to every request.

Times come from an injectable clock, never from Redis: windows and lock-out ends are in the keys or
the values, and Redis expiries only collect old keys. Tests move the clock; Redis need not follow.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis

from connectors.cache import Cache

logger = logging.getLogger(__name__)

_REDIS_RETRY_SECONDS = 5.0
_MEMORY_MAX_KEYS = 50_000

Clock = Callable[[], float]
T = TypeVar("T")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets


def client_key(raw: str) -> str:
    """Client ids (conversation ids, IPs) are hashed: keys stay short and reveal nothing."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


class _MemoryCounters:
    """The fallback: the same operations, expiring by the caller's clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[int, float]] = {}  # key -> (value, expires at)

    def _live(self, key: str, now: float) -> int:
        value, expires = self._values.get(key, (0, now))
        return value if expires > now else 0

    def incr(self, key: str, ttl: int, now: float, amount: int = 1) -> int:
        with self._lock:
            if len(self._values) > _MEMORY_MAX_KEYS:
                self._values = {k: v for k, v in self._values.items() if v[1] > now}
            value = self._live(key, now) + amount
            self._values[key] = (value, now + ttl)
            return value

    def read(self, keys: list[str], now: float) -> list[int]:
        with self._lock:
            return [max(0, self._live(key, now)) for key in keys]

    def put(self, key: str, value: int, ttl: int, now: float) -> None:
        with self._lock:
            self._values[key] = (value, now + ttl)


class Counters:
    """Integer counters under the deployment's key prefix: Redis, else this process's memory.

    ``ttl`` is in seconds; in Redis it only collects keys, so callers put the window in the key
    (or a time in the value). ``now`` is the caller's clock, for the memory fallback's expiries.
    """

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._memory = _MemoryCounters()
        self._redis_down_since: float | None = None

    def key(self, *parts: str) -> str:
        return self._cache.key("ratelimit", *parts)

    def incr(self, key: str, ttl: int, now: float, amount: int = 1) -> int:
        """Adds ``amount`` (negative: takes back) and gives the new value."""

        def in_redis(pipe: redis.client.Pipeline) -> int:
            pipe.incrby(key, amount)
            # the window is in the key, so refreshing the expiry on each hit is harmless
            pipe.expire(key, ttl)
            count, _ = pipe.execute()
            return int(count)

        result = self._redis(in_redis)
        return self._memory.incr(key, ttl, now, amount) if result is None else result

    def read(self, keys: list[str], now: float) -> list[int]:
        def in_redis(pipe: redis.client.Pipeline) -> list[int]:
            pipe.mget(keys)
            (values,) = pipe.execute()
            # a take-back after the key expired leaves -1: nothing counted
            return [max(0, int(v)) if v is not None else 0 for v in values]

        result = self._redis(in_redis)
        return self._memory.read(keys, now) if result is None else result

    def put(self, key: str, value: int, ttl: int, now: float) -> None:
        def in_redis(pipe: redis.client.Pipeline) -> bool:
            pipe.set(key, value, ex=ttl)
            pipe.execute()
            return True

        if self._redis(in_redis) is None:
            self._memory.put(key, value, ttl, now)

    def _redis(self, operation: Callable[[redis.client.Pipeline], T]) -> T | None:
        """The operation in one MULTI/EXEC; None when Redis is (or was just found) down."""
        if (
            self._redis_down_since is not None
            and time.monotonic() - self._redis_down_since < _REDIS_RETRY_SECONDS
        ):
            return None
        try:
            result = operation(self._cache.client.pipeline(transaction=True))
        except redis.RedisError as exc:
            if self._redis_down_since is None:
                logger.warning("Redis unreachable, rate limits kept in memory: %s", exc)
            self._redis_down_since = time.monotonic()
            return None
        if self._redis_down_since is not None:
            logger.info("Redis reachable again, rate limits back in Redis")
            self._redis_down_since = None
        return result


class RateLimiter:
    """At most ``limit`` requests per client in each fixed window of ``window_seconds``."""

    def __init__(
        self,
        cache: Cache,
        name: str,
        limit: int,
        window_seconds: int,
        clock: Clock = time.time,
    ) -> None:
        self._counters = Counters(cache)
        self._name = name
        self._limit = limit
        self._window = max(window_seconds, 1)
        self._clock = clock

    def hit(self, client: str, now: float | None = None) -> Decision:
        """Counts one request of ``client`` (at ``now``, else the limiter's clock) and says
        whether it is within the limit."""
        now = self._clock() if now is None else now
        window = int(now // self._window)
        retry_after = max(1, math.ceil((window + 1) * self._window - now))
        key = self._counters.key(self._name, str(window), client_key(client))
        count = self._counters.incr(key, self._window + 1, now)
        return Decision(count <= self._limit, count, self._limit, retry_after)
