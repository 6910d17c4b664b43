"""Rasa 3.6 tracker events as its Redis tracker store keeps them, built in code for the review and
KPI tests (the shapes are those of a real tracker: user with parse_data and input_channel, bot
with metadata.utter_action and data.buttons, action, slot, session_started)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

VN = timezone(timedelta(hours=7))


class Conversation:
    """Events of one sender, written turn by turn; the clock moves as the turns come."""

    def __init__(self, start: datetime, channel: str = "rest") -> None:
        self.now = start.timestamp()
        self.channel = channel
        self.events: list[dict[str, Any]] = [
            {"event": "action", "name": "action_session_start", "timestamp": self.now},
            {"event": "session_started", "timestamp": self.now},
            {"event": "action", "name": "action_listen", "timestamp": self.now},
        ]

    def _stamp(self, seconds: float) -> float:
        self.now += seconds
        return self.now

    def user(
        self, text: str, intent: str, confidence: float = 0.95,
        entities: dict[str, str] | None = None, after: float = 10.0,
    ) -> Conversation:
        self.events.append({
            "event": "user", "timestamp": self._stamp(after), "text": text,
            "input_channel": self.channel, "message_id": f"m{len(self.events)}",
            "metadata": {},
            "parse_data": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "entities": [
                    {"entity": k, "value": v, "start": 0, "end": 1}
                    for k, v in (entities or {}).items()
                ],
                "intent_ranking": [{"name": intent, "confidence": confidence}],
            },
        })
        return self

    def action(self, name: str, after: float = 0.05) -> Conversation:
        self.events.append({"event": "action", "name": name, "timestamp": self._stamp(after),
                            "policy": "RulePolicy", "confidence": 1.0})
        return self

    def bot(
        self, utter: str, text: str, buttons: list[dict[str, str]] | None = None,
        after: float = 0.2,
    ) -> Conversation:
        self.events.append({
            "event": "bot", "timestamp": self._stamp(after), "text": text,
            "metadata": {"utter_action": utter},
            "data": {"elements": None, "quick_replies": None, "buttons": buttons,
                     "attachment": None, "image": None, "custom": None},
        })
        return self

    def slot(self, name: str, value: Any) -> Conversation:
        self.events.append({"event": "slot", "name": name, "value": value,
                            "timestamp": self._stamp(0.001)})
        return self

    def listen(self) -> Conversation:
        return self.action("action_listen", after=0.001)

    def new_session(self, after: float) -> Conversation:
        self.action("action_session_start", after=after)
        self.events.append({"event": "session_started", "timestamp": self._stamp(0.001)})
        return self.listen()

    def dialogue(self, sender: str) -> dict[str, Any]:
        return {"name": sender, "events": self.events}


def procedure_button(code: str, title: str, intent: str = "ask_procedure") -> dict[str, str]:
    return {"title": title, "payload": f'/{intent}{{"procedure_code": "{code}"}}'}


def store_trackers(app: Any, dialogues: dict[str, dict[str, Any]]) -> list[str]:
    """Writes the dialogues where the app reads Rasa's trackers (its Redis, its prefix) as
    Rasa's Redis tracker store does; returns the keys, for the test to delete."""
    import json

    from connectors.admin.review.tracker import tracker_key_prefix

    prefix = tracker_key_prefix(app.state.settings.redis_key_prefix)
    client = app.state.cache.client
    keys = []
    for sender, dialogue in dialogues.items():
        client.set(prefix + sender, json.dumps(dialogue))
        keys.append(prefix + sender)
    return keys
