"""Texts a channel says itself, without the dialogue: read from the loaded model's domain, so
that every citizen-facing sentence stays in bot/domain."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

# said when a message got no answer at all: the action server, Redis or the model failed
NOT_ANSWERED = "utter_not_answered"


def domain_texts(app: Any, response: str) -> list[str]:
    """The first variation of ``response`` in the domain of the model ``app`` serves; nothing
    (and an error in the log) when no model is loaded or the domain lacks it."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    domain = getattr(agent, "domain", None)
    variations = getattr(domain, "responses", {}).get(response) or []
    text = variations[0].get("text") if variations else None
    if not text:
        logger.error("the domain has no text for %s", response)
        return []
    return [str(text)]
