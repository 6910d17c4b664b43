"""A web chat's conversation so far, rebuilt from its tracker events for the page to show again.

The page keeps no transcript of its own: after a reload (or a reconnect) the server sends what the
citizen and the bot said in the current Rasa session, and only to the socket that proved the
session's signed token (bot/channels/socketio.py). Nothing is stored in the browser but the token,
and a conversation erased or expired on the server is gone from the page too.

The messages have the shape of the live ``bot_uttered`` ones: a bot text is split on blank lines
as Rasa's socket.io output splits it, buttons come as ``quick_replies`` on the last part. A payload
the citizen sent by tapping a button (``/check_status``) is shown as the button's title, as it was
when tapped; other payloads (the page's own ``/greet``, ``/message_too_long``) are not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# the newest messages only: a long conversation still reloads at once
MAX_HISTORY_MESSAGES = 100


def _quick_replies(buttons: Any) -> list[dict[str, str]]:
    if not isinstance(buttons, list):
        return []
    return [
        {"content_type": "text", "title": str(b["title"]), "payload": str(b["payload"])}
        for b in buttons
        if isinstance(b, Mapping) and b.get("title") and b.get("payload")
    ]


def _bot_messages(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
    buttons = _quick_replies((data or {}).get("buttons"))
    text = event.get("text")
    if not isinstance(text, str) or not text.strip():
        # an image or custom payload: the page shows text and buttons only
        return [{"sender": "bot", "text": "", "quick_replies": buttons}] if buttons else []
    parts: list[dict[str, Any]] = [
        {"sender": "bot", "text": part} for part in text.strip().split("\n\n")
    ]
    if buttons:
        parts[-1]["quick_replies"] = buttons
    return parts


def _shown_user_text(text: str, offered: Mapping[str, str]) -> str | None:
    """What the page showed for a citizen's message: its text, a tapped button's title, or
    nothing for a payload no button offered."""
    if not text.startswith("/"):
        return text
    return offered.get(text)


def conversation_history(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The messages of the latest Rasa session in ``events`` (tracker events as dicts)."""
    session: list[Mapping[str, Any]] = []
    for event in events:
        if event.get("event") == "session_started":
            session = []
        else:
            session.append(event)
    messages: list[dict[str, Any]] = []
    # payload -> title of the buttons on the page; the page removes them once the citizen answers
    offered: dict[str, str] = {}
    for event in session:
        kind = event.get("event")
        if kind == "bot":
            for message in _bot_messages(event):
                messages.append(message)
                for reply in message.get("quick_replies", []):
                    offered[reply["payload"]] = reply["title"]
        elif kind == "user" and isinstance(event.get("text"), str):
            text = _shown_user_text(event["text"], offered)
            offered = {}
            if text:
                messages.append({"sender": "user", "text": text})
    return messages[-MAX_HISTORY_MESSAGES:]
