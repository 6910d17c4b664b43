"""The Zalo Official Account channel: citizens write to the province's OA in Zalo.

Registered in credentials.yml as ``bot.channels.zalo.ZaloInput``; Zalo posts its events to
``/webhooks/zalo/webhook``. Settings come from the environment (bot/channels/zalo_settings.py);
without them the webhook answers 503 and the other channels work as before.

    Zalo ─ signed event ─► webhook: signature, repeat, age checked; 200 at once
                              └─ background task ─► Rasa (sender ``zalo-<user id>``)
                                                       └─ ZaloOutput ─► Zalo's send API

Pieces: which events become what (zalo_events.py), the signature (zalo_signature.py), the answer
to Zalo (zalo_webhook.py), repeats (zalo_dedup.py), bot messages as Zalo messages (zalo_send.py),
sending with retries (zalo_client.py), tokens (zalo_tokens.py, zalo_token_store.py).

Duplicate checks and tokens are shared through Redis when REDIS_HOST is set and answers at start
(several Rasa processes then agree); otherwise they stay in this process and in ZALO_TOKEN_FILE.

A message can also be pushed to a Zalo user from outside a conversation turn through Rasa's API
(``POST /conversations/zalo-<id>/trigger_intent?output_channel=zalo``): ``get_output_channel``
makes that go out through the OA (Zalo allows it within 7 days of the citizen's last message).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import redis
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from redis.asyncio import Redis
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.limits import capped, max_message_chars
from bot.channels.zalo_client import Outcome, ZaloClient, who
from bot.channels.zalo_dedup import MemorySeen, RedisSeen, Seen
from bot.channels.zalo_events import Incoming, user_id
from bot.channels.zalo_http import LazySession
from bot.channels.zalo_send import zalo_messages
from bot.channels.zalo_settings import RedisSettings, ZaloSettings, zalo_settings
from bot.channels.zalo_signature import SIGNATURE_HEADER
from bot.channels.zalo_token_store import FileTokenStore, RedisTokenStore, TokenPair, TokenStore
from bot.channels.zalo_tokens import TokenEndpoint, TokenManager
from bot.channels.zalo_webhook import ZaloWebhook

logger = logging.getLogger(__name__)

# how often the channel checks whether the access token is due (refreshed an hour ahead)
KEEP_FRESH_SECONDS = 900


class ZaloOutput(OutputChannel):
    """Bot messages to the Zalo user a ``zalo-…`` sender id stands for. Never raises: a message
    Zalo did not take is logged, and the conversation goes on."""

    def __init__(self, client: ZaloClient) -> None:
        self.client = client

    @classmethod
    def name(cls) -> str:
        return "zalo"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        user = user_id(recipient_id)
        if user is None:
            logger.warning("zalo: a bot message for a sender of another channel is not sent")
            return
        for zalo_message in zalo_messages(message):
            try:
                outcome = await self.client.send(user, zalo_message)
            except Exception:
                # whatever happens in a send, Rasa must still store the turn
                logger.exception("zalo: sending to %s failed", who(user))
                return
            if outcome is not Outcome.SENT:
                return  # the rest of this message would read out of context

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class ZaloInput(InputChannel):
    def __init__(self, settings: ZaloSettings | None = None) -> None:
        self.settings = settings
        self.output: ZaloOutput | None = None

    @classmethod
    def name(cls) -> str:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ZaloInput:
        # secrets come from the environment, read in blueprint(): never from credentials.yml
        return cls()

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        # read here, not at import: the launcher's environment decides
        settings = self.settings or zalo_settings(os.environ)
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if settings.configured else "not configured"})

        if not settings.configured:
            logger.warning(
                "Zalo channel not configured (set %s): its webhook answers 503",
                ", ".join(settings.missing),
            )

            @webhook.route("/webhook", methods=["POST"])
            async def unconfigured(_request: Request) -> HTTPResponse:
                logger.info("zalo: webhook called but the channel is not configured")
                return response.json({"detail": "Kênh Zalo chưa được cấu hình."}, status=503)

            return webhook

        hook, keeper, closers = self._build(settings, on_new_message)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            ack = await hook.receive(request.headers.get(SIGNATURE_HEADER), request.body)
            return response.json(ack.body, status=ack.status)

        background: set[asyncio.Task[None]] = set()

        @webhook.listener("after_server_start")
        async def start_keeper(_app: Sanic, _loop: Any) -> None:
            background.add(asyncio.create_task(keeper()))

        @webhook.listener("before_server_stop")
        async def close(_app: Sanic, _loop: Any) -> None:
            for task in [*background, *hook.tasks]:
                task.cancel()
            for closer in closers:
                with contextlib.suppress(Exception):
                    await closer()

        return webhook

    def _build(
        self,
        settings: ZaloSettings,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> tuple[ZaloWebhook, Callable[[], Awaitable[None]], list[Callable[[], Awaitable[Any]]]]:
        http = LazySession()
        closers: list[Callable[[], Awaitable[Any]]] = [http.close]
        shared = _redis(settings.redis)
        store: TokenStore
        seen: Seen
        if shared is not None:
            store = RedisTokenStore(shared, settings.key("tokens"))
            seen = RedisSeen(shared, settings.key("seen", ""))
            closers.append(shared.close)
            where = "shared through Redis"
        else:
            store = FileTokenStore(settings.token_file)
            seen = MemorySeen()
            where = f"in this process, tokens in {settings.token_file}"
        first = (
            TokenPair(settings.access_token, settings.refresh_token, None, settings.seed)
            if settings.seed
            else None
        )
        if first is None:
            logger.warning("zalo: ZALO_REFRESH_TOKEN is not set: only a stored pair can be used")
        tokens = TokenManager(
            store,
            TokenEndpoint(http, settings.oauth_url, settings.app_id, settings.app_secret_key),
            first,
        )
        self.output = ZaloOutput(ZaloClient(http, settings.api_url, tokens))
        output = self.output
        max_chars = max_message_chars(os.environ)

        # Rasa's NLU and policies run on the server's one event loop: a hundred conversations
        # processed at once would make every acknowledgement wait behind their work (and Zalo
        # retries after 2 s); a few at a time answer as fast overall and acknowledge sooner
        workers = asyncio.Semaphore(settings.concurrency)

        async def deliver(incoming: Incoming) -> None:
            message = UserMessage(
                capped(incoming.text, max_chars),
                output,
                incoming.sender_id,
                input_channel=self.name(),
                metadata={"zalo_event": incoming.event},
            )
            try:
                async with workers:
                    await on_new_message(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("zalo: a %s event from %s failed", incoming.event,
                                 who(incoming.user_id))

        async def keeper() -> None:
            while True:
                try:
                    await tokens.keep_fresh()
                except Exception:
                    logger.exception("zalo: scheduled token refresh failed")
                await asyncio.sleep(KEEP_FRESH_SECONDS)

        logger.info("Zalo channel ready (app %s): duplicates and tokens %s", settings.app_id, where)
        hook = ZaloWebhook(settings.app_id, settings.oa_secret_key, seen, deliver)
        return hook, keeper, closers


def _redis(settings: RedisSettings | None) -> Redis | None:
    """The shared Redis when it is configured and answers now; None (with a notice) if not."""
    if settings is None:
        return None
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "db": settings.db,
        "password": settings.password, "socket_timeout": 2.0, "socket_connect_timeout": 2.0,
    }
    probe = redis.Redis(**options)
    try:
        probe.ping()
    except redis.RedisError as error:
        logger.warning(
            "zalo: Redis at %s:%s does not answer (%s): duplicate checks stay in this process "
            "and tokens in a file; run one Rasa process only", settings.host, settings.port,
            type(error).__name__,
        )
        return None
    finally:
        probe.close()
    return Redis(**options)
