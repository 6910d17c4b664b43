"""Rasa's socket.io input channel with the ``enter_room`` fix.

Since python-socketio 5.10, ``AsyncServer.enter_room`` is a coroutine, but Rasa 3.6 calls it
without ``await`` (RasaHQ/rasa#13027): with ``session_persistence: true`` the browser never gets
replies. The lock file pins python-socketio 5.9 (where it is synchronous); this wrapper keeps the
channel working if that pin is ever lifted. Registered in credentials.yml by its module path.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

_pending: set[asyncio.Future[Any]] = set()


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> str:
        # the widget connects to /socket.io whatever this class is called
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()
        original = sio.enter_room

        def enter_room(sid: str, room: str, namespace: str | None = None) -> None:
            result = original(sid, room, namespace=namespace)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                _pending.add(task)  # keep a reference until the room is joined
                task.add_done_callback(_pending.discard)

        sio.enter_room = enter_room  # type: ignore[method-assign]
        return blueprint
