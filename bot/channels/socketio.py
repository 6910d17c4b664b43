"""Rasa's socket.io input channel with the ``enter_room`` fix.

Since python-socketio 5.10, ``AsyncServer.enter_room`` is a coroutine, but Rasa 3.6 calls it without
``await`` (RasaHQ/rasa#13027): with ``session_persistence: true`` the browser never receives replies.
The lock file also pins python-socketio 5.9 (where it is synchronous); this wrapper keeps the channel
working if that pin is ever lifted. Registered in credentials.yml as ``bot.channels.socketio.SocketIOInput``.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> Text:
        # the widget connects to /socket.io whatever this class is called
        return "socketio"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()
        original = sio.enter_room

        def enter_room(sid: Text, room: Text, namespace: Optional[Text] = None) -> None:
            result = original(sid, room, namespace=namespace)
            if inspect.isawaitable(result):
                asyncio.ensure_future(result)

        sio.enter_room = enter_room  # type: ignore[method-assign]
        return blueprint
