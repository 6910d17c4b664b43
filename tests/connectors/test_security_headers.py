"""Security headers on every connectors answer; a chat page needing nothing its CSP forbids."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from connectors.settings import Settings
from connectors.web.headers import DOCS_CSP, chat_csp, origin_of
from connectors.web.router import STATIC

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self' http://127.0.0.1:5005; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NO_STORE = {"cache-control": "no-store"}
HTML_CSP = {"content-security-policy": PAGE_CSP}
ABSENT = None


@pytest.mark.parametrize(
    ("path", "status", "media_type", "expected"),
    [
        ("/", 200, "text/html", {**HTML_CSP, "cache-control": ABSENT}),
        ("/static/chat.js", 200, "text/javascript", {"content-security-policy": ABSENT}),
        ("/static/chat.css", 200, "text/css", {"content-security-policy": ABSENT}),
        ("/static/chat.html", 404, "application/json", {}),
        ("/static/router.py", 404, "application/json", {}),
        ("/static/..%2Frouter.py", 404, "application/json", {}),
        ("/api/v1/webchat/config", 200, "application/json",
         {**NO_STORE, "content-security-policy": ABSENT}),
        ("/api/v1/no-such-thing", 404, "application/json", NO_STORE),
        ("/health", 200, "application/json", {"cache-control": ABSENT}),
        ("/openapi.json", 200, "application/json", {"content-security-policy": ABSENT}),
        ("/docs", 200, "text/html", {"content-security-policy": DOCS_CSP}),
        ("/redoc", 200, "text/html", {"content-security-policy": DOCS_CSP}),
    ],
)
def test_every_answer_carries_its_security_headers(
    client: TestClient, path: str, status: int, media_type: str,
    expected: dict[str, str | None],
) -> None:
    response = client.get(path)

    assert response.status_code == status
    assert response.headers["content-type"].split(";")[0] == media_type
    for name, value in {**COMMON, **expected}.items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/applications/lookup", {"code": "x"}),
        ("POST", "/api/v1/feedback", {}),
        ("GET", "/api/v1/feedback/not-a-code", {}),
        ("PATCH", "/api/v1/handoffs/1", {}),
    ],
)
def test_refused_api_answers_are_not_cached_either(
    client: TestClient, method: str, path: str, body: dict[str, str]
) -> None:
    response = client.request(method, path, json=body)

    assert 400 <= response.status_code < 500
    for name, value in {**COMMON, **NO_STORE}.items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize(
    ("rasa_public_url", "origin"),
    [
        ("http://127.0.0.1:5005", "http://127.0.0.1:5005"),
        ("https://chat.tinh.gov.vn/rasa/", "https://chat.tinh.gov.vn"),
        ("https://user:secret@chat.tinh.gov.vn:8443/x?y=1", "https://chat.tinh.gov.vn:8443"),
        ("http://[::1]:5005", "http://[::1]:5005"),
        ("HTTPS://Chat.Tinh.Gov.VN", "https://chat.tinh.gov.vn"),
        ("/rasa", None),  # same origin behind a proxy: 'self' covers it
        ("", None),
        ("javascript:alert(1)", None),
        ("ws://127.0.0.1:5005", None),
        ("http://a.example;script-src *", None),
        ("http://a.example:99999", None),
    ],
)
def test_connect_src_lists_only_the_rest_channels_origin(
    rasa_public_url: str, origin: str | None
) -> None:
    connect_src = f"connect-src 'self' {origin};" if origin else "connect-src 'self';"

    assert origin_of(rasa_public_url) == origin
    assert connect_src in chat_csp(rasa_public_url)


def test_the_page_policy_follows_the_configured_rasa_url(settings: Settings) -> None:
    from connectors.main import create_app

    configured = settings.model_copy(update={"rasa_public_url": "https://chat.tinh.gov.vn/rasa"})
    with TestClient(create_app(configured)) as client:
        policy = client.get("/").headers["content-security-policy"]

    assert "connect-src 'self' https://chat.tinh.gov.vn;" in policy


class _InlineCode(HTMLParser):
    """What in a page the policy would block: inline scripts, styles and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        self.found += [f"{tag} {n}=" for n in names if n.startswith("on") or n == "style"]
        self._in = tag

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.found.append("script body")


def test_the_page_has_no_inline_script_style_or_handler() -> None:
    parser = _InlineCode()
    parser.feed((STATIC / "chat.html").read_text(encoding="utf-8"))

    assert parser.found == []


@pytest.mark.parametrize(
    "sink", ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
             "new Function", "setAttribute(\"on", ".style."]
)
def test_the_script_builds_no_html_from_strings(sink: str) -> None:
    source = (STATIC / "chat.js").read_text(encoding="utf-8").splitlines()
    code = [line for line in source if not line.strip().startswith("//")]

    assert [line for line in code if sink in line] == []
