"""What the Rasa server serves of the web chat (bot/channels/webpage.py), over HTTP: only the listed
files, each with its security headers; the page framed by no one, its embedded twin only by the
sites of ALLOWED_ORIGINS; the header's configuration from the connectors; the old address on the
connectors sending citizens here."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from scripts.stack import ROOT, Stack
from tests.browser.support import chat_page, webchat_config

pytestmark = pytest.mark.e2e

JS = "text/javascript"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
)
STATIC = {"cache-control": "public, max-age=300", "content-security-policy": None}
NOT_FOUND = (404, None, {"cache-control": "no-store"})  # Sanic's own page outside assets/
ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def embedders(stack: Stack) -> str:
    """frame-ancestors of the embedded page: itself and the test stack's ALLOWED_ORIGINS."""
    c = stack.config
    return " ".join(["'self'", *sorted([c.rasa_url, f"http://localhost:{c.rasa_port}"])])


@pytest.mark.parametrize(
    ("path", "status", "media_type", "expected"),
    [
        ("/chat/", 200, "text/html", {"x-frame-options": "DENY", "cache-control": "no-store"}),
        ("/chat/embed", 200, "text/html", {"x-frame-options": None, "cache-control": "no-store"}),
        ("/chat/widget.js", 200, JS, {**STATIC, "x-frame-options": "DENY"}),
        ("/chat/assets/chat.js", 200, JS, STATIC),
        ("/chat/assets/render.js", 200, JS, STATIC),
        ("/chat/assets/socket.io.esm.min.js", 200, JS, STATIC),
        ("/chat/assets/chat.css", 200, "text/css", STATIC),
        ("/chat/assets/widget.css", 200, "text/css", STATIC),
        ("/chat/config.json", 200, "application/json", STATIC),
        # nothing else of web/ (or beyond) is served
        ("/chat/assets/chat.html", *NOT_FOUND),
        ("/chat/assets/widget.js", *NOT_FOUND),
        ("/chat/assets/package.json", *NOT_FOUND),
        ("/chat/assets/..%2Fchat.html", *NOT_FOUND),
        ("/chat/assets/..%2F..%2Fcredentials.yml", *NOT_FOUND),
        ("/chat/package-lock.json", *NOT_FOUND),
        ("/chat/node_modules/socket.io-client/package.json", *NOT_FOUND),
        ("/chat/README.md", *NOT_FOUND),
    ],
)
def test_only_the_chats_files_are_served_each_with_its_headers(
    stack: Stack,
    path: str,
    status: int,
    media_type: str | None,
    expected: dict[str, str | None],
) -> None:
    answer = httpx.get(f"{stack.config.rasa_url}{path}", timeout=10)

    assert answer.status_code == status
    if media_type:
        assert answer.headers["content-type"].split(";")[0] == media_type
    for name, value in {**ALWAYS, **expected}.items():
        assert answer.headers.get(name) == value, name


@pytest.mark.parametrize(
    ("path", "ancestors"),
    [("/chat/", "'none'"), ("/chat/embed", None)],  # None: the sites of ALLOWED_ORIGINS
)
def test_the_page_forbids_inline_code_and_says_who_may_frame_it(
    stack: Stack, path: str, ancestors: str | None
) -> None:
    policy = httpx.get(f"{stack.config.rasa_url}{path}", timeout=10).headers[
        "content-security-policy"
    ]

    assert policy == POLICY.format(ancestors=ancestors or embedders(stack))


def test_the_page_address_without_its_slash_leads_to_it(stack: Stack) -> None:
    answer = httpx.get(f"{stack.config.rasa_url}/chat", timeout=10)

    # relative, so a proxy's path prefix is kept
    assert (answer.status_code, answer.headers["location"]) == (301, "chat/")


def test_the_headers_configuration_comes_from_the_connectors(stack: Stack) -> None:
    served = httpx.get(f"{stack.config.rasa_url}/chat/config.json", timeout=10).json()
    configured = webchat_config(stack)

    assert served == {"title": configured["title"], "hotline": configured["hotline"]}


def test_the_old_address_on_the_connectors_sends_citizens_to_the_page(stack: Stack) -> None:
    answer = httpx.get(f"{stack.config.connectors_url}/", timeout=10)

    assert (answer.status_code, answer.headers["location"]) == (307, chat_page(stack))


def test_the_socket_io_client_served_is_the_one_pinned_in_the_lock_file(stack: Stack) -> None:
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/socket.io-client"]["version"]
    served = httpx.get(f"{stack.config.rasa_url}/chat/assets/socket.io.esm.min.js", timeout=10)

    banner = re.search(r"Socket\.IO v(\S+)", served.text[:200])
    assert banner is not None
    assert banner.group(1) == pinned
    # socket.io protocol 5 (client 4.x) is what python-socketio 5 speaks
    assert pinned.startswith("4.")
