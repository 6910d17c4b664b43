"""End to end: a message through Rasa → action server → connectors → database, and back."""

from __future__ import annotations

import time

import httpx
import pytest
import redis

from scripts.stack import Stack
from tests.e2e.conftest import REDIS_URL, Say

pytestmark = pytest.mark.e2e


def texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


@pytest.mark.parametrize(
    "message",
    ["đăng ký khai sinh cần giấy tờ gì", "dang ky khai sinh can giay to gi"],
)
def test_birth_registration_documents_with_and_without_diacritics(
    say: Say, sender: str, message: str
) -> None:
    answer = texts(say(sender, message))

    assert "Giấy chứng sinh" in answer
    assert "Tờ khai đăng ký khai sinh" in answer


def test_follow_up_keeps_the_procedure_in_focus(say: Say, sender: str) -> None:
    say(sender, "đăng ký khai sinh cần giấy tờ gì")

    answer = texts(say(sender, "lệ phí bao nhiêu?"))

    assert "Lệ phí Đăng ký khai sinh" in answer
    assert "Miễn phí" in answer


def test_greeting_offers_the_menu_as_buttons(say: Say, sender: str) -> None:
    messages = say(sender, "xin chào")

    assert "trợ lý ảo" in texts(messages)
    assert 1 <= len(messages[0]["buttons"]) <= 5


def test_conversation_is_kept_in_the_redis_tracker_store(
    stack: Stack, say: Say, sender: str
) -> None:
    say(sender, "xin chào")

    client = redis.Redis.from_url(REDIS_URL)
    keys = [k.decode() for k in client.scan_iter(f"{stack.config.redis_key_prefix}*{sender}*")]
    assert keys, "the tracker should be stored in Redis under the stack's prefix"


def test_http_api_requires_the_token(stack: Stack, say: Say, sender: str) -> None:
    say(sender, "xin chào")
    url = f"{stack.config.rasa_url}/conversations/{sender}/tracker"

    assert httpx.get(url, timeout=10).status_code == 401
    tracker = httpx.get(url, params={"token": stack.token}, timeout=10).json()
    assert tracker["sender_id"] == sender


def test_connectors_down_gives_a_polite_apology_quickly(
    stack: Stack, say: Say, sender: str
) -> None:
    connectors = next(s for s in stack.services if s.name == "connectors")
    assert connectors.process is not None
    connectors.process.terminate()
    connectors.process.wait(timeout=10)
    try:
        started = time.monotonic()
        answer = texts(say(sender, "làm hộ chiếu cần giấy tờ gì"))
        elapsed = time.monotonic() - started
    finally:
        stack.restart("connectors")

    assert "tạm gián đoạn" in answer
    assert elapsed < 3.0
