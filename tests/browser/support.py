"""What the browser tests share: where the chat page is, what the tracker holds, a Rasa restart."""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING, Any

import httpx

from scripts.stack import ROOT

if TYPE_CHECKING:
    from scripts.stack import Stack

# test artefacts for a person to look at (not committed: var/ is ignored)
SCREENSHOTS = ROOT / "var" / "results" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def screenshot(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / name)


def chat_page(stack: Stack) -> str:
    """The full page citizens open, on the Rasa server's origin."""
    return f"{stack.config.rasa_url}/chat/"


def tracker_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    """A conversation's events as Rasa's tracker holds them (token-secured API)."""
    answer = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.token},
        timeout=10,
    )
    answer.raise_for_status()
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def user_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    return [e for e in tracker_events(stack, sender) if e.get("event") == "user"]


def stop_rasa(stack: Stack) -> None:
    """Stops the Rasa server as an operator's restart would (SIGTERM, then wait)."""
    service = next(s for s in stack.services if s.name == "rasa")
    assert service.process is not None
    os.killpg(service.process.pid, signal.SIGTERM)
    service.process.wait(timeout=60)


def webchat_config(stack: Stack) -> dict[str, str]:
    """The locality's name and hotline as configured in the connectors (the page's header)."""
    answer = httpx.get(f"{stack.config.connectors_url}/api/v1/webchat/config", timeout=10)
    answer.raise_for_status()
    config: dict[str, str] = answer.json()
    return config
