"""Asks the chat bot to tell a conversation that its dossier changed.

The bot words the message (its domain holds every citizen-facing text) and sends it through the
conversation's channel. The contract is an HTTP POST of ``{"name": intent, "entities": {...}}`` to
a URL template with ``{sender}`` (Rasa's ``/conversations/{sender}/trigger_intent``), the token as
a query parameter: the connectors know the address, not the bot.

Only the bot sees the citizen's messages, so only it knows whether Zalo's 7-day window is still
open: its JSON answer may say it sent nothing, ``"window_closed"`` under ``tracker.slots.
notification_outcome`` (where Rasa's answer carries what the action decided). Anything else,
or no such value (an older bot), counts as sent.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

import httpx

INTENT = "dossier_status_changed"
OUTCOME_PATH = ("tracker", "slots", "notification_outcome")
WINDOW_CLOSED = "window_closed"

Told = Literal["sent", "window_closed"]


class TriggerFailed(Exception):
    """The bot could not be reached or refused: the change is tried again later."""


class BotTrigger:
    def __init__(
        self, url_template: str, token: str, client: httpx.Client | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._url = url_template
        self._token = token
        self._client = client or httpx.Client(timeout=timeout_seconds)

    def __call__(self, sender_id: str, code: str, status: str) -> Told:
        # merged, not replaced: the template's own query (output_channel=zalo) stays
        url = httpx.URL(self._url.replace("{sender}", quote(sender_id, safe="")))
        url = url.copy_merge_params({"token": self._token})
        body = {"name": INTENT, "entities": {"notified_code": code, "notified_status": status}}
        try:
            response = self._client.post(url, json=body)
        except httpx.HTTPError as exc:
            raise TriggerFailed(f"bot unreachable: {exc}") from exc
        if response.status_code != 200:
            raise TriggerFailed(f"bot answered HTTP {response.status_code}")
        return "window_closed" if _outcome(response) == WINDOW_CLOSED else "sent"

    def close(self) -> None:
        self._client.close()


def _outcome(response: httpx.Response) -> object:
    try:
        value: Any = response.json()
    except ValueError:
        return None
    for part in OUTCOME_PATH:
        value = value.get(part) if isinstance(value, dict) else None
    return value
