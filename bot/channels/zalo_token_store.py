"""Where the Zalo OA's current token pair lives, and the lock that lets one refresh at a time.

Zalo's refresh token is single-use: each refresh answers a new pair and the old refresh token is
dead. Two processes refreshing with the same token at once leave one of them with a refused
token, and a pair lost after a refresh cannot be asked for again. So the pair is written whole in
one step (never half of it, never over a good pair with an error), and refreshes hold a lock
shared by every Rasa process:

- RedisTokenStore (when Redis is configured): one key holding the pair as JSON (SET is atomic),
  a redis-py lock with an expiry, so a process that dies holding it does not block the others
  for ever.
- FileTokenStore (no Redis: one host): a JSON file replaced by an atomic rename (written to a
  temporary file beside it, fsynced, then renamed), mode 0600, and an flock on a lock file beside
  it, polled so that a cancelled wait never leaves a thread holding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

# longer than a refresh takes (the token endpoint's timeout), short enough to recover from a
# process that died holding the lock
LOCK_SECONDS = 30.0
LOCK_WAIT_SECONDS = 35.0


class TokenStoreError(Exception):
    """The store could not be read, written or locked."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    # epoch seconds; None when not known (a first access token from the environment)
    expires_at: float | None
    # which first pair from the environment this chain grew from (ZaloSettings.seed)
    seed: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> TokenPair | None:
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        access, refresh = data.get("access_token"), data.get("refresh_token")
        expires, seed = data.get("expires_at"), data.get("seed")
        if not isinstance(access, str) or not isinstance(refresh, str):
            return None
        if expires is not None and not isinstance(expires, (int, float)):
            return None
        return cls(access, refresh, float(expires) if expires is not None else None,
                   seed if isinstance(seed, str) else "")


class TokenStore(Protocol):
    async def load(self) -> TokenPair | None: ...

    async def save(self, pair: TokenPair) -> None: ...

    def lock(self) -> contextlib.AbstractAsyncContextManager[None]: ...


class RedisTokenStore:
    def __init__(self, client: Redis, key: str) -> None:
        self._client = client
        self._key = key

    async def load(self) -> TokenPair | None:
        try:
            raw = await self._client.get(self._key)
        except RedisError as error:
            raise TokenStoreError(f"redis: {type(error).__name__}") from None
        if raw is None:
            return None
        pair = TokenPair.from_json(raw)
        if pair is None:
            logger.error("zalo: the stored token pair in Redis is unreadable")
        return pair

    async def save(self, pair: TokenPair) -> None:
        try:
            await self._client.set(self._key, pair.to_json())
        except RedisError as error:
            raise TokenStoreError(f"redis: {type(error).__name__}") from None

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        lock = self._client.lock(
            f"{self._key}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_WAIT_SECONDS
        )
        try:
            await lock.acquire()
        except (LockError, RedisError) as error:
            raise TokenStoreError(f"redis lock: {type(error).__name__}") from None
        try:
            yield
        finally:
            with contextlib.suppress(LockError, RedisError):  # expired meanwhile: nothing to free
                await lock.release()


class FileTokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")

    async def load(self) -> TokenPair | None:
        return await asyncio.to_thread(self._read)

    async def save(self, pair: TokenPair) -> None:
        await asyncio.to_thread(self._write, pair)

    def _read(self) -> TokenPair | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise TokenStoreError(f"file: {error.strerror}") from None
        pair = TokenPair.from_json(raw)
        if pair is None:
            logger.error("zalo: the token file %s is unreadable", self.path)
        return pair

    def _write(self, pair: TokenPair) -> None:
        directory = self.path.parent
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as file:  # mkstemp: mode 0600
                    file.write(pair.to_json())
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, self.path)  # readers see the old pair or the new one
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            directory_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(directory_fd)  # the rename itself survives a power cut
            finally:
                os.close(directory_fd)
        except OSError as error:
            raise TokenStoreError(f"file: {error.strerror}") from None

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        try:
            self._lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise TokenStoreError(f"lock file: {error.strerror}") from None
        try:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TokenStoreError("lock file: still held by another process") from None
                    await asyncio.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
