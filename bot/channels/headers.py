"""Security headers on every response of the Rasa server (API, channels, socket.io polling)."""

from __future__ import annotations

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


def add_security_headers(response: HTTPResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def install(app: Sanic) -> None:
    """Registers the headers as response middleware (before the server starts)."""

    async def security_headers(_request: Request, response: HTTPResponse) -> None:
        add_security_headers(response)

    app.register_middleware(security_headers, "response")
