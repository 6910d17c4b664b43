"""The citizen chat page (/chat/ on the Rasa server) in a real browser (Debian's chromium), against
the running stack, over the socket.io channel with its signed sessions.

A citizen opens the page, gets the greeting, taps a menu button, asks what no procedure covers,
asks about a procedure, taps one of its quick replies, follows the link, reloads: the conversation
is shown again from the server and goes on in the same session. On a phone they look a dossier up.
Its Content-Security-Policy forbids inline script and style: all of it runs without a violation.
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts.stack import Stack
from tests.browser.driver import run_chat
from tests.browser.support import (
    DESKTOP,
    PHONE,
    chat_page,
    screenshot,
    user_events,
    webchat_config,
)

pytestmark = pytest.mark.e2e

PORTAL = {
    "href": "https://dichvucong.gov.vn/",
    "text": "https://dichvucong.gov.vn",
    "target": "_blank",
    "rel": "noopener",
    "attributes": ["href", "rel", "target"],
}
MENU = ["Hướng dẫn thủ tục", "Tra cứu hồ sơ", "Gửi phản ánh, kiến nghị", "Gặp cán bộ"]
GREETING = "Em chào anh/chị! Em là trợ lý ảo Dịch vụ công. Em có thể giúp anh/chị:"
PROCEDURE = "thủ tục đăng ký khai sinh"
UNCOVERED = "làm giấy phép lao động cho người nước ngoài"
TYPING = "Trợ lý đang trả lời…"
# connectors/seed/dossiers.yml, the README's demo table: a birth registration needing a supplement
DOSSIER = "000.00.30.H56-261115-0012"
CCCD = "079203001234"
PAGE_METADATA = {"channel": "web", "embedded": False, "locale": "vi", "page": "/chat/"}


def said(conversation: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(m["who"], m["text"]) for m in conversation]


def answer_to(conversation: list[dict[str, Any]], question: str) -> list[str]:
    """The bot's messages after the citizen's ``question``, up to the citizen's next one."""
    at = [m["text"] for m in conversation].index(question)
    answer = []
    for message in conversation[at + 1 :]:
        if message["who"] == "user":
            break
        answer.append(message["text"])
    return answer


@pytest.fixture(scope="module")
def citizen(stack: Stack) -> dict[str, Any]:
    return run_chat(
        {
            "url": chat_page(stack),
            "viewport": DESKTOP,
            "steps": [
                {"button": "Hướng dẫn thủ tục"},
                UNCOVERED,
                PROCEDURE,
                {"button": "Lệ phí"},
                {"snapshot": "before reload"},
                {"screenshot": screenshot("chat-desktop.png")},
                {"reload": True},
                {"snapshot": "after reload"},
            ],
            "probeLinks": True,
        }
    )


@pytest.fixture(scope="module")
def on_a_phone(stack: Stack) -> dict[str, Any]:
    return run_chat(
        {
            "url": chat_page(stack),
            "viewport": PHONE,
            "steps": [
                {"button": "Hướng dẫn thủ tục"},
                "lệ phí làm hộ chiếu",
                # the README's picture of the chat (docs/chat-phone.png is a copy)
                {"screenshot": screenshot("chat-phone.png")},
                "tra cứu hồ sơ",
                DOSSIER,
                CCCD,
                {"snapshot": "looked up"},
                {"screenshot": screenshot("chat-phone-dossier.png")},
            ],
        }
    )


def test_the_page_runs_under_its_policy_without_a_single_violation(
    citizen: dict[str, Any],
) -> None:
    assert citizen["cspViolations"] == []
    assert citizen["pageErrors"] == []
    assert citizen["consoleErrors"] == []
    assert citizen["snapshots"]["after reload"]["cspViolations"] == []


def test_the_bot_greets_first_with_its_menu_and_the_greeting_payload_is_not_shown(
    citizen: dict[str, Any],
) -> None:
    first, second = citizen["conversation"][:2]

    assert (first["who"], first["text"]) == ("bot", GREETING)
    assert (second["who"], second["text"]) == ("user", "Hướng dẫn thủ tục")


def test_a_procedure_question_is_answered_with_its_quick_replies(
    citizen: dict[str, Any],
) -> None:
    answer = answer_to(citizen["conversation"], PROCEDURE)

    assert answer[0].startswith("📋 Đăng ký khai sinh")
    assert any("Lệ phí:" in text for text in answer)


def test_a_tapped_quick_reply_is_sent_with_its_title_and_answered(
    citizen: dict[str, Any],
) -> None:
    shown = [m["text"] for m in citizen["conversation"] if m["who"] == "user"]

    assert shown == ["Hướng dẫn thủ tục", UNCOVERED, PROCEDURE, "Lệ phí"]
    assert answer_to(citizen["conversation"], "Lệ phí")[0].startswith("Lệ phí Đăng ký khai sinh")
    # the rows of buttons already answered are gone: only the last answer's are left
    assert not set(MENU) & set(citizen["buttonsLeft"])
    assert len(citizen["buttonsLeft"]) == len(set(citizen["buttonsLeft"]))


def test_the_typing_indicator_shows_while_the_bot_answers_and_clears(
    citizen: dict[str, Any],
) -> None:
    shown = citizen["snapshots"]["before reload"]["typingShown"]

    # on and off again for the greeting and each of the four messages, at least
    assert shown.count(TYPING) >= 5
    assert shown[-1] == ""


def test_the_answer_links_the_national_portal_in_a_new_tab(citizen: dict[str, Any]) -> None:
    answer = [m for m in citizen["conversation"] if m["who"] == "bot" and m["links"]]

    assert any(PORTAL in m["links"] for m in answer)
    for message in answer:
        assert message["elements"] == ["a"] * len(message["links"])  # text and links only


def test_clicking_the_link_opens_the_portal_in_a_new_tab(citizen: dict[str, Any]) -> None:
    links = [link for m in citizen["conversation"] if m["who"] == "bot" for link in m["links"]]

    # the click really navigated a new tab there (aborted: no request leaves this machine)
    assert citizen["linksProbed"] == len(links) >= 1
    assert len(citizen["popups"]) == citizen["linksProbed"]
    assert PORTAL["href"] in citizen["blockedRequests"]
    assert citizen["dialogs"] == []


def test_after_a_reload_the_conversation_is_shown_again_in_the_same_session(
    citizen: dict[str, Any],
) -> None:
    before = citizen["snapshots"]["before reload"]
    after = citizen["snapshots"]["after reload"]

    assert before["session"]["session_id"].startswith("sio-")
    assert after["session"] == before["session"]
    assert said(after["conversation"]) == said(before["conversation"])
    assert after["buttons"] == before["buttons"]  # the last answer's buttons still apply


def test_the_server_holds_one_conversation_greeted_once_with_the_pages_metadata(
    stack: Stack, citizen: dict[str, Any]
) -> None:
    events = user_events(stack, citizen["session"]["session_id"])
    texts = [e["text"] for e in events]

    # the buttons' payloads (shown by their titles); the reload did not greet again
    assert texts == ["/greet", "/ask_procedure", UNCOVERED, PROCEDURE, "/ask_fee"]
    # custom data (metadata_key: customData) reaches the tracker with every message (Rasa adds
    # its model_id and assistant_id)
    assert [{k: e["metadata"].get(k) for k in PAGE_METADATA} for e in events] == [
        PAGE_METADATA
    ] * len(events)


def test_the_header_shows_the_configured_locality_and_hotline(
    stack: Stack, citizen: dict[str, Any]
) -> None:
    config = webchat_config(stack)

    shown = citizen["snapshots"]["before reload"]["locality"]

    assert shown == f"{config['title']} · Tổng đài {config['hotline']}"


def test_a_dossier_is_looked_up_on_a_phone(on_a_phone: dict[str, Any]) -> None:
    answer = answer_to(on_a_phone["conversation"], CCCD)

    assert answer[0].startswith(f"Hồ sơ {DOSSIER}\nThủ tục: Đăng ký khai sinh")
    assert "Tình trạng: Cần bổ sung hồ sơ" in answer[0]
    assert on_a_phone["cspViolations"] == on_a_phone["pageErrors"] == []


def test_on_a_360_px_phone_nothing_scrolls_sideways(on_a_phone: dict[str, Any]) -> None:
    layout = on_a_phone["snapshots"]["looked up"]["layout"]["page"]

    assert layout == {"scrollWidth": 360, "clientWidth": 360, "wide": []}


def test_when_the_socket_cannot_connect_the_citizen_is_told_with_the_hotline(
    stack: Stack,
) -> None:
    result = run_chat(
        {
            "url": chat_page(stack),
            "failSocket": True,
            "steps": [
                {"waitState": "offline"},
                {"keyboard": [{"tabTo": "#input"}, {"type": "xin chào"}, {"press": "Enter"}]},
                {"snapshot": "offline"},
            ],
        }
    )
    offline = result["snapshots"]["offline"]
    hotline = webchat_config(stack)["hotline"]

    assert offline["status"] == (
        "Xin lỗi anh/chị, kết nối đang gián đoạn. Em đang kết nối lại, anh/chị vui lòng chờ ít "
        f"phút hoặc gọi {hotline}."
    )
    # what the citizen typed is kept, waiting to be sent, not lost
    assert [(m["who"], m["text"], m["pending"]) for m in offline["conversation"]] == [
        ("user", "xin chào", True)
    ]
    assert result["cspViolations"] == []
