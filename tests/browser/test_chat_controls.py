"""The full chat page used with the keyboard alone, and its "new conversation" button.

Keyboard: Tab reaches the input and every quick reply, Enter sends and presses, and a pressed
quick reply (which disappears) hands the focus back to the input. The page's controls carry
labels a screen reader reads (checked on the page's source in test_web_sources.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts.stack import Stack
from tests.browser.driver import run_chat
from tests.browser.support import chat_page, user_events

pytestmark = pytest.mark.e2e

GREETING = "Em chào anh/chị! Em là trợ lý ảo Dịch vụ công. Em có thể giúp anh/chị:"
PROCEDURE = "thủ tục đăng ký khai sinh"


@pytest.fixture(scope="module")
def by_keyboard(stack: Stack) -> dict[str, Any]:
    return run_chat(
        {
            "url": chat_page(stack),
            "steps": [
                {
                    "keyboard": [
                        {"tabTo": "#input"},
                        {"type": PROCEDURE},
                        {"answer": "Enter"},
                        {"tabToButton": "Lệ phí"},
                        {"answer": "Enter"},
                        {"focused": "after the quick reply"},
                    ]
                },
            ],
        }
    )


def test_typing_and_enter_send_a_question(by_keyboard: dict[str, Any]) -> None:
    shown = [(m["who"], m["text"]) for m in by_keyboard["conversation"]]

    assert shown[:2] == [("bot", GREETING), ("user", PROCEDURE)]
    assert shown[2][1].startswith("📋 Đăng ký khai sinh")


def test_a_quick_reply_is_reached_with_tab_and_pressed_with_enter(
    by_keyboard: dict[str, Any],
) -> None:
    shown = [(m["who"], m["text"]) for m in by_keyboard["conversation"]]
    reached = [k["to"] for k in by_keyboard["keyboard"] if "to" in k]

    assert reached == ["#input", "Lệ phí"]
    answer = shown[shown.index(("user", "Lệ phí")) + 1]
    assert answer[0] == "bot"
    assert answer[1].startswith("Lệ phí Đăng ký khai sinh")


def test_after_a_quick_reply_the_focus_is_back_in_the_input(by_keyboard: dict[str, Any]) -> None:
    focus = next(k for k in by_keyboard["keyboard"] if "focused" in k)

    assert [(f["frame"], f["id"]) for f in focus["where"]] == [("page", "input")]


def test_a_new_conversation_starts_afresh_with_a_new_session(stack: Stack) -> None:
    result = run_chat(
        {
            "url": chat_page(stack),
            "steps": [
                PROCEDURE,
                {"snapshot": "first"},
                {"restart": True},
                {"snapshot": "second"},
            ],
        }
    )
    first = result["snapshots"]["first"]
    second = result["snapshots"]["second"]

    assert second["session"]["session_id"] != first["session"]["session_id"]
    assert [(m["who"], m["text"]) for m in second["conversation"]] == [("bot", GREETING)]
    assert [e["text"] for e in user_events(stack, second["session"]["session_id"])] == ["/greet"]
    # the first conversation is still the server's, untouched
    assert [e["text"] for e in user_events(stack, first["session"]["session_id"])] == [
        "/greet",
        PROCEDURE,
    ]
