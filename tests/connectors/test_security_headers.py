"""Security headers on every connectors answer; the old chat address sends citizens to the page
the Rasa server serves (its own headers and sources: tests/browser/test_web_server.py and
test_web_sources.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from connectors.settings import Settings
from connectors.web.headers import DOCS_CSP, chat_csp, origin_of

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
NO_STORE = {"cache-control": "no-store"}
ABSENT = None


@pytest.mark.parametrize(
    ("path", "status", "media_type", "expected"),
    [
        # the chat page's files moved to the Rasa server (web/): nothing is served here
        ("/static/chat.js", 404, "application/json", {}),
        ("/static/chat.css", 404, "application/json", {}),
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


@pytest.mark.parametrize(
    ("rasa_public_url", "page"),
    [
        ("http://127.0.0.1:5005", "http://127.0.0.1:5005/chat/"),
        ("https://chat.tinh.gov.vn/rasa/", "https://chat.tinh.gov.vn/rasa/chat/"),
    ],
)
def test_the_old_chat_address_sends_citizens_to_the_page_rasa_serves(
    settings: Settings, rasa_public_url: str, page: str
) -> None:
    from connectors.main import create_app

    configured = settings.model_copy(update={"rasa_public_url": rasa_public_url})
    with TestClient(create_app(configured)) as client:
        response = client.get("/", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (307, page)
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, name
