"""Rasa's stored conversations, read as plain JSON: the connectors never import Rasa.

Rasa's Redis tracker store keeps one key per sender (``<prefix>tracker:tracker:<sender>``, the
prefix ``make run`` derives from REDIS_KEY_PREFIX, scripts/stack.py) holding
``{"name": sender, "events": [...]}``. This module turns those events into sessions and turns:
what the citizen wrote, what the NLU understood, what the bot did and said, which slots changed.
Pure functions over dicts, so the figures and the review inbox are tested without Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

VIETNAM_TZ = timezone(timedelta(hours=7))

# Rasa's input_channel -> what a province calls the channel
CHANNEL_NAMES = {"socketio": "web", "zalo": "zalo", "rest": "rest"}
OTHER_CHANNEL = "khác"

# A quick-reply that names a procedure (actions/procedures.py: procedure_button)
PROCEDURE_PAYLOAD = re.compile(r'^/(?P<intent>\w+)\{"procedure_code": "(?P<code>[^"]+)"\}$')


def channel_name(input_channel: object) -> str:
    return CHANNEL_NAMES.get(str(input_channel or ""), OTHER_CHANNEL)


def tracker_key_prefix(redis_key_prefix: str) -> str:
    """The key prefix of Rasa's trackers for the connectors' REDIS_KEY_PREFIX ("tldvc:"), the
    way scripts/stack.py configures Rasa (alphanumerics only, Rasa refuses the rest)."""
    base = "".join(ch for ch in redis_key_prefix if ch.isalnum())
    return f"{base}tracker:tracker:"


def _when(event: Mapping[str, Any]) -> datetime:
    return datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @property
    def procedure_code(self) -> str | None:
        match = PROCEDURE_PAYLOAD.match(self.payload)
        return match["code"] if match else None


@dataclass
class Turn:
    """One message of the citizen and everything the bot did until the next one."""

    sender: str
    position: int  # index of the user event among the tracker's events (stable: append-only)
    text: str
    at: datetime
    channel: str
    intent: str | None
    confidence: float | None
    entities: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    bot_texts: list[str] = field(default_factory=list)
    staff_texts: list[str] = field(default_factory=list)  # replies of staff who took it over
    buttons: list[Button] = field(default_factory=list)  # of the turn's last message with some
    slots: dict[str, Any] = field(default_factory=dict)  # set during the turn
    first_reply_at: datetime | None = None

    @property
    def is_payload(self) -> bool:
        """A button tap or a typed "/intent": no phrasing of the citizen's own."""
        return self.text.startswith("/")

    @property
    def response_seconds(self) -> float | None:
        if self.first_reply_at is None:
            return None
        return max(0.0, (self.first_reply_at - self.at).total_seconds())

    @property
    def day(self) -> str:
        return self.at.astimezone(VIETNAM_TZ).date().isoformat()


@dataclass
class Session:
    """A conversation as a province counts it: one Rasa session of one sender."""

    sender: str
    number: int  # 0 for the first session of this sender
    turns: list[Turn] = field(default_factory=list)

    @property
    def started_at(self) -> datetime:
        return self.turns[0].at

    @property
    def day(self) -> str:
        return self.turns[0].day

    @property
    def channel(self) -> str:
        return self.turns[0].channel

    def ran(self, action: str) -> bool:
        return any(action in t.actions for t in self.turns)


def parse_turns(sender: str, events: Sequence[Mapping[str, Any]]) -> list[Session]:
    """The sender's sessions that hold at least one message of the citizen."""
    sessions: list[Session] = [Session(sender, 0)]
    current: Turn | None = None
    for position, event in enumerate(events):
        kind = event.get("event")
        if kind == "session_started":
            if sessions[-1].turns:
                sessions.append(Session(sender, len(sessions)))
            current = None
        elif kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            confidence = intent.get("confidence")
            current = Turn(
                sender=sender,
                position=position,
                text=str(event.get("text") or ""),
                at=_when(event),
                channel=channel_name(event.get("input_channel")),
                intent=intent.get("name"),
                confidence=float(confidence) if confidence is not None else None,
                entities={
                    str(e.get("entity")): str(e.get("value"))
                    for e in parse.get("entities") or []
                    if e.get("entity") and e.get("value") is not None
                },
            )
            sessions[-1].turns.append(current)
        elif current is None:
            continue
        elif kind == "action" and event.get("name") != "action_listen":
            current.actions.append(str(event.get("name")))
        elif kind == "bot" and (event.get("metadata") or {}).get("staff"):
            # a person wrote it (connectors/admin/review/takeover.py): not the bot's speed
            current.staff_texts.append(str(event.get("text") or ""))
        elif kind == "bot":
            if current.first_reply_at is None:
                current.first_reply_at = _when(event)
            utter = (event.get("metadata") or {}).get("utter_action")
            if utter:
                current.responses.append(str(utter))
            if event.get("text"):
                current.bot_texts.append(str(event["text"]))
            buttons = (event.get("data") or {}).get("buttons") or []
            if buttons:
                current.buttons = [
                    Button(str(b.get("title") or ""), str(b.get("payload") or "")) for b in buttons
                ]
        elif kind == "slot":
            current.slots[str(event.get("name"))] = event.get("value")
    return [s for s in sessions if s.turns]


def parse_dialogue(sender: str, dialogue: Mapping[str, Any]) -> list[Session]:
    """A stored tracker (``{"name": ..., "events": [...]}``) -> its sessions."""
    return parse_turns(str(dialogue.get("name") or sender), list(dialogue.get("events") or []))


def all_sessions(dialogues: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Session]:
    sessions: list[Session] = []
    for sender, dialogue in dialogues:
        sessions.extend(parse_dialogue(sender, dialogue))
    return sessions
