"""Polite refusal under overload.

Rasa handles every message of a process on one event loop: on a deadline day, messages past what
the process can do wait in line, and a citizen gets the answer after ten seconds or a time-out.
Beyond ``RASA_MAX_IN_FLIGHT`` messages being handled at once by this process (waiting for a
conversation's lock included), a new message is answered at once with the domain's ``utter_busy``
("em đang bận, anh/chị thử lại sau ít phút") and not recorded: the citizen sends it again later.
0 turns the limit off. One gate per process, shared by the REST, socket.io and Zalo channels.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from bot.channels.domain_text import domain_texts

logger = logging.getLogger(__name__)

ENV = "RASA_MAX_IN_FLIGHT"
# a 2-core Rasa process answers about 30 messages a second: 60 waiting is two seconds of queue
DEFAULT_MAX_IN_FLIGHT = 60
BUSY_RESPONSE = "utter_busy"
RETRY_AFTER_SECONDS = 60


def max_in_flight(environ: Mapping[str, str]) -> int:
    raw = environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_IN_FLIGHT
    try:
        value = int(raw)
    except ValueError:
        logger.warning("%s=%r is not a number: %d is used", ENV, raw, DEFAULT_MAX_IN_FLIGHT)
        return DEFAULT_MAX_IN_FLIGHT
    return max(value, 0)


class Gate:
    """How many messages this process is handling; ``enter`` refuses beyond the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.refused = 0

    def enter(self) -> bool:
        # one event loop: no lock needed between the check and the count
        if self.limit and self.in_flight >= self.limit:
            self.refused += 1
            if self.refused == 1 or self.refused % 100 == 0:
                logger.warning("overload: %d messages refused (limit %d in flight)",
                               self.refused, self.limit)
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight = max(self.in_flight - 1, 0)


_gate: Gate | None = None


def gate() -> Gate:
    """This process's gate, made on first use from the environment."""
    global _gate
    if _gate is None:
        _gate = Gate(max_in_flight(os.environ))
    return _gate


def busy_texts(app: Any) -> list[str]:
    return domain_texts(app, BUSY_RESPONSE)
