"""The whole chain: a complaint made in the chat arrives in the province's feedback system (a fake
one, over real HTTP), and what the province does with it comes back to "tra cứu phản ánh".

The running connectors are restarted pointed at the fake (Stack.reconfigured); Rasa and the
action server keep running as they are.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from scripts.stack import Stack
from tests.e2e.conftest import Say
from tests.fakes.feedback_system import (
    API_KEY,
    API_KEY_ENV,
    FakeFeedbackSystem,
    Record,
    province_file,
    running,
)

pytestmark = pytest.mark.e2e

COMPLAINT = "đèn đường trước số 12 đường Mẫu hỏng cả tuần nay, buổi tối rất tối, sđt 0912 345 678"
ANSWER = "UBND phường Trung Tâm đã thay bóng đèn ngày 25/11/2026 (trả lời mẫu, demo)."
CODE = re.compile(r"PA-\d{6}-[A-Z0-9]{6}")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFeedbackSystem]:
    with running() as system:
        yield system


@pytest.fixture(scope="module")
def forwarding(
    stack: Stack, fake: FakeFeedbackSystem, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The connectors forwarding complaints to the fake, with short waits for the test."""
    path = province_file(
        fake, tmp_path_factory.mktemp("province"),
        resilience={"timeout_seconds": 2, "breaker_reset_seconds": 1},
        delivery={"first_retry_seconds": 0.5, "max_retry_seconds": 1},
    )
    env = {
        "FEEDBACK_UPSTREAM_FILE": str(path),
        "FEEDBACK_OUTBOX_INTERVAL_SECONDS": "0.5",
        "FEEDBACK_SYNC_INTERVAL_SECONDS": "1",
        API_KEY_ENV: API_KEY,
    }
    with stack.reconfigured("connectors", env):
        yield stack


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def eventually(probe: Callable[[], Any], seconds: float = 30.0) -> Any:
    """The first truthy answer of ``probe``, polled until the deadline (never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = probe()
        if answer:
            return answer
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.2)


def complain(say: Say, sender: str) -> str:
    """A complaint told in one message and confirmed; the tracking code the bot gives."""
    summary = texts(say(sender, COMPLAINT))
    assert "0912345678" in summary
    found = CODE.search(texts(say(sender, "đúng rồi, gửi đi")))
    assert found is not None, "no tracking code in the bot's answer"
    return found[0]


def arrived(fake: FakeFeedbackSystem, code: str) -> Record | None:
    records = fake.from_source(code)
    assert len(records) <= 1, f"stored {len(records)} times upstream"
    return records[0] if records else None


def portal(stack: Stack, code: str) -> dict[str, Any]:
    """What the action server reads for "tra cứu phản ánh"."""
    response = httpx.get(
        f"{stack.config.connectors_url}/api/v1/feedback/{code}",
        headers={"X-Service-Token": stack.secrets["CONNECTORS_SERVICE_TOKEN"]},
        timeout=5,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def test_a_complaint_made_in_the_chat_arrives_upstream_and_its_answer_comes_back(
    forwarding: Stack, fake: FakeFeedbackSystem, say: Say, sender: str
) -> None:
    code = complain(say, sender)

    record: Record = eventually(lambda: arrived(fake, code))
    assert record.body["maPhanAnhNguon"] == code
    assert record.body["kenhTiepNhan"] == "Chatbot"
    assert "đường Mẫu hỏng" in record.body["noiDung"]
    assert record.body["soDienThoai"] == "0912345678"
    assert fake.headers[-1]["Idempotency-Key"] == code

    fake.set_status(record.id, "DA_TRA_LOI", answer=ANSWER, note="Đã xử lý tại hiện trường")
    eventually(lambda: portal(forwarding, code)["status"] == "answered")
    reply = texts(say(sender, f"tra cứu phản ánh {code}"))

    assert "Đã trả lời" in reply
    assert ANSWER in reply
    assert len(fake.from_source(code)) == 1


def test_with_the_province_down_the_citizen_still_gets_a_code_and_it_arrives_later(
    forwarding: Stack, fake: FakeFeedbackSystem, say: Say, sender: str
) -> None:
    fake.set_mode("down")
    try:
        code = complain(say, sender)
        waiting = portal(forwarding, code)
        assert (waiting["status_label"], waiting["forwarded_at"]) == ("Đã tiếp nhận", None)
        assert arrived(fake, code) is None
        assert "Đã tiếp nhận" in texts(say(sender, f"tra cứu phản ánh {code}"))
    finally:
        fake.set_mode("ok")

    eventually(lambda: arrived(fake, code))
    assert eventually(lambda: portal(forwarding, code)["forwarded_at"])
    assert len(fake.from_source(code)) == 1


def test_health_shows_the_outbox_and_the_upstream(forwarding: Stack) -> None:
    health = httpx.get(f"{forwarding.config.connectors_url}/health", timeout=5).json()

    assert set(health["feedback_outbox"]) == {"pending", "oldest_pending_seconds", "refused"}
    assert health["feedback_outbox"]["refused"] == 0
    assert health["upstreams"]["feedback"]["name"] == "feedback"

