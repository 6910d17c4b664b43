"""The chat bot's trigger endpoint (Rasa's ``/conversations/{sender}/trigger_intent``), faked for
the connectors' notifier: a real HTTP server on loopback that records what it is asked to say.

A test makes it refuse (``failures``: that many HTTP 500 answers first), go down (``stop``), or
answer for some conversations that Zalo's 7-day window is closed, as the bot's action says it
(``closed``: ``tracker.slots.notification_outcome`` = ``window_closed`` in the answer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.server import JsonHandler, LoopbackFake


@dataclass
class FakeBot(LoopbackFake):
    received: list[dict[str, Any]] = field(default_factory=list)  # the calls answered 200
    failures: int = 0
    closed: set[str] = field(default_factory=set)  # senders whose window is closed

    @property
    def url(self) -> str:
        """The trigger URL template the connectors are given (NOTIFY_TRIGGER_URL)."""
        return (f"{self.origin}/conversations/{{sender}}/trigger_intent"
                "?output_channel=zalo&include_events=NONE")

    def told(self) -> list[tuple[str, str, str]]:
        """(sender, code, status) of each change the bot was asked to say and did say."""
        with self._lock:
            return [
                (c["sender"], c["body"]["entities"]["notified_code"],
                 c["body"]["entities"]["notified_status"])
                for c in self.received if c["outcome"] == "sent"
            ]

    def handler(self) -> type[JsonHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server names it)
                body = json.loads(self.read_body())
                parts = urlsplit(self.path)
                sender = unquote(parts.path.split("/")[2])
                with fake._lock:
                    if fake.failures:
                        fake.failures -= 1
                        refused = True
                    else:
                        refused = False
                        outcome = "window_closed" if sender in fake.closed else "sent"
                        fake.received.append({
                            "sender": sender, "path": parts.path,
                            "query": parse_qs(parts.query), "body": body, "outcome": outcome,
                        })
                if refused:
                    self.send_json(500, {"status": "failure"})
                    return
                self.send_json(200, {"tracker": {"sender_id": sender,
                                                 "slots": {"notification_outcome": outcome}}})

        return Handler
