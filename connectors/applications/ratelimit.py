"""Fixed-window rate limiting per client, in Redis (shared by every connectors instance).

When Redis is unreachable each process keeps its own counters in memory: the limit still holds per
instance, and /health reports Redis as down. After a failure Redis is retried only every few
seconds, so an outage does not add a connect timeout to every request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from connectors.cache import Cache

logger = logging.getLogger(__name__)

_REDIS_RETRY_SECONDS = 5.0
_MEMORY_MAX_KEYS = 50_000


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
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window, count)

    def incr(self, key: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > _MEMORY_MAX_KEYS:
                self._counts = {k: v for k, v in self._counts.items() if v[0] >= window}
            seen_window, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen_window == window else 1
            self._counts[key] = (window, count)
            return count


class RateLimiter:
    def __init__(
        self,
        cache: Cache,
        name: str,
        limit: int,
        window_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self._name = name
        self._limit = limit
        self._window = max(window_seconds, 1)
        self._clock = clock
        self._memory = _MemoryCounters()
        self._redis_down_since: float | None = None

    def hit(self, client: str) -> Decision:
        """Counts one request of ``client`` and says whether it is within the limit."""
        now = self._clock()
        window = int(now // self._window)
        retry_after = max(1, math.ceil((window + 1) * self._window - now))
        key = self._cache.key("ratelimit", self._name, str(window), client_key(client))
        count = self._incr_redis(key)
        if count is None:
            count = self._memory.incr(key, window)
        return Decision(count <= self._limit, count, self._limit, retry_after)

    def _incr_redis(self, key: str) -> int | None:
        if (
            self._redis_down_since is not None
            and time.monotonic() - self._redis_down_since < _REDIS_RETRY_SECONDS
        ):
            return None
        try:
            pipe = self._cache.client.pipeline(transaction=True)
            pipe.incr(key)
            # the window is in the key, so refreshing the expiry on each hit is harmless
            pipe.expire(key, self._window + 1)
            count, _ = pipe.execute()
        except redis.RedisError as exc:
            if self._redis_down_since is None:
                logger.warning("Redis unreachable, rate limits kept in memory: %s", exc)
            self._redis_down_since = time.monotonic()
            return None
        if self._redis_down_since is not None:
            logger.info("Redis reachable again, rate limits back in Redis")
            self._redis_down_since = None
        return int(count)
