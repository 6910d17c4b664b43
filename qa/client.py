"""The bot as QA reaches it: Rasa's REST channel and its token-secured HTTP API."""

from __future__ import annotations

from typing import Any

import httpx


class BotError(Exception):
    """The bot could not be reached or answered with an error; the message says which."""


class BotClient:
    def __init__(
        self, url: str, token: str | None, *, timeout: float = 30.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._http = client or httpx.AsyncClient(timeout=timeout)

    async def __aenter__(self) -> BotClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._http.aclose()

    async def send(
        self, sender: str, message: str, *, channel: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """What the citizen sees: the bot's messages for this one message."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if channel:
            body["input_channel"] = channel
        if metadata:
            body["metadata"] = metadata
        try:
            response = await self._http.post(f"{self.url}/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as exc:
            raise BotError(f"REST channel unreachable at {self.url}: {exc!r}") from exc
        if response.status_code != 200:
            raise BotError(f"REST channel answered {response.status_code}: {response.text[:200]}")
        messages = response.json()
        if not isinstance(messages, list):
            raise BotError(f"REST channel answered {type(messages).__name__}, not a list")
        return [m for m in messages if isinstance(m, dict)]

    async def tracker(self, sender: str) -> dict[str, Any]:
        """What the bot understood and did: every event of the conversation, and the slots."""
        params = {"include_events": "ALL"}
        if self._token:
            params["token"] = self._token
        try:
            response = await self._http.get(
                f"{self.url}/conversations/{sender}/tracker", params=params
            )
        except httpx.HTTPError as exc:
            raise BotError(f"Rasa HTTP API unreachable at {self.url}: {exc!r}") from exc
        if response.status_code == 401:
            raise BotError("Rasa HTTP API refused the token (401): pass --token or RASA_AUTH_TOKEN")
        if response.status_code != 200:
            raise BotError(f"Rasa HTTP API answered {response.status_code}: {response.text[:200]}")
        tracker: dict[str, Any] = response.json()
        return tracker

    async def check(self) -> None:
        """Fails early, with a clear reason, when the bot or its HTTP API is not usable."""
        try:
            response = await self._http.get(
                f"{self.url}/status", params={"token": self._token or ""}
            )
        except httpx.HTTPError as exc:
            raise BotError(
                f"no bot answers at {self.url} ({exc.__class__.__name__}); start it with "
                "`make run` or pass --url"
            ) from exc
        if response.status_code in (401, 403):
            raise BotError(
                f"the bot at {self.url} refused the token: pass --token or set RASA_AUTH_TOKEN"
            )
        if response.status_code != 200:
            raise BotError(f"the bot at {self.url} answered {response.status_code} on /status")
        if not response.json().get("model_file"):
            raise BotError(f"the bot at {self.url} has no model loaded")
