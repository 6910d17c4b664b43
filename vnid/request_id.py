"""One request id from the channel to the database: Rasa takes a message's id from the
``X-Request-ID`` header a load balancer sets (or makes one) and uses it as the message's id; the
action server reads it from the tracker and sends it to the connectors in the same header; the
connectors answer with it. While a request is handled, every log line of the process ends with
``request_id=...``, so one citizen's message can be followed through the three logs.

Pure Python (shared by bot/, actions/ and connectors/); `install()` after `redact.install()`.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from vnid.redact import redact

HEADER = "X-Request-ID"
# what a balancer or client may send: no spaces, no '%' (log formats), no personal data room
_VALID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def valid(value: str | None) -> str | None:
    """``value`` when it is a plain token that holds nothing like an ID number or phone (it is
    written into log lines after their redaction), else None."""
    if value is None:
        return None
    value = value.strip()
    if not _VALID.fullmatch(value) or redact(value) != value:
        return None
    return value


def new() -> str:
    """A fresh id (a random hex that happens to hold a phone-like run of digits is drawn again)."""
    while True:
        rid = uuid.uuid4().hex
        if redact(rid) == rid:
            return rid


def accept(value: str | None) -> str:
    """The caller's id when it is a plain token, else a new one."""
    return valid(value) or new()


_installed = False


def install() -> None:
    """Ends every log record made while a request id is current with it (idempotent), and sets
    ``record.request_id`` for formatters that want the field."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        rid = current.get()
        record.request_id = rid
        if rid is not None and isinstance(record.msg, str):
            record.msg = f"{record.msg} request_id={rid}"
        return record

    logging.setLogRecordFactory(with_request_id)
    _installed = True
