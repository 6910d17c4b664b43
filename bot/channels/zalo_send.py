"""What one bot message becomes in Zalo: the ``message`` objects of OA customer-service sends.

- Text: at most MAX_TEXT_CHARS per Zalo message. A longer answer is cut between paragraphs (blank
  lines), else between lines, else between words, and only a word longer than the limit is cut
  inside; the pieces go out in order.
- Buttons (and quick replies): on the last piece, as a template of at most MAX_BUTTONS buttons.
  A Rasa payload becomes ``oa.query.hide`` (a tap sends the payload back as text the citizen does
  not see, so ``/ask_fee{...}`` never shows in the chat); a button with a ``url`` (or an http(s)
  payload) opens it (``oa.open.url``); a ``tel:`` payload dials (``oa.open.phone``). Buttons past
  the fifth are dropped with a warning: the domain and the actions offer at most five.
- An image: a ``media`` template of its own. A ``custom`` message with a ``zalo`` object is sent
  as that object (a domain response written for Zalo). Elements and attachments have no Zalo
  form here: dropped with a warning.
"""

from __future__ import annotations

import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
MAX_BUTTONS = 5
MAX_BUTTON_TITLE = 100
_SEPARATORS = ("\n\n", "\n", " ")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at the widest boundary that fits."""
    text = _BLANK_LINES.sub("\n\n", text.strip())
    if not text:
        return []
    return [piece for piece in (p.strip() for p in _split(text, limit, _SEPARATORS)) if piece]


def _split(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    separator, narrower = separators[0], separators[1:]
    pieces: list[str] = []
    current: str | None = None
    for part in text.split(separator):
        # a part too long is cut at a narrower boundary; its pieces never fit back together
        # with this (at least as wide) separator, so packing them below keeps them apart
        for piece in _split(part, limit, narrower) if len(part) > limit else [part]:
            if current is None:
                current = piece
            elif len(current) + len(separator) + len(piece) <= limit:
                current += separator + piece
            else:
                pieces.append(current)
                current = piece
    if current is not None:
        pieces.append(current)
    return pieces


def zalo_button(button: dict[str, Any]) -> dict[str, Any] | None:
    title = str(button.get("title") or "").strip()
    if len(title) > MAX_BUTTON_TITLE:
        title = title[: MAX_BUTTON_TITLE - 1] + "…"
    url = button.get("url")
    payload = button.get("payload")
    if not isinstance(url, str) and isinstance(payload, str) and _URL.match(payload.strip()):
        url = payload
    if isinstance(url, str) and _URL.match(url.strip()):
        return {"title": title or url.strip(), "type": "oa.open.url",
                "payload": {"url": url.strip()}}
    if not isinstance(payload, str) or not payload.strip() or not title:
        return None
    if payload.startswith("tel:"):
        number = "".join(ch for ch in payload[4:] if ch.isdigit() or ch == "+")
        return {"title": title, "type": "oa.open.phone", "payload": {"phone_code": number}}
    return {"title": title, "type": "oa.query.hide", "payload": payload}


def zalo_buttons(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    converted = [b for b in (zalo_button(button) for button in buttons) if b is not None]
    if len(converted) > MAX_BUTTONS:
        logger.warning(
            "zalo: %d buttons in one message, Zalo shows %d: the rest are dropped",
            len(converted), MAX_BUTTONS,
        )
    return converted[:MAX_BUTTONS]


def image_message(url: str) -> dict[str, Any]:
    return {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "media",
                "elements": [{"media_type": "image", "url": url}],
            },
        }
    }


def zalo_messages(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A bot message (Rasa's dict: text, buttons, quick_replies, image, custom...) as the
    ``message`` objects to send, in order."""
    out: list[dict[str, Any]] = [
        {"text": piece} for piece in split_text(str(message.get("text") or ""))
    ]
    buttons = zalo_buttons(list(message.get("buttons") or message.get("quick_replies") or []))
    if buttons:
        if not out:  # Zalo shows buttons under a text
            logger.warning("zalo: buttons without text are not sent")
        else:
            out[-1]["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
    image = message.get("image")
    if isinstance(image, str) and _URL.match(image.strip()):
        out.append(image_message(image.strip()))
    custom = message.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("zalo"), dict):
        out.append(custom["zalo"])
    for kind in ("elements", "attachment"):
        if message.get(kind):
            logger.warning("zalo: a bot message with %s is not sent (no Zalo form)", kind)
    return out


def request_body(user_id: str, message: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /v3.0/oa/message/cs``."""
    return {"recipient": {"user_id": user_id}, "message": message}
