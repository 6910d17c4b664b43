"""Rasa's REST channel, strict about what it accepts and capped in length.

Registered in credentials.yml instead of ``rest:``; its name stays "rest", so the URL stays
``/webhooks/rest/webhook`` (the chat page and QA replay use it). What is refused and why:
bot/channels/rest_body.py; the length cap: bot/channels/limits.py.
"""

from __future__ import annotations

import inspect
import logging
import os
import time
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels import overload
from bot.channels.domain_text import NOT_ANSWERED, domain_texts
from bot.channels.limits import capped, max_message_chars
from bot.channels.paused import paused
from bot.channels.rest_body import BodyError, parse_rest_body
from vnid import request_id

logger = logging.getLogger(__name__)


class RestInput(RasaRestInput):
    def __init__(self, max_chars: int | None = None) -> None:
        self.max_chars = max_chars if max_chars is not None else max_message_chars(os.environ)

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            try:
                body = parse_rest_body(request.headers.get("content-type"), request.body)
            except BodyError as error:
                return response.json({"detail": error.detail}, status=error.status)
            text = capped(body.message, self.max_chars)
            channel = body.input_channel or self.name()
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, body.sender, channel, body.metadata),
                    content_type="text/event-stream",
                )
            rid = request_id.accept(request.headers.get(request_id.HEADER))
            reply = {request_id.HEADER: rid}
            gate = overload.gate()
            if not gate.enter():
                busy = [{"recipient_id": body.sender, "text": t}
                        for t in overload.busy_texts(request.app)]
                return response.json(
                    busy, headers={**reply, "Retry-After": str(overload.RETRY_AFTER_SECONDS)}
                )
            collector = CollectingOutputChannel()
            started = time.perf_counter()
            # Rasa's and our log lines of this message end with its id, which is also the
            # message's id in the tracker: the action server passes it on to the connectors
            context = request_id.current.set(rid)
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, body.sender, input_channel=channel,
                        metadata=body.metadata, message_id=rid,
                    )
                )
            except CancelledError:
                logger.error("rest: the message timed out (%d characters)", len(text))
            except Exception:
                # as Rasa's own channel: what the bot said so far is still returned
                logger.exception("rest: the message failed (%d characters)", len(text))
            finally:
                gate.leave()
                logger.info("rest: %d bot messages in %.0f ms", len(collector.messages),
                            (time.perf_counter() - started) * 1000)
                request_id.current.reset(context)
            if not collector.messages and not await paused(request.app, body.sender):
                # the action server, Redis or the model failed: the citizen is told, not left
                # waiting for an answer that never comes
                return response.json([
                    {"recipient_id": body.sender, "text": t}
                    for t in domain_texts(request.app, NOT_ANSWERED)
                ], headers=reply)
            return response.json(collector.messages, headers=reply)

        return webhook
