"""Rasa's socket.io channel, with sessions the server issues and binds to one socket.

Rasa 3.6 let the page choose the session id, and any socket that named an id joined its room: a
second socket, from any site, read the victim's replies (dossier status included) and typed into
their conversation. Here:

- ``connect`` is refused unless the ``Origin`` header is one of ALLOWED_ORIGINS
  (bot/channels/origins.py): a page of another site cannot open a chat in its visitors' name.
- ``session_request`` gives a NEW server-issued id with its token (``session_confirm`` sends
  ``{"session_id", "session_token"}``); the old id is resumed only with its valid token
  (bot/channels/sessions.py). rasa-webchat reads ``session_confirm.session_id``, so it still works.
- ``user_uttered`` speaks in the session bound to that socket; one naming another session is
  dropped. Messages longer than MAX_MESSAGE_CHARS become ``/message_too_long``.

For the web chat (web/, served by bot/channels/webpage.py) the server also sends, after
``session_confirm``, ``session_history {"session_id", "messages"}``: the conversation so far when a
session is resumed with its token (empty for a new one), so a reloaded page shows it again without
keeping a transcript in the browser (bot/channels/history.py); and ``bot_typing {"typing"}`` around
the handling of each message, so the page shows "typing" until the bot's last reply. Clients that
do not know these events (rasa-webchat) ignore them. The chat page's own origin (RASA_PUBLIC_URL)
is always allowed.

Also kept: the ``enter_room`` fix (python-socketio >= 5.10 made it a coroutine that Rasa 3.6 does
not await, RasaHQ/rasa#13027). Bindings live in this process: with several Rasa processes the
load balancer must keep a socket on one of them, as socket.io itself requires.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import overload
from bot.channels.domain_text import NOT_ANSWERED, domain_texts
from bot.channels.history import conversation_history
from bot.channels.limits import (
    MAX_METADATA_CHARS,
    capped,
    max_message_chars,
    metadata_too_large,
)
from bot.channels.origins import origin_allowed, socket_origins
from bot.channels.paused import paused
from bot.channels.sessions import SessionSigner, session_secret

logger = logging.getLogger(__name__)


class CountingOutput(SocketIOOutput):
    """Rasa's socket.io output, counting what it emitted: a message that got nothing is told so."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


class _AppAwareBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, remembering the app it is registered on: the app's agent holds
    the tracker store a resumed session's history is read from."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> str:
        # the widget connects to /socket.io whatever this class is called
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # read here, not at import: the launcher's environment decides
        allowed = socket_origins(os.environ)
        if not allowed:
            logger.warning(
                "ALLOWED_ORIGINS and RASA_PUBLIC_URL name no origin: every socket.io connection "
                "is refused"
            )
        signer = SessionSigner(session_secret(os.environ))
        max_chars = max_message_chars(os.environ)
        namespace = self.namespace
        # socket id -> the session it holds; one session per socket
        bound: dict[str, str] = {}

        # CORS headers come from Rasa's --cors (sanic_cors); engine.io adding its own would
        # double them, hence [] as in Rasa. Origins are checked in ``connect``.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = _AppAwareBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        webhook.ctx.app = None
        self.sio = sio  # Rasa's get_output_channel() reads it

        async def join(sid: str, room: str) -> None:
            result = sio.enter_room(sid, room, namespace=namespace)
            if inspect.isawaitable(result):  # python-socketio >= 5.10
                await result

        async def typing(sid: str, on: bool) -> None:
            await sio.emit("bot_typing", {"typing": on}, room=sid, namespace=namespace)

        async def leave(sid: str, room: str) -> None:
            result = sio.leave_room(sid, room, namespace=namespace)
            if inspect.isawaitable(result):
                await result

        async def history(session_id: str) -> list[dict[str, Any]]:
            agent = getattr(getattr(webhook.ctx.app, "ctx", None), "agent", None)
            store = getattr(agent, "tracker_store", None)
            if store is None:
                return []
            try:
                tracker = await store.retrieve(session_id)
            except Exception:  # the history is a courtesy: the conversation goes on without it
                logger.exception("the history of a resumed web chat could not be read")
                return []
            if tracker is None:
                return []
            return conversation_history(event.as_dict() for event in tracker.events)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, allowed):
                logger.warning("socket.io connection refused: origin %r not allowed", origin)
                return False
            # the optional JWT of Rasa's channel (jwt_key in credentials.yml) still applies
            return not self.jwt_key or self._jwt_valid(auth)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str) -> None:
            bound.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            asked = data if isinstance(data, dict) else {}
            session_id = asked.get("session_id")
            resumed = signer.verify(session_id, asked.get("session_token"))
            if resumed:
                assert isinstance(session_id, str)  # verify() accepts only strings
                token = signer.token_for(session_id)
            else:
                if session_id:
                    logger.info("session_request without a valid token: a new session is issued")
                session = signer.issue()
                session_id, token = session.session_id, session.token
            previous = bound.get(sid)
            if previous and previous != session_id and self.session_persistence:
                await leave(sid, previous)
            bound[sid] = session_id
            if self.session_persistence:
                await join(sid, session_id)
            await sio.emit(
                "session_confirm",
                {"session_id": session_id, "session_token": token},
                room=sid,
                namespace=namespace,
            )
            # only after the token was checked, and only to this socket
            await sio.emit(
                "session_history",
                {
                    "session_id": session_id,
                    "messages": await history(session_id) if resumed else [],
                },
                room=sid,
                namespace=namespace,
            )

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict):
                return
            session_id = bound.get(sid)
            if self.session_persistence:
                if session_id is None:
                    logger.warning("socket.io message before session_request: dropped")
                    return
                claimed = data.get("session_id")
                if claimed is not None and claimed != session_id:
                    logger.warning("socket.io message for a session this socket does not hold")
                    return
                sender_id = session_id
            else:
                sender_id = sid
            text = data.get("message", "")
            if not isinstance(text, str):
                return
            output = CountingOutput(sio, self.bot_message_evt)
            message = UserMessage(
                capped(text, max_chars),
                output,
                sender_id,
                input_channel=self.name(),
                metadata=page_metadata(data.get(self.metadata_key)),
            )
            gate = overload.gate()
            if not gate.enter():
                for busy in overload.busy_texts(webhook.ctx.app):
                    await sio.emit(self.bot_message_evt, {"text": busy}, room=sid,
                                   namespace=namespace)
                return
            await typing(sid, True)
            try:
                await on_new_message(message)  # returns once every reply has been emitted
            except Exception:
                logger.exception("socket.io: the message failed")
            finally:
                gate.leave()
                await typing(sid, False)
            # the action server, Redis or the model failed: say so (not when staff took it over)
            if not output.sent and not await paused(webhook.ctx.app, sender_id):
                for text in domain_texts(webhook.ctx.app, NOT_ANSWERED):
                    await sio.emit(self.bot_message_evt, {"text": text}, room=sid,
                                   namespace=namespace)

        return webhook

    def _jwt_valid(self, auth: Any) -> bool:
        from rasa.core.channels.channel import decode_bearer_token

        token = auth.get("token") if isinstance(auth, dict) else None
        if not token:
            return False
        return bool(decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))


def page_metadata(value: Any) -> dict[str, Any]:
    """The page's metadata (customData) as a dict; anything else, or anything larger than
    MAX_METADATA_CHARS, is dropped, never a crash (it is stored in the tracker on every turn)."""
    if isinstance(value, str):
        if len(value) > MAX_METADATA_CHARS:
            return {}
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict) or metadata_too_large(value):
        return {}
    return value
