"""A round-robin HTTP load balancer on loopback, standing in for nginx in front of several Rasa
instances. A REST-channel message goes to the instance after the one that took the same
conversation's previous message, so consecutive messages of one conversation always land on
different instances; any other request goes to the next instance in turn. Like nginx's default
``proxy_next_upstream error``, a request that cannot reach an instance (connection refused: the
instance is gone) is passed to the next one; a request an instance accepted is never sent
twice."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class RoundRobin:
    def __init__(self, upstreams: list[str], delay_seconds: float = 0.0) -> None:
        self.upstreams = upstreams
        self.delay_seconds = delay_seconds  # added before each request: a slow upstream
        # one pool for all requests (a client per request costs a connection each time)
        self.client = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=256))
        self.hits: Counter[str] = Counter()  # requests each instance answered
        self.routes: defaultdict[str, list[str]] = defaultdict(list)  # sender -> instances
        self._next = 0
        self._turns: Counter[str] = Counter()
        self._lock = threading.Lock()

    def order(self, sender: str | None) -> list[str]:
        """The instances to try for one request: the one in turn first, then the others."""
        with self._lock:
            if sender is None:
                start = self._next
                self._next = (self._next + 1) % len(self.upstreams)
            else:
                start = self._turns[sender] % len(self.upstreams)
                self._turns[sender] += 1
        return self.upstreams[start:] + self.upstreams[:start]


def _sender(body: bytes) -> str | None:
    try:
        sender = json.loads(body).get("sender")
    except (ValueError, AttributeError):
        return None
    return sender if isinstance(sender, str) else None


def _handler(balancer: RoundRobin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out as separate writes: with Nagle's algorithm the body waits for
        # the client's delayed ACK, 40 ms a request
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if balancer.delay_seconds:
                time.sleep(balancer.delay_seconds)
            sender = _sender(body) if self.path.startswith("/webhooks/rest/") else None
            for upstream in balancer.order(sender):
                try:
                    response = balancer.client.request(
                        self.command, upstream + self.path, content=body, headers=headers
                    )
                except httpx.ConnectError:
                    continue  # this instance is down: the next one takes the request
                balancer.hits[upstream] += 1
                if sender is not None:
                    balancer.routes[sender].append(upstream)
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in _HOP_BY_HOP and key.lower() != "content-encoding":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)
                return
            self.send_error(502, "no instance answered")

        do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

    return Handler


@contextmanager
def round_robin(
    upstreams: list[str], delay_seconds: float = 0.0
) -> Iterator[tuple[str, RoundRobin]]:
    """The balancer's URL on 127.0.0.1 and its state, while the block runs."""
    balancer = RoundRobin(upstreams, delay_seconds)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(balancer))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", balancer
    finally:
        server.shutdown()
        server.server_close()
        balancer.client.close()
