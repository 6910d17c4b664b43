"""Sends one message to a Zalo user through the OA (``POST /v3.0/oa/message/cs``).

Zalo answers HTTP 200 with ``"error": 0`` when it took the message, and HTTP 200 with another
``error`` when it did not:

- -216, -124: the access token is invalid or expired: refreshed (bot/channels/zalo_tokens.py)
  and the send tried once more;
- -32, -100: too many requests / try later: retried after RETRY_DELAYS, and every send of this
  process waits out the same pause (backing off together, not each on its own);
- -230: the citizen has not written to the OA within 7 days: Zalo allows no message; logged;
- anything else: logged, not retried.

Connection failures and HTTP 5xx are retried like -32; a send that timed out after it was made is
not (Zalo may have taken it: a retry could deliver it twice). ``send`` never raises: a failure
costs that message, never the conversation (Rasa keeps the tracker).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import aiohttp

from bot.channels.zalo_http import LazySession
from bot.channels.zalo_send import request_body
from bot.channels.zalo_tokens import TokenManager, TokenUnavailable

logger = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
TOKEN_ERRORS = frozenset({-216, -124})
BACKOFF_ERRORS = frozenset({-32, -100})
NOT_INTERACTED = -230
# seconds before the second and the third attempt: a Zalo outage of a few seconds costs no
# message, a longer one costs at most this much of the conversation's time
RETRY_DELAYS = (1.0, 3.0)


class Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"


def who(user_id: str) -> str:
    """A Zalo user id in logs: a short digest, never the id (it is personal data)."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:10]


class ZaloClient:
    def __init__(
        self,
        http: LazySession,
        api_url: str,
        tokens: TokenManager,
        *,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._url = api_url.rstrip("/") + SEND_PATH
        self._tokens = tokens
        self._delays = retry_delays
        self._clock = clock
        self._sleep = sleep
        # sends of this process wait until then after Zalo asked to slow down
        self._resume_at = 0.0

    async def send(self, user_id: str, message: dict[str, Any]) -> Outcome:
        body = request_body(user_id, message)
        refreshed = False
        attempt = 0
        while True:
            await self._wait_for_backoff()
            try:
                token = await self._tokens.access_token()
            except TokenUnavailable as error:
                logger.error("zalo: message to %s not sent: %s", who(user_id), error)
                return Outcome.FAILED
            retry_reason = ""
            try:
                status, answer = await self._post(token, body)
            except aiohttp.ClientConnectionError as error:
                if not isinstance(error, aiohttp.ClientConnectorError):
                    # the request may have reached Zalo (connection dropped mid-answer)
                    logger.error("zalo: message to %s may not have been sent (%s); not retried",
                                 who(user_id), type(error).__name__)
                    return Outcome.FAILED
                retry_reason = f"cannot connect ({type(error).__name__})"
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error("zalo: message to %s may not have been sent (%s); not retried",
                             who(user_id), type(error).__name__)
                return Outcome.FAILED
            else:
                error_code = answer.get("error")
                if status == 200 and error_code == 0:
                    return Outcome.SENT
                if status >= 500:
                    retry_reason = f"HTTP {status}"
                elif error_code in TOKEN_ERRORS and not refreshed:
                    refreshed = True
                    logger.info("zalo: access token refused (%s): refreshing", error_code)
                    try:
                        await self._tokens.refresh(stale=token)
                    except TokenUnavailable as refresh_error:
                        logger.error("zalo: message to %s not sent: %s", who(user_id),
                                     refresh_error)
                        return Outcome.FAILED
                    continue
                elif error_code in BACKOFF_ERRORS:
                    retry_reason = f"error {error_code} ({answer.get('message')})"
                elif error_code == NOT_INTERACTED:
                    logger.info("zalo: %s has not written to the OA for 7 days: no message "
                                "allowed (-230)", who(user_id))
                    return Outcome.FAILED
                else:
                    logger.error("zalo: message to %s refused: HTTP %s, error %s (%s)",
                                 who(user_id), status, error_code, answer.get("message"))
                    return Outcome.FAILED
            if attempt >= len(self._delays):
                logger.error("zalo: message to %s not sent after %d attempts: %s",
                             who(user_id), attempt + 1, retry_reason)
                return Outcome.FAILED
            delay = self._delays[attempt]
            attempt += 1
            logger.warning("zalo: %s; trying again in %.1f s", retry_reason, delay)
            self._resume_at = max(self._resume_at, self._clock() + delay)

    async def _wait_for_backoff(self) -> None:
        pause = self._resume_at - self._clock()
        if pause > 0:
            await self._sleep(pause)

    async def _post(self, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        async with self._http.get().post(
            self._url, json=body, headers={"access_token": token}
        ) as response:
            raw = await response.read()
            status = response.status
        try:
            answer: Any = json.loads(raw)
        except ValueError:
            answer = None
        return status, answer if isinstance(answer, dict) else {}
