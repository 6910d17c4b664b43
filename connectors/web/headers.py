"""Security headers on every connectors response.

Any HTML page of the connectors gets a Content-Security-Policy allowing script and styles only
from this origin and connections only to this origin and Rasa: an injected ``<script>`` or
``onmouseover`` does not run even if a page's own escaping ever fails. (The citizen chat page,
which used to be here, is now served by the Rasa server with its own policy: web/ and
bot/channels/headers.py.) API answers carry citizens' data: never cached.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# On every answer: no MIME sniffing, no referrer leaving the page, never inside a frame.
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
API_PREFIX = "/api/"
API = {"Cache-Control": "no-store"}

# FastAPI's interactive docs load Swagger UI / ReDoc from their CDN and start them with an inline
# script: the one HTML page allowed inline script. It shows the static OpenAPI schema only,
# never a citizen's words.
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
DOCS_CSP = (
    "default-src 'none'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_HOST = re.compile(r"^[A-Za-z0-9.-]+$")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or None (relative, other scheme, odd host).

    A CSP source with a path matches only that exact path, so the REST channel's origin is
    listed, not the configured URL; a host that could end the directive (``;``, spaces) is
    refused rather than written into the header.
    """
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not _HOST.match(host.replace(":", "")):
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def chat_csp(rasa_public_url: str) -> str:
    """The chat page's policy: nothing inline; connections to this origin and Rasa only."""
    connect = " ".join(filter(None, ["'self'", origin_of(rasa_public_url)]))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        # font-src: the icon fonts of the staff console's catalogue pages (sqladmin)
        f"connect-src {connect}; img-src 'self' data:; font-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def headers_for(path: str, content_type: str, page_csp: str) -> dict[str, str]:
    """The security headers of one answer, from its path and media type."""
    headers = dict(COMMON)
    if path.startswith(API_PREFIX):
        headers.update(API)
    if content_type.split(";")[0].strip().lower() == "text/html":
        headers["Content-Security-Policy"] = DOCS_CSP if path in DOCS_PATHS else page_csp
    return headers


class SecurityHeaders:
    """ASGI middleware (not BaseHTTPMiddleware: file and streamed answers pass through as is)."""

    def __init__(self, app: ASGIApp, rasa_public_url: str) -> None:
        self.app = app
        self.page_csp = chat_csp(rasa_public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in headers_for(
                    path, headers.get("content-type", ""), self.page_csp
                ).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
