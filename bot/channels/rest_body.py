"""What the REST webhook accepts: a JSON object with a sender and a text message, nothing else.

Refusals are 4xx with a Vietnamese ``detail`` (never a 500):
- 415 unless ``Content-Type: application/json``: a form or ``text/plain`` post is a "simple"
  request that any web page can make its visitors' browsers send without asking; JSON needs a CORS
  pre-flight, which the server refuses to origins it does not know.
- 400 for a body that is not a JSON object, a missing or empty sender (every such message used to
  land in one shared conversation, "default"), a sender with control characters or one that is a
  web chat's socket.io session (those need the socket's signed token) or a Zalo user's
  (``zalo-…``: only Zalo's signed events speak there), a message that is not a
  string, metadata that is not an object (or an ``input_channel`` that is not a string).
- 413 for metadata larger than MAX_METADATA_CHARS (it is stored in the tracker on every turn).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.channels.limits import MAX_METADATA_CHARS, metadata_too_large
from bot.channels.sessions import SESSION_PREFIX
from bot.channels.zalo_events import ZALO_PREFIX

# long enough for any id a client makes (uuid, "citizen-…", a Zalo id), short enough for a key
MAX_SENDER_CHARS = 128


@dataclass(frozen=True)
class RestMessage:
    sender: str
    message: str
    metadata: dict[str, Any] | None
    # QA replay names the channel a turn stands for (tests/conversations, ``channel:``)
    input_channel: str | None


class BodyError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def parse_rest_body(content_type: str | None, body: bytes) -> RestMessage:
    if not is_json(content_type):
        raise BodyError(415, "Chỉ nhận nội dung dạng application/json.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError is a ValueError
        raise BodyError(400, "Nội dung gửi lên không phải JSON hợp lệ.") from None
    if not isinstance(data, dict):
        raise BodyError(400, "Nội dung gửi lên phải là một đối tượng JSON.")
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise BodyError(400, "Thiếu mã người gửi (sender).")
    if len(sender) > MAX_SENDER_CHARS:
        raise BodyError(400, f"Mã người gửi (sender) dài quá {MAX_SENDER_CHARS} ký tự.")
    if not sender.isprintable():
        raise BodyError(400, "Mã người gửi (sender) chứa ký tự không hợp lệ.")
    if sender.startswith(SESSION_PREFIX):
        raise BodyError(400, "Mã người gửi (sender) này thuộc một phiên trò chuyện trên trang web.")
    if sender.startswith(ZALO_PREFIX):
        # a Zalo user's conversation: only Zalo's signed events speak in it
        raise BodyError(400, "Mã người gửi (sender) này thuộc một người dùng Zalo.")
    message = data.get("message")
    if not isinstance(message, str):
        raise BodyError(400, "Tin nhắn (message) phải là một chuỗi ký tự.")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BodyError(400, "Siêu dữ liệu (metadata) phải là một đối tượng JSON.")
    if metadata_too_large(metadata):
        raise BodyError(413, f"Siêu dữ liệu (metadata) dài quá {MAX_METADATA_CHARS} ký tự.")
    input_channel = data.get("input_channel")
    if input_channel is not None and not isinstance(input_channel, str):
        raise BodyError(400, "Tên kênh (input_channel) phải là một chuỗi ký tự.")
    return RestMessage(sender, message, metadata, input_channel or None)
