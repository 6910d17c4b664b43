"""Personal data out of log lines: citizens' ID numbers, phones, e-mails, dossier and feedback
codes.

The patterns find identifiers however people type them (grouped digits, +84, spaces around the
dashes of a code). `qa/mask.py` uses the same patterns to mask recorded conversations; here each
identifier becomes a fixed label, since a log line needs no consistent stand-in.

`install()` rewrites every log record as it is created, whatever logger or handler it goes to
(Rasa, Sanic, uvicorn and our own), including the text of an exception's traceback.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

_DASH = r"\s*[-–—]\s*"
DOSSIER_CODE = re.compile(
    r"(?<![\w.])(?:[0-9a-z]{1,5}\s*\.\s*){1,5}[0-9a-z]{1,5}" + _DASH + r"\d{6}" + _DASH
    + r"\d{4,6}(?!\d)",
    re.IGNORECASE,
)
FEEDBACK_CODE = re.compile(r"\bPA" + _DASH + r"\d{6}" + _DASH + r"[A-Z0-9]{6}\b", re.IGNORECASE)
# 12 digits (CCCD), possibly grouped by spaces, dots or dashes; after a "+" too (a URL-encoded
# space in a logged query string); phones in any spelling (+84, 84, 0084, spaces, dots)
ID_NUMBER = re.compile(r"(?<!\d)\d{3}[\s.\-]?\d{3}[\s.\-]?\d{3}[\s.\-]?\d{3}(?!\d)")
PHONE = re.compile(r"(?<!\d)(?:\+84|0084|84|0)[\s.\-]?[35789](?:[\s.\-]?\d){8}(?!\d)")
EMAIL = re.compile(r"\b[\w.+-]+(?:@|%40)[\w-]+\.[\w.-]+\b")  # %40: URL-encoded

# order matters: a dossier code contains digit runs that would otherwise look like a phone
_LABELS = (
    (DOSSIER_CODE, "[mã hồ sơ]"),
    (FEEDBACK_CODE, "[mã phản ánh]"),
    (ID_NUMBER, "[số định danh]"),
    (PHONE, "[số điện thoại]"),
    (EMAIL, "[email]"),
)


def redact(text: str) -> str:
    """``'cccd 079203001234, sđt 0912 345 678'``
    -> ``'cccd [số định danh], sđt [số điện thoại]'``."""
    for pattern, label in _LABELS:
        text = pattern.sub(label, text)
    return text


_installed = False


def install() -> None:
    """Redacts every log record of this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep the raw pieces, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # formatters reuse exc_text when it is set: the traceback is redacted once, here
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_text = record.exc_text.rstrip("\n")
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(redacting_record)
    _installed = True
