"""Which Zalo events were already taken: Zalo sends an event again when its webhook was not
answered in time, and a citizen must not get the same answer twice.

With Redis, ``SET key 1 NX EX ttl`` decides for every Rasa process at once; without it (or while
Redis fails) a bounded in-process memory does, for this process only. A Redis failure lets the
event through (a rare double answer) rather than drop a citizen's message.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Zalo retries within minutes; events older than this are refused anyway (bot/channels/zalo.py)
SEEN_SECONDS = 3600
MAX_REMEMBERED = 100_000


class Seen(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen within the window, False for a repeat."""
        ...


class MemorySeen:
    def __init__(
        self,
        ttl: float = SEEN_SECONDS,
        max_entries: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        # key -> when it is forgotten; insertion order is expiry order (one ttl for all)
        self._until: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = self._clock()
        while self._until and (
            next(iter(self._until.values())) <= now or len(self._until) >= self._max
        ):
            self._until.popitem(last=False)
        if key in self._until:
            return False
        self._until[key] = now + self._ttl
        return True


class RedisSeen:
    def __init__(self, client: Redis, prefix: str, ttl: int = SEEN_SECONDS) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl = ttl
        self._fallback = MemorySeen(ttl)

    async def first_time(self, key: str) -> bool:
        try:
            return bool(await self._client.set(f"{self._prefix}{key}", 1, nx=True, ex=self._ttl))
        except RedisError as error:
            logger.warning("zalo: duplicate check without Redis (%s)", type(error).__name__)
            return await self._fallback.first_time(key)
