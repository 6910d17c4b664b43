"""Security headers on every response of the Rasa server (API, channels, socket.io polling), and
the Content-Security-Policy of the web chat page it serves (bot/channels/webpage.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

SECURITY_HEADERS = {
    # a JSON answer is never sniffed into HTML or script
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # answers hold conversations and personal data: no browser or proxy keeps a copy
    "Cache-Control": "no-store",
}


def page_policy(frame_ancestors: Iterable[str] = ()) -> str:
    """The chat page's policy: script, styles and connections (the socket included: CSP 3's
    'self' covers ws/wss to the same host) from this origin only, nothing inline, never framed
    except by ``frame_ancestors`` (the sites that embed the bubble)."""
    embedders = sorted(frame_ancestors)
    ancestors = " ".join(["'self'", *embedders]) if embedders else "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )


def add_security_headers(response: HTTPResponse) -> None:
    # a page that says who may frame it (CSP frame-ancestors) must not be refused by DENY:
    # browsers that know CSP ignore X-Frame-Options then, older ones would block the bubble
    policy = response.headers.get("Content-Security-Policy", "")
    framing = "frame-ancestors" in policy and "frame-ancestors 'none'" not in policy
    for name, value in SECURITY_HEADERS.items():
        if name == "X-Frame-Options" and framing:
            continue
        response.headers.setdefault(name, value)


def install(app: Sanic) -> None:
    """Registers the headers as response middleware (before the server starts)."""

    async def security_headers(_request: Request, response: HTTPResponse) -> None:
        add_security_headers(response)

    app.register_middleware(security_headers, "response")
