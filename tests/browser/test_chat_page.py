"""The chat page in a real browser (Debian's chromium), against the running stack.

Its Content-Security-Policy forbids inline script and style: these tests prove the page still does
all it did (greeting once, sender kept, buttons, links in a new tab, the hotline apology) under it.
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts.stack import ROOT, Stack
from tests.browser.driver import run_chat

pytestmark = pytest.mark.e2e

PORTAL = {
    "href": "https://dichvucong.gov.vn/",
    "text": "https://dichvucong.gov.vn",
    "target": "_blank",
    "rel": "noopener",
    "attributes": ["href", "rel", "target"],
}
MENU = ["Hướng dẫn thủ tục", "Tra cứu hồ sơ"]
SCREENSHOT = ROOT / "var" / "results" / "browser" / "chat.png"


def bot_links(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [link for m in result["conversation"] if m["who"] == "bot" for link in m["links"]]


@pytest.fixture(scope="module")
def citizen(stack: Stack) -> dict[str, Any]:
    """A citizen opens the page, clicks a menu button, asks what no procedure covers, follows
    the link the bot gives, and comes back later."""
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    return run_chat(
        {
            "url": f"{stack.config.connectors_url}/",
            "messages": [
                {"button": "Hướng dẫn thủ tục"},
                "làm giấy phép lao động cho người nước ngoài",
            ],
            "probeLinks": True,
            "reload": True,
            # kept for a person to look at (and for the README's picture of the chat)
            "screenshot": str(SCREENSHOT),
        }
    )


def test_the_page_runs_under_its_policy_without_a_single_violation(
    citizen: dict[str, Any],
) -> None:
    assert citizen["cspViolations"] == []
    assert citizen["pageErrors"] == []
    assert citizen["consoleErrors"] == []
    assert citizen["afterReload"]["cspViolations"] == []


def test_the_bot_greets_with_its_menu_buttons(citizen: dict[str, Any]) -> None:
    first, second = citizen["conversation"][:2]

    assert (first["who"], first["text"]) == ("user", "Xin chào")
    assert second["who"] == "bot"
    assert second["text"].startswith("Em chào anh/chị!")


def test_a_clicked_button_is_sent_with_its_title_and_the_row_goes_away(
    citizen: dict[str, Any],
) -> None:
    shown = [m["text"] for m in citizen["conversation"] if m["who"] == "user"]

    assert shown == ["Xin chào", "Hướng dẫn thủ tục", "làm giấy phép lao động cho người nước ngoài"]
    assert not set(MENU) & set(citizen["buttonsLeft"])


def test_the_answer_links_the_national_portal_in_a_new_tab(citizen: dict[str, Any]) -> None:
    answer = citizen["conversation"][-1]

    assert answer["who"] == "bot"
    assert "https://dichvucong.gov.vn" in answer["text"]
    assert PORTAL in answer["links"]
    assert answer["elements"] == ["a"] * len(answer["links"])  # text and links, nothing else


def test_clicking_the_link_opens_the_portal_in_a_new_tab(citizen: dict[str, Any]) -> None:
    # the click really navigated a new tab there (aborted: no request leaves this machine)
    assert citizen["linksProbed"] == len(bot_links(citizen)) >= 1
    assert len(citizen["popups"]) == citizen["linksProbed"]
    assert PORTAL["href"] in citizen["blockedRequests"]
    assert citizen["dialogs"] == []


def test_after_a_reload_the_sender_is_kept_and_the_greeting_not_repeated(
    citizen: dict[str, Any],
) -> None:
    assert citizen["sender"].startswith("web-")
    assert citizen["afterReload"]["sender"] == citizen["sender"]
    assert citizen["afterReload"]["messages"] == []


def test_when_rasa_is_unreachable_the_citizen_gets_the_apology_with_the_hotline(
    stack: Stack,
) -> None:
    result = run_chat({"url": f"{stack.config.connectors_url}/", "failRasa": True})

    assert [(m["who"], m["text"]) for m in result["conversation"]] == [
        ("user", "Xin chào"),
        (
            "bot",
            "Xin lỗi anh/chị, kết nối đang gián đoạn. Anh/chị vui lòng thử lại sau ít phút "
            "hoặc gọi 18001096.",
        ),
    ]
    assert result["cspViolations"] == []
