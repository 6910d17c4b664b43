"""Helpers of the end-to-end tests. The ``stack``, ``say`` and ``sender`` fixtures live in
tests/conftest.py: tests/e2e and tests/security share one running stack per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from scripts.stack import Stack

# the Redis database every test stack uses (its keys carry a per-run prefix)
REDIS_URL = "redis://127.0.0.1:6379/15"

Say = Callable[[str, str], list[dict[str, Any]]]


def user_texts(stack: Stack, sender: str) -> list[str]:
    """What the citizen said in a conversation, as Rasa's tracker holds it (token-secured API)."""
    tracker = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.token},
        timeout=10,
    ).json()
    return [str(e.get("text")) for e in tracker["events"] if e.get("event") == "user"]


def domain_text(response: str) -> str:
    """The first text of a domain response, as the bot says it (with its {placeholders})."""
    import yaml

    from scripts.stack import ROOT

    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses", {})
        if response in responses:
            return str(responses[response][0]["text"])
    raise KeyError(response)
