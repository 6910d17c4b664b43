"""Asks the chat bot to tell a conversation that its dossier changed.

The bot words the message (its domain holds every citizen-facing text) and sends it through the
conversation's channel. The contract is an HTTP POST of ``{"name": intent, "entities": {...}}`` to
a URL template with ``{sender}`` (Rasa's ``/conversations/{sender}/trigger_intent``), the token as
a query parameter: the connectors know the address, not the bot.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

INTENT = "dossier_status_changed"


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

    def __call__(self, sender_id: str, code: str, status: str) -> None:
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

    def close(self) -> None:
        self._client.close()
