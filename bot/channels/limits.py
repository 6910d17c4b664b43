"""The longest message the channels pass on to NLU, and what they pass instead.

A 100 kB message held Rasa's only worker for seconds (1 MB for minutes) while every other citizen
waited. The channels replace a longer message by the payload ``/message_too_long`` before NLU: the
tokenizer never reads it, the tracker never stores it, and the dialogue answers
``utter_message_too_long`` (data/rules/message_too_long.yml).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

logger = logging.getLogger(__name__)

# As long as the longest thing a citizen may type, a complaint's description (4,000 characters in
# the connectors): the whole NLU pipeline reads that in about 0.15 s here; 100 kB took 10 s.
DEFAULT_MAX_MESSAGE_CHARS = 4000
TOO_LONG_PAYLOAD = "/message_too_long"


def max_message_chars(environ: Mapping[str, str]) -> int:
    """MAX_MESSAGE_CHARS from the environment; the default when unset or not a positive number."""
    raw = environ.get("MAX_MESSAGE_CHARS", "").strip()
    if not raw:
        return DEFAULT_MAX_MESSAGE_CHARS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        logger.warning(
            "MAX_MESSAGE_CHARS=%r is not a positive number; using %d",
            raw,
            DEFAULT_MAX_MESSAGE_CHARS,
        )
        return DEFAULT_MAX_MESSAGE_CHARS
    return value


def capped(text: str, limit: int) -> str:
    """``text`` itself, or the too-long payload when it has more than ``limit`` characters."""
    if len(text) <= limit:
        return text
    # the length only: the text may hold personal data and is deliberately not kept anywhere
    logger.info("message of %d characters replaced by %s", len(text), TOO_LONG_PAYLOAD)
    return TOO_LONG_PAYLOAD


# A page's metadata (channel, page, locale) is a few dozen bytes; 20 MB of it, stored in the tracker
# on every turn, slowed every conversation and filled Redis. Larger metadata is refused or dropped.
MAX_METADATA_CHARS = 4096
# The whole request: a message over MAX_MESSAGE_CHARS is answered politely, so the body only needs
# room for that answer to be given; Sanic's own default (100 MB) is read into memory first.
MAX_REQUEST_BYTES = 2 * 1024 * 1024


def metadata_too_large(metadata: object) -> bool:
    """True when ``metadata``, as JSON, has more than MAX_METADATA_CHARS characters."""
    try:
        return len(json.dumps(metadata, ensure_ascii=False)) > MAX_METADATA_CHARS
    except (TypeError, ValueError):
        return True
