"""Finding 5: stored XSS on the chat page, replayed as an attacker would do it.

The attacker files complaints through the real conversation (Rasa's REST channel) with markup
in the description, whose first clause becomes the stored topic. A victim (another browser, any
sender) looks one up with "tra cứu phản ánh <code>" on the web chat (/chat/ on the Rasa server,
over socket.io): the bot repeats the topic, and the old page turned it into HTML (``linkify()``
left ``"`` unescaped, so a URL broke out of ``href``). Then the victim hovers and clicks every
link, reloads (the conversation comes back from the server and is drawn again) and does it again.
Nothing planted may run, and an inline script injected into the page must be refused by its
Content-Security-Policy.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from scripts.stack import Stack
from tests.browser.driver import run_chat
from tests.browser.support import chat_page
from tests.conftest import rest_say
from tests.e2e.conftest import Say

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"Mã theo dõi: (PA-\d{6}-[A-Z0-9]{6})")
# The topic keeps the description's first clause (up to . ! ? ; or a line break): payloads
# without those. Each would run on a page that builds HTML from the bot's text.
PAYLOADS = [
    # the issue's: a URL whose quote closes href and adds an event handler (ran on hover)
    'đèn đường hỏng http://x/"onmouseover="__xss=1"x="',
    'đèn đường hỏng https://x/"onclick="__xss=2"x="',
    "cống bị tràn <img src=x onerror=__xss=3> cả tuần",
    "rác không thu gom <svg onload=alert(4)> mấy hôm",
    "đèn đường hỏng javascript:__xss=5 cả tuần",
    "vỉa hè lấn chiếm </div><script>__xss=6</script> cả tháng",
]


def plant(say: Say, attacker: str, description: str) -> str:
    """Files one complaint through the conversation; returns its tracking code."""
    replies = [
        *say(attacker, f"tôi muốn phản ánh {description}"),
        *say(attacker, "/deny"),  # "Bỏ qua": no place
        *say(attacker, "/deny"),  # "Bỏ qua": no phone
        *say(attacker, "/affirm"),  # "Gửi phản ánh"
    ]
    texts = "\n".join(str(r.get("text", "")) for r in replies)
    found = RECEIPT.search(texts)
    assert found, f"the complaint was not filed:\n{texts}"
    return found.group(1)


def topic(description: str) -> str:
    return description[:1].upper() + description[1:]


@pytest.fixture(scope="module")
def victim(stack: Stack, attacker_says: Say) -> dict[str, Any]:
    codes = [plant(attacker_says, f"attacker-{uuid.uuid4().hex[:8]}", p) for p in PAYLOADS]
    return run_chat(
        {
            "url": chat_page(stack),
            "steps": [
                *(f"tra cứu phản ánh {code}" for code in codes),
                {"probeLinks": True},
                {"snapshot": "live"},
                {"reload": True},  # drawn again from the server's history
            ],
            "probeLinks": True,
            "injectInline": True,
        }
    )


@pytest.fixture(scope="module")
def attacker_says(stack: Stack) -> Say:
    """The conftest's ``say``, once per module: the complaints are planted once."""
    return rest_say(stack.config.rasa_url)


def drawn(victim: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The conversation as the answers arrived, and as the history drew it after the reload."""
    return {"live": victim["snapshots"]["live"]["conversation"], "reloaded": victim["conversation"]}


@pytest.mark.parametrize("when", ["live", "reloaded"])
@pytest.mark.parametrize("description", PAYLOADS)
def test_the_planted_topic_is_shown_as_plain_text(
    victim: dict[str, Any], description: str, when: str
) -> None:
    shown = [m["text"] for m in drawn(victim)[when] if m["who"] == "bot"]

    assert any(topic(description) in text for text in shown), shown


def test_hovering_and_clicking_every_link_runs_nothing(victim: dict[str, Any]) -> None:
    assert victim["linksProbed"] >= 4  # the two planted http(s) addresses, before and after
    assert victim["xss"] is None
    assert victim["dialogs"] == []
    assert victim["pageErrors"] == []


@pytest.mark.parametrize("when", ["live", "reloaded"])
def test_links_are_plain_http_links_in_a_new_tab(victim: dict[str, Any], when: str) -> None:
    links = [link for m in drawn(victim)[when] for link in m["links"]]

    assert links
    for link in links:
        assert link["attributes"] == ["href", "rel", "target"]
        assert re.match(r"https?://", link["href"]), link
        assert (link["target"], link["rel"]) == ("_blank", "noopener")


@pytest.mark.parametrize("when", ["live", "reloaded"])
def test_bot_messages_hold_only_text_and_links(victim: dict[str, Any], when: str) -> None:
    for message in drawn(victim)[when]:
        assert set(message["elements"]) <= {"a"}, message


def test_an_inline_script_injected_into_the_page_is_refused(victim: dict[str, Any]) -> None:
    refused = {v["directive"] for v in victim["inline"]["violations"]}

    assert victim["inline"]["script"] is False
    assert victim["inline"]["handler"] is False
    assert {"script-src-elem", "script-src-attr"} <= refused


def test_the_page_is_served_with_a_policy_that_forbids_inline_script(stack: Stack) -> None:
    headers = httpx.get(chat_page(stack), timeout=10).headers
    directives = headers["content-security-policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)

    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    # the socket is on the page's own origin: nothing else may be reached
    assert policy["connect-src"] == "'self'"
    assert (headers["x-content-type-options"], headers["x-frame-options"]) == ("nosniff", "DENY")
