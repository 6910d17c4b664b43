"""The chat bubble on a city website of ANOTHER origin, added with the one documented tag.

The city's page (tests/browser/city_site.py, a real HTTP server on another loopback port) runs
under a strict CSP that allows exactly what web/README.md asks of a site. The Rasa server is
restarted with that origin added to ALLOWED_ORIGINS (the only thing a deployment changes), and
put back afterwards. A site not listed gets no chat frame, only a link to the full page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scripts.stack import Stack
from tests.browser.city_site import city_site
from tests.browser.driver import run_chat
from tests.browser.support import DESKTOP, PHONE, chat_page, screenshot, user_events

pytestmark = pytest.mark.e2e

GREETING = "Em chào anh/chị! Em là trợ lý ảo Dịch vụ công. Em có thể giúp anh/chị:"
QUESTION = "lệ phí làm hộ chiếu"


@pytest.fixture(scope="module")
def city(stack: Stack) -> Iterator[str]:
    """The city website's origin, listed in the Rasa server's ALLOWED_ORIGINS meanwhile."""
    with city_site(stack.config.rasa_url) as origin:
        rasa = next(s for s in stack.services if s.name == "rasa")
        listed = f"{rasa.env['ALLOWED_ORIGINS']},{origin}"
        with stack.reconfigured("rasa", {"ALLOWED_ORIGINS": listed}):
            yield origin


@pytest.fixture(scope="module")
def visitor(city: str) -> dict[str, Any]:
    """Opens the bubble, taps a menu button, asks a question, then goes to another page of the
    city's site: the panel is open again there with the conversation."""
    return run_chat(
        {
            "url": f"{city}/",
            "bubble": True,
            "viewport": DESKTOP,
            "steps": [
                {"snapshot": "closed"},
                {"bubble": True},
                {"button": "Hướng dẫn thủ tục"},
                QUESTION,
                {"snapshot": "talking"},
                {"screenshot": screenshot("bubble-desktop.png")},
                {"reload": True},
                {"snapshot": "next page"},
            ],
        }
    )


@pytest.fixture(scope="module")
def phone_visitor(city: str) -> dict[str, Any]:
    return run_chat(
        {
            "url": f"{city}/",
            "bubble": True,
            "viewport": PHONE,
            "steps": [
                {"bubble": True},
                "thủ tục đăng ký khai sinh",
                {"snapshot": "open"},
                {"screenshot": screenshot("bubble-phone.png")},
            ],
        }
    )


def test_the_tag_adds_a_closed_bubble(visitor: dict[str, Any]) -> None:
    bubble = visitor["snapshots"]["closed"]["bubble"]

    assert (bubble["expanded"], bubble["panelHidden"]) == ("false", True)


def test_the_bubble_opens_the_chat_and_talks(visitor: dict[str, Any]) -> None:
    talking = visitor["snapshots"]["talking"]
    texts = [(m["who"], m["text"]) for m in talking["conversation"]]

    assert visitor["greeting"] == GREETING
    assert texts[0] == ("bot", GREETING)
    assert texts[1] == ("user", "Hướng dẫn thủ tục")
    assert texts[2][0] == "bot"
    assert ("user", QUESTION) in texts
    assert texts[-1][0] == "bot"
    assert any(text.startswith("Lệ phí Cấp hộ chiếu") for who, text in texts if who == "bot")
    assert talking["bubble"]["expanded"] == "true"
    assert talking["bubble"]["panel"] == {"width": 380, "height": 620}


def test_nothing_breaks_either_page_policy(visitor: dict[str, Any]) -> None:
    # the city's strict CSP (city_site.site_policy) and the chat frame's own
    assert visitor["cspViolations"] == []
    assert visitor["pageErrors"] == []
    assert visitor["consoleErrors"] == []
    assert visitor["blockedRequests"] == []


def test_on_the_sites_next_page_the_panel_is_open_with_the_conversation(
    visitor: dict[str, Any],
) -> None:
    talking = visitor["snapshots"]["talking"]
    next_page = visitor["snapshots"]["next page"]

    assert next_page["bubble"]["expanded"] == "true"
    assert next_page["session"] == talking["session"]
    assert [(m["who"], m["text"]) for m in next_page["conversation"]] == [
        (m["who"], m["text"]) for m in talking["conversation"]
    ]


def test_the_tracker_knows_the_site_and_locality_the_chat_was_opened_on(
    stack: Stack, city: str, visitor: dict[str, Any]
) -> None:
    events = user_events(stack, visitor["session"]["session_id"])

    page = {
        "channel": "web",
        "embedded": True,
        "locale": "vi",
        "page": f"{city}/",  # the host page's address (no query string), not the frame's
        "locality": "Phường Mẫu",  # the tag's data-locality
    }

    assert events[0]["text"] == "/greet"
    assert [{k: e["metadata"].get(k) for k in page} for e in events] == [page] * len(events)


def test_on_a_phone_the_panel_fills_the_screen_and_nothing_scrolls_sideways(
    phone_visitor: dict[str, Any],
) -> None:
    opened = phone_visitor["snapshots"]["open"]

    assert opened["bubble"]["panel"] == {"width": 360, "height": 740}
    assert opened["layout"]["page"] == {"scrollWidth": 360, "clientWidth": 360, "wide": []}
    assert opened["layout"]["chat"] == {"scrollWidth": 360, "clientWidth": 360, "wide": []}
    assert phone_visitor["cspViolations"] == []


def test_the_bubble_works_from_the_keyboard_alone(city: str) -> None:
    result = run_chat(
        {
            "url": f"{city}/",
            "bubble": True,
            "steps": [
                {"keyboard": [{"tabTo": ".tldvc-bubble"}, {"press": "Enter"}]},
                {"greeting": True},
                {
                    "keyboard": [
                        {"focused": "opened"},
                        {"type": QUESTION},
                        {"answer": "Enter"},
                        {"press": "Escape"},
                        {"focused": "closed"},
                    ]
                },
                {"snapshot": "closed"},
            ],
        }
    )
    focus = {k["focused"]: k["where"] for k in result["keyboard"] if "focused" in k}

    # opening puts the caret in the chat's input; Escape closes and gives the focus back
    assert [(f["frame"], f["id"]) for f in focus["opened"]] == [("chat", "input")]
    assert [(f["frame"], f["className"]) for f in focus["closed"]] == [("page", "tldvc-bubble")]
    assert ("user", QUESTION) in [(m["who"], m["text"]) for m in result["conversation"]]
    assert result["snapshots"]["closed"]["bubble"]["panelHidden"] is True


def test_a_site_not_in_allowed_origins_gets_a_link_to_the_page_not_the_chat(
    stack: Stack,
) -> None:
    with city_site(stack.config.rasa_url) as unlisted:
        result = run_chat(
            {
                "url": f"{unlisted}/",
                "bubble": True,
                "steps": [
                    {"bubble": True, "chat": False},
                    {"wait": 11000},  # the widget waits 10 s for the frame to say it is ready
                    {"snapshot": "refused"},
                ],
            }
        )
    bubble = result["snapshots"]["refused"]["bubble"]

    assert bubble["fallback"] == (
        "Không mở được khung trò chuyện trên trang này. Mở trang trò chuyện"
    )
    assert bubble["fallbackLink"] == chat_page(stack)
    # the browser refused to frame the chat (CSP frame-ancestors), and said so
    assert any("frame-ancestors" in error for error in result["consoleErrors"])
