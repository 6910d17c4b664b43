"""Overload: beyond RASA_MAX_IN_FLIGHT messages in hand, a Rasa process answers at once with the
domain's "em đang bận" and does not record the message; the others are answered as usual."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from scripts.stack import Stack, free_port
from tests.e2e.conftest import domain_text, user_texts

pytestmark = pytest.mark.e2e

BURST = 12


@pytest.fixture(scope="module")
def narrow(stack: Stack) -> Iterator[str]:
    """A Rasa instance of the stack that handles one message at a time."""
    replica = stack.add_rasa(free_port(), env={"RASA_MAX_IN_FLIGHT": "1"})
    yield replica.health_url.rstrip("/")
    stack.remove(replica.name)


def post(url: str, sender: str, text: str) -> httpx.Response:
    return httpx.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )


def test_a_burst_beyond_the_limit_gets_the_busy_answer_and_is_not_recorded(
    stack: Stack, narrow: str
) -> None:
    busy = domain_text("utter_busy")
    senders = [f"burst-{i}-{free_port()}" for i in range(BURST)]
    start = threading.Barrier(BURST)

    def one(sender: str) -> tuple[str, httpx.Response]:
        start.wait()
        return sender, post(narrow, sender, "đăng ký khai sinh cần giấy tờ gì")

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        answers = list(pool.map(one, senders))

    refused = [(s, r) for s, r in answers if [m.get("text") for m in r.json()] == [busy]]
    served = [(s, r) for s, r in answers if (s, r) not in refused]
    assert refused, "a burst of 12 at a limit of 1 must refuse some"
    assert served, "the message in hand is answered"
    for sender, response in refused:
        assert response.status_code == 200
        assert response.headers["Retry-After"] == "60"
        assert user_texts(stack, sender) == []  # not recorded: the citizen sends it again
    for sender, response in served:
        said = "\n".join(str(m.get("text")) for m in response.json())
        assert "Giấy chứng sinh" in said
        assert user_texts(stack, sender) == ["đăng ký khai sinh cần giấy tờ gì"]


def test_once_the_burst_is_over_the_same_citizen_is_answered(narrow: str) -> None:
    sender = f"after-{free_port()}"

    answer: list[dict[str, Any]] = post(narrow, sender, "đăng ký khai sinh cần giấy tờ gì").json()

    assert "Giấy chứng sinh" in "\n".join(str(m.get("text")) for m in answer)
