"""The OA's access token, refreshed ahead of its expiry or when Zalo refuses it.

``POST {ZALO_OAUTH_URL}/v4/oa/access_token`` (header ``secret_key: <App Secret Key>``, form
``app_id``, ``grant_type=refresh_token``, ``refresh_token``) answers ``{access_token,
refresh_token, expires_in}``: about 25 hours for the access token; the refresh token is single-use
and the answer carries the next one. Failures also come as HTTP 200, with ``error`` and
``error_name``: the stored pair is then left as it was, never overwritten with nothing.

One refresh at a time across every Rasa process (the store's lock); a process that waited for the
lock finds the pair another one just stored and uses it instead of spending the refresh token
again. Where the pair lives: bot/channels/zalo_token_store.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.channels.zalo_http import LazySession
from bot.channels.zalo_token_store import TokenPair, TokenStore, TokenStoreError

logger = logging.getLogger(__name__)

TOKEN_PATH = "/v4/oa/access_token"
# an access token is replaced this long before Zalo says it expires (it lives about 25 hours)
REFRESH_AHEAD_SECONDS = 3600.0


class TokenUnavailable(Exception):
    """No access token can be had now; the reason is in the message (never a token)."""


class TokenRefused(TokenUnavailable):
    """The token endpoint answered with an error (a spent or revoked refresh token...)."""


@dataclass(frozen=True)
class Fresh:
    access_token: str
    refresh_token: str
    expires_in: float


def _expires_in(value: Any) -> float | None:
    # Zalo writes it as a string ("90000")
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None
    return seconds if seconds > 0 else None


class TokenEndpoint:
    def __init__(self, http: LazySession, oauth_url: str, app_id: str, app_secret_key: str) -> None:
        self._http = http
        self._url = oauth_url.rstrip("/") + TOKEN_PATH
        self._app_id = app_id
        self._secret = app_secret_key

    async def exchange(self, refresh_token: str) -> Fresh:
        form = {"app_id": self._app_id, "grant_type": "refresh_token",
                "refresh_token": refresh_token}
        try:
            async with self._http.get().post(
                self._url, data=form, headers={"secret_key": self._secret}
            ) as response:
                status = response.status
                raw = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # if Zalo did the refresh and only its answer was lost, the refresh token is spent
            logger.error(
                "zalo: the token endpoint did not answer (%s); if sends keep failing with "
                "expired-token errors, issue a new refresh token (README: Zalo OA)",
                type(error).__name__,
            )
            raise TokenUnavailable("the token endpoint did not answer") from None
        try:
            data: Any = json.loads(raw)
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else {}
        access, refresh = data.get("access_token"), data.get("refresh_token")
        expires_in = _expires_in(data.get("expires_in"))
        if (status == 200 and isinstance(access, str) and access
                and isinstance(refresh, str) and refresh and expires_in):
            return Fresh(access, refresh, expires_in)
        logger.error(
            "zalo: the token endpoint refused the refresh (HTTP %s, error %s %s: %s); the stored "
            "tokens are kept",
            status, data.get("error"), data.get("error_name"), data.get("error_description"),
        )
        raise TokenRefused(f"refused: {data.get('error_name') or status}")


class TokenManager:
    def __init__(
        self,
        store: TokenStore,
        endpoint: TokenEndpoint,
        first: TokenPair | None,
        *,
        clock: Callable[[], float] = time.time,
        refresh_ahead: float = REFRESH_AHEAD_SECONDS,
    ) -> None:
        self._store = store
        self._endpoint = endpoint
        # the pair from the environment: used until the store holds one grown from it
        self._first = first
        self._clock = clock
        self._ahead = refresh_ahead
        self._local: asyncio.Lock | None = None
        # a refreshed pair the store failed to take: the old refresh token is spent, so this one
        # is the only good one and is written before anything else is read
        self._unsaved: TokenPair | None = None

    async def access_token(self) -> str:
        """A token to send with now: the stored one, refreshed first when it is due."""
        pair = await self._current()
        if pair.access_token and not self._due(pair):
            return pair.access_token
        try:
            return await self.refresh(stale=pair.access_token)
        except TokenUnavailable:
            if pair.access_token and not self._expired(pair):
                logger.warning("zalo: refreshing ahead of expiry failed; the current token is used")
                return pair.access_token
            raise

    async def refresh(self, stale: str) -> str:
        """A new access token in place of ``stale`` (Zalo refused it, or it is due)."""
        try:
            async with self._lock(), self._store.lock():
                pair = await self._load()
                if pair is None:
                    raise TokenUnavailable("no Zalo tokens: set ZALO_REFRESH_TOKEN")
                if pair.access_token and pair.access_token != stale and not self._due(pair):
                    return pair.access_token  # another process or task refreshed meanwhile
                if not pair.refresh_token:
                    raise TokenUnavailable("no refresh token: set ZALO_REFRESH_TOKEN")
                fresh = await self._endpoint.exchange(pair.refresh_token)
                new = TokenPair(fresh.access_token, fresh.refresh_token,
                                self._clock() + fresh.expires_in, pair.seed)
                self._unsaved = new
                with contextlib.suppress(TokenStoreError):  # kept in memory, stored next time
                    await self._save_unsaved()
                logger.info("zalo: access token refreshed (valid %.0f h)", fresh.expires_in / 3600)
                return new.access_token
        except TokenStoreError as error:
            raise TokenUnavailable(f"token store: {error}") from None

    async def keep_fresh(self) -> None:
        """Refreshes when due, so that a quiet OA's refresh token never goes stale either."""
        try:
            pair = await self._current()
            if self._due(pair):
                await self.refresh(stale=pair.access_token)
        except TokenUnavailable as error:
            logger.warning("zalo: scheduled token refresh failed: %s", error)

    # -- helpers ---------------------------------------------------------------------------

    def _lock(self) -> asyncio.Lock:
        # one refresh at a time in this process too: waiting tasks do not poll the shared lock
        if self._local is None:
            self._local = asyncio.Lock()
        return self._local

    def _due(self, pair: TokenPair) -> bool:
        return pair.expires_at is not None and self._clock() >= pair.expires_at - self._ahead

    def _expired(self, pair: TokenPair) -> bool:
        return pair.expires_at is not None and self._clock() >= pair.expires_at

    def _seed_replaces(self, stored: TokenPair | None) -> bool:
        first = self._first
        return first is not None and (stored is None or stored.seed != first.seed)

    async def _current(self) -> TokenPair:
        try:
            pair = None if self._unsaved else await self._store.load()
            if self._unsaved or self._seed_replaces(pair):
                async with self._lock(), self._store.lock():
                    pair = await self._load()
        except TokenStoreError as error:
            if self._unsaved:
                return self._unsaved
            raise TokenUnavailable(f"token store: {error}") from None
        if pair is None:
            raise TokenUnavailable("no Zalo tokens: set ZALO_REFRESH_TOKEN")
        return pair

    async def _load(self) -> TokenPair | None:
        """The stored pair (under the locks); the environment's first pair when the store holds
        none grown from it, stored at once so that every process starts from the same one."""
        await self._save_unsaved()
        pair = await self._store.load()
        if self._seed_replaces(pair):
            assert self._first is not None
            pair = self._first
            await self._store.save(pair)
            logger.info("zalo: tokens start from ZALO_REFRESH_TOKEN (a new one was set)")
        return pair

    async def _save_unsaved(self) -> None:
        pair = self._unsaved
        if pair is None:
            return
        try:
            await self._store.save(pair)
        except TokenStoreError:
            logger.critical("zalo: a refreshed token pair could not be stored; kept in memory")
            raise
        self._unsaved = None
