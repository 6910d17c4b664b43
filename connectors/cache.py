"""A cache of serialised API bodies in Redis that degrades to no cache when Redis is unreachable.

Keys carry the catalogue version, so bumping the version invalidates every cached search and
detail at once on every connectors instance.
"""

from __future__ import annotations

import logging
import time

import redis

logger = logging.getLogger(__name__)

_RETRY_AFTER_SECONDS = 5.0


class Cache:
    def __init__(self, url: str, prefix: str, ttl_seconds: int) -> None:
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=0.2, socket_timeout=0.5, decode_responses=True
        )
        # bytes in, bytes out: cached API bodies go to the client without decoding
        self._raw = redis.Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.5)
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._down_since: float | None = None

    @property
    def client(self) -> redis.Redis:
        return self._client

    def key(self, *parts: str) -> str:
        return self._prefix + ":".join(parts)

    def _usable(self) -> bool:
        # after a failure, don't pay a connect timeout on every request
        return (
            self._down_since is None or time.monotonic() - self._down_since > _RETRY_AFTER_SECONDS
        )

    def _failed(self, exc: Exception) -> None:
        if self._down_since is None:
            logger.warning("Redis unreachable, serving without cache: %s", exc)
        self._down_since = time.monotonic()

    def ping(self) -> bool:
        try:
            ok = bool(self._client.ping())
        except redis.RedisError as exc:
            self._failed(exc)
            return False
        self._down_since = None
        return ok

    def get_raw(self, key: str) -> bytes | None:
        if not self._usable():
            return None
        try:
            raw = self._raw.get(key)
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        self._down_since = None
        return raw if isinstance(raw, bytes) else None

    def set_raw(self, key: str, value: bytes) -> None:
        if not self._usable():
            return
        try:
            self._raw.set(key, value, ex=self._ttl)
        except redis.RedisError as exc:
            self._failed(exc)

    def close(self) -> None:
        self._raw.close()
        self._client.close()
