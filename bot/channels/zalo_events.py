"""Which Zalo OA webhook events reach the dialogue, as what, and under which sender id.

- ``user_send_text`` (and ``user_click_button``: a tap on an ``oa.query.hide`` button arrives as
  the hidden text, which is the Rasa payload) -> the text.
- ``follow`` -> ``/greet``: the greeting with the menu, as a citizen who says hello gets.
- ``user_send_image``, ``_sticker``, ``_file``, ``_location``, ``_audio``, ``_video``, ``_gif``,
  ``_link``, ``_business_card``... -> ``/media_message``: the dialogue asks, politely and in the
  domain's words (utter_text_only), for the question in writing.
- Everything else is acknowledged and dropped: ``oa_send_*`` (echoes of what the OA itself sent:
  answering them would make the bot talk to itself), the receipts ``user_received_message`` and
  ``user_seen_message``, ``unfollow``, reactions, and ``anonymous_*`` (visitors who are not
  followers: the OA answers them through another API, not implemented).

The sender id is the Zalo user's id (scoped to the OA) prefixed with ``zalo-``: it never collides
with a web chat's, and the REST channel refuses it (bot/channels/rest_body.py), so nobody can
speak in a Zalo user's conversation through another door.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ZALO_PREFIX = "zalo-"
GREETING = "/greet"
MEDIA = "/media_message"
TEXT_EVENTS = frozenset({"user_send_text", "user_click_button"})


@dataclass(frozen=True)
class Incoming:
    """One event for the dialogue."""

    event: str
    user_id: str
    text: str
    # what identifies a repeat of this event (Zalo retries when it is not answered in time)
    key: str
    timestamp_ms: int | None

    @property
    def sender_id(self) -> str:
        return sender_id(self.user_id)


def sender_id(user_id: str) -> str:
    return ZALO_PREFIX + user_id


def user_id(sender: str) -> str | None:
    """The Zalo user a Rasa sender id stands for; None for a sender of another channel."""
    if not sender.startswith(ZALO_PREFIX) or len(sender) == len(ZALO_PREFIX):
        return None
    return sender[len(ZALO_PREFIX):]


def _id(value: Any) -> str:
    # ids are strings in Zalo's JSON; a number (some SDKs) is kept as its digits, never a float
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _timestamp(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def read_event(data: dict[str, Any]) -> Incoming | None:
    """The event as the dialogue gets it, or None when it is to be acknowledged and dropped."""
    event = data.get("event_name")
    if not isinstance(event, str):
        return None
    timestamp = _timestamp(data.get("timestamp"))
    if event == "follow":
        follower = data.get("follower")
        user = _id(follower.get("id")) if isinstance(follower, dict) else ""
        if not user:
            return None
        # a follow carries no msg_id: the user and the moment identify it
        return Incoming(event, user, GREETING, f"follow:{user}:{timestamp}", timestamp)
    if not event.startswith("user_send_") and event not in TEXT_EVENTS:
        return None
    sender = data.get("sender")
    user = _id(sender.get("id")) if isinstance(sender, dict) else ""
    message = data.get("message")
    message = message if isinstance(message, dict) else {}
    recipient = data.get("recipient")
    oa = _id(recipient.get("id")) if isinstance(recipient, dict) else ""
    if not user or user == oa:
        return None
    msg_id = _id(message.get("msg_id"))
    key = f"msg:{msg_id}" if msg_id else f"{event}:{user}:{timestamp}"
    if event in TEXT_EVENTS:
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            return None
        return Incoming(event, user, text, key, timestamp)
    return Incoming(event, user, MEDIA, key, timestamp)
