"""A city website on another loopback origin, carrying the chat bubble with the one documented tag.

A real HTTP server (http.server in a thread), serving one page under a strict Content-Security-
Policy that allows exactly what web/README.md tells a site to allow: the widget's script and
styles, and the chat frame, from the chat server. Nothing else of the chat server is trusted.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thông tin điện tử Phường Mẫu (trang mẫu để kiểm thử)</title>
</head>
<body>
<header><h1>Phường Mẫu</h1>
<nav><a href="/gioi-thieu">Giới thiệu</a> <a href="/tin-tuc">Tin tức</a></nav></header>
<main><p>Trang mẫu (demo) của một cổng thông tin phường, để kiểm thử khung trò chuyện.</p></main>
<script src="{chat}/chat/widget.js" defer data-locality="Phường Mẫu"></script>
</body>
</html>
"""


def site_policy(chat_origin: str) -> str:
    """The host page's CSP: what web/README.md says a site must allow for the bubble."""
    return (
        "default-src 'self'; "
        f"script-src 'self' {chat_origin}; style-src 'self' {chat_origin}; "
        f"frame-src {chat_origin}"
    )


@contextmanager
def city_site(chat_origin: str, port: int = 0) -> Iterator[str]:
    """Serves the city's page until the block ends; yields its origin (http://127.0.0.1:PORT)."""
    body = PAGE.replace("{chat}", html.escape(chat_origin)).encode("utf-8")
    policy = site_policy(chat_origin)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] in ("/", "/gioi-thieu", "/tin-tuc"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", policy)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet test output

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
