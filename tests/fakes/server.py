"""What every fake upstream system shares: a real HTTP server on a free loopback port.

A test takes it down (connection refused, and its kept-alive connections dropped, as when a real
system goes away) and brings it back on the same port; answers are JSON over HTTP/1.1; calls are
counted under the lock that guards the fake's state. Each fake adds its routes and modes.
"""

from __future__ import annotations

import json
import socket
import threading
from abc import ABC, abstractmethod
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

HOST = "127.0.0.1"

_Fake = TypeVar("_Fake", bound="LoopbackFake")


class _Server(ThreadingHTTPServer):
    """Serves each connection in a daemon thread and remembers the open ones: a server that goes
    down drops its kept-alive connections too, or a client would still be answered."""

    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when a client opens dozens at once
    # (the Zalo benchmark's burst), which a real server does not
    request_queue_size = 128

    def __init__(self, port: int, handler: type[BaseHTTPRequestHandler]) -> None:
        self._open_lock = threading.Lock()
        self._open: set[socket.socket] = set()
        super().__init__((HOST, port), handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        with self._open_lock:
            connections, self._open = self._open, set()
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class JsonHandler(BaseHTTPRequestHandler):
    """Answers in JSON on kept-alive connections, quietly."""

    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without this, Nagle and the client's delayed ACK add
    # 40 ms to every answer, which a real server does not (the benchmark's figures)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: pytest shows the test's own output

    def finish(self) -> None:
        with suppress(OSError):  # the fake went down under this connection
            super().finish()

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, status: int, body: Any) -> None:
        """``body`` as JSON, or as it is when it is bytes (a malformed answer)."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (its timeout)


@dataclass
class LoopbackFake(ABC):
    """A fake system's server side; a subclass names its request handler and holds its state.

    ``start()``/``stop()``, or ``with``; ``slow_seconds`` is how late a fake in a slow mode
    answers (longer than the client's timeout)."""

    port: int = 0  # 0: a free port, chosen at the first start and kept while down
    slow_seconds: float = 3.0
    calls: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    @abstractmethod
    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class, bound to this fake."""

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self: _Fake) -> _Fake:
        self._set_listening(True)
        return self

    def stop(self) -> None:
        self._stopping.set()  # a slow answer in progress stops waiting
        self._set_listening(False)

    def __enter__(self: _Fake) -> _Fake:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _set_listening(self, listening: bool) -> None:
        """Not listening: connection refused, as when the real system is down."""
        if listening and self._server is None:
            if self.port == 0:
                with socket.socket() as probe:
                    probe.bind((HOST, 0))
                    self.port = probe.getsockname()[1]
            self._stopping.clear()
            self._server = _Server(self.port, self.handler())
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        elif not listening:
            server, self._server = self._server, None
            if server is not None:
                server.close()

    def _count(self, call: str) -> None:
        with self._lock:
            self.calls[call] += 1

    def _pause(self, seconds: float) -> None:
        """Waits ``seconds``, less if the fake is stopped meanwhile (a test's teardown)."""
        self._stopping.wait(seconds)
