"""The Rasa server restarts in the middle of a conversation (a deployment, a crash).

The open page says the connection is interrupted (with the hotline), keeps what the citizen types
meanwhile, reconnects by itself when the server is back, resumes the same session with its signed
token (SESSION_SECRET outlives the process; the tracker is in Redis), shows the conversation again
and sends what was waiting. Nothing is reloaded by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts.stack import Stack
from tests.browser.driver import run_chat
from tests.browser.support import chat_page, stop_rasa, user_events, webchat_config

pytestmark = pytest.mark.e2e

BEFORE = "thủ tục đăng ký khai sinh"
WHILE_DOWN = "lệ phí làm hộ chiếu"


@pytest.fixture(scope="module")
def restarted(stack: Stack) -> dict[str, Any]:
    def on_pause(name: str) -> None:
        if name == "stop rasa":
            stop_rasa(stack)
        elif name == "start rasa":
            stack.restart("rasa")  # back once healthy (the model loaded)

    return run_chat(
        {
            "url": chat_page(stack),
            "steps": [
                BEFORE,
                {"snapshot": "before"},
                {"pause": "stop rasa"},
                {"waitState": "offline"},
                {"keyboard": [{"tabTo": "#input"}, {"type": WHILE_DOWN}, {"press": "Enter"}]},
                {"snapshot": "down"},
                {"pause": "start rasa"},
                {"waitState": "ready"},
                {"waitAnswer": True},
                {"snapshot": "after"},
            ],
        },
        on_pause=on_pause,
    )


def said(snapshot: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["who"], m["text"]) for m in snapshot["conversation"]]


def test_while_the_server_is_away_the_page_says_so_and_keeps_what_is_typed(
    stack: Stack, restarted: dict[str, Any]
) -> None:
    down = restarted["snapshots"]["down"]

    assert restarted["pauses"] == ["stop rasa", "start rasa"]
    assert down["state"] == "offline"
    assert down["status"].startswith("Xin lỗi anh/chị, kết nối đang gián đoạn.")
    assert down["status"].endswith(f"hoặc gọi {webchat_config(stack)['hotline']}.")
    assert said(down) == [*said(restarted["snapshots"]["before"]), ("user", WHILE_DOWN)]
    assert down["conversation"][-1]["pending"] is True


def test_after_the_restart_the_same_session_goes_on(
    stack: Stack, restarted: dict[str, Any]
) -> None:
    before = restarted["snapshots"]["before"]
    after = restarted["snapshots"]["after"]

    assert after["session"] == before["session"]
    assert after["state"] == "ready"
    assert after["status"] == ""
    # the conversation as the server holds it, then what was waiting, then its answer
    assert said(after)[: len(said(before)) + 1] == [*said(before), ("user", WHILE_DOWN)]
    assert said(after)[-1][0] == "bot"
    assert not any(m["pending"] for m in after["conversation"])
    texts = [e["text"] for e in user_events(stack, before["session"]["session_id"])]
    assert texts == ["/greet", BEFORE, WHILE_DOWN]


def test_the_answer_to_what_was_typed_while_away_is_the_right_one(
    restarted: dict[str, Any],
) -> None:
    after = said(restarted["snapshots"]["after"])
    answer = after[after.index(("user", WHILE_DOWN)) + 1][1]

    assert answer.startswith("Lệ phí Cấp hộ chiếu")
    assert restarted["cspViolations"] == []
    assert restarted["pageErrors"] == []
