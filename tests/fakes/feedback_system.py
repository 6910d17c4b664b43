"""A province's feedback system (hệ thống tiếp nhận phản ánh, kiến nghị), faked for tests.

A real HTTP server on a free loopback port, speaking the API that
connectors/upstream/examples/feedback.yml describes:

    POST /api/v1/phan-anh        X-API-Key, Idempotency-Key; 201 {"data": {"id", "trangThai"}},
                                 200 with the same record when the key (or maPhanAnhNguon) repeats
    GET  /api/v1/phan-anh/{id}   200 {"data": {"id", "trangThai", "noiDungTraLoi", "ghiChu", ...}}

Like a real API it checks the key and stores a repeated request once. A test changes a record's
status and answer, and switches the mode: ``ok``; ``down`` (nothing listens: connection refused);
``error`` (500, nothing stored); ``slow`` (does the work, then answers after ``slow_seconds``:
longer than the client's timeout); ``drop`` (stores, then closes the connection unanswered);
``store-then-500`` (stores, then answers 500); ``malformed`` (stores, answers 200 with a body that
is not JSON); ``reject`` (422: a refusal). Calls are counted per method.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import yaml

API_KEY = "fake-feedback-system-key-2026"
API_KEY_ENV = "FEEDBACK_UPSTREAM_API_KEY"  # the variable the example file names
PREFIX = "/api/v1/phan-anh"
EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "connectors/upstream/examples/feedback.yml"

Mode = Literal["ok", "down", "error", "slow", "drop", "store-then-500", "malformed", "reject"]


@dataclass
class Record:
    id: str
    body: dict[str, Any]
    idempotency_key: str | None
    status: str = "MOI_TIEP_NHAN"
    answer: str | None = None
    note: str | None = None

    @property
    def source_code(self) -> str | None:
        value = self.body.get("maPhanAnhNguon")
        return str(value) if value is not None else None

    def public(self) -> dict[str, Any]:
        return {
            "data": {
                "id": self.id,
                "maPhanAnhNguon": self.source_code,
                "trangThai": self.status,
                "noiDungTraLoi": self.answer,
                "ghiChu": self.note,
            }
        }


@dataclass
class FakeFeedbackSystem:
    api_key: str = API_KEY
    slow_seconds: float = 3.0
    port: int = 0
    mode: Mode = "ok"
    records: dict[str, Record] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    headers: list[dict[str, str]] = field(default_factory=list)  # of every POST, in order
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _connections: set[socket.socket] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    # -- what tests do ---------------------------------------------------------------------

    def set_mode(self, mode: Mode) -> None:
        if mode == "down":
            self._stop_listening()
        elif self._server is None:
            self._listen()
        self.mode = mode

    def set_status(
        self, upstream_id: str, status: str, answer: str | None = None, note: str | None = None
    ) -> None:
        with self._lock:
            record = self.records[upstream_id]
            record.status = status
            record.answer = answer if answer is not None else record.answer
            record.note = note

    def from_source(self, tracking_code: str) -> list[Record]:
        """The records stored for one of our tracking codes (one, if nothing went twice)."""
        with self._lock:
            return [r for r in self.records.values() if r.source_code == tracking_code]

    def start(self) -> FakeFeedbackSystem:
        self._listen()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._stop_listening()

    # -- serving ---------------------------------------------------------------------------

    def _listen(self) -> None:
        if self.port == 0:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def _stop_listening(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        # a server that goes down drops its kept-alive connections too
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _store(self, body: dict[str, Any], key: str | None) -> tuple[Record, bool]:
        """The record for this request, and whether it is new."""
        with self._lock:
            source = body.get("maPhanAnhNguon")
            for record in self.records.values():
                if (key and record.idempotency_key == key) or (
                    source and record.source_code == source
                ):
                    return record, False
            record = Record(f"PAKN-2026-{len(self.records) + 1:06d}", body, key)
            self.records[record.id] = record
            return record, True


def _handler(fake: FakeFeedbackSystem) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with fake._lock:
                fake._connections.add(self.connection)

        def finish(self) -> None:
            with fake._lock:
                fake._connections.discard(self.connection)
            super().finish()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: pytest shows the test's own output

        def _send(self, status: int, body: Any) -> None:
            if fake.mode == "slow":  # the work is done; the answer comes late
                fake._stopping.wait(fake.slow_seconds)
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting (its timeout)

        def _common(self, method: str) -> bool:
            """Counts the call and applies the mode; False when the request is answered."""
            with fake._lock:
                fake.calls[method] += 1
            if self.headers.get("X-API-Key") != fake.api_key:
                self._send(401, {"maLoi": "KHONG_XAC_THUC", "thongBao": "Sai khóa truy cập"})
                return False
            if fake.mode == "error":
                self._send(500, {"maLoi": "LOI_HE_THONG"})
                return False
            return True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with fake._lock:
                fake.headers.append(dict(self.headers.items()))
            if self.path != PREFIX:
                self._send(404, {"maLoi": "KHONG_TIM_THAY"})
                return
            if not self._common("POST"):
                return
            if fake.mode == "reject":
                self._send(422, {"maLoi": "DU_LIEU_KHONG_HOP_LE",
                                 "thongBao": "Lĩnh vực phản ánh không được hỗ trợ"})
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._send(400, {"maLoi": "JSON_KHONG_HOP_LE"})
                return
            if not isinstance(body, dict) or not body.get("noiDung") or not body.get(
                "maPhanAnhNguon"
            ):
                self._send(422, {"maLoi": "THIEU_THONG_TIN", "thongBao": "Thiếu nội dung"})
                return
            record, new = fake._store(body, self.headers.get("Idempotency-Key"))
            if fake.mode == "drop":
                self.close_connection = True  # stored; the answer is lost on the way back
                return
            if fake.mode == "store-then-500":
                self._send(500, {"maLoi": "LOI_HE_THONG"})
                return
            if fake.mode == "malformed":
                self._send(200, b"<html>Gateway: OK</html")
                return
            self._send(201 if new else 200, record.public())

        def do_GET(self) -> None:
            if not self.path.startswith(PREFIX + "/"):
                self._send(404, {"maLoi": "KHONG_TIM_THAY"})
                return
            if not self._common("GET"):
                return
            if fake.mode == "malformed":
                self._send(200, b"{not json")
                return
            with fake._lock:
                record = fake.records.get(self.path.removeprefix(PREFIX + "/"))
                body = record.public() if record else None
            if body is None:
                self._send(404, {"maLoi": "KHONG_TIM_THAY"})
            else:
                self._send(200, body)

    return Handler


@contextmanager
def running(**options: Any) -> Iterator[FakeFeedbackSystem]:
    fake = FakeFeedbackSystem(**options).start()
    try:
        yield fake
    finally:
        fake.stop()


def province_file(
    fake: FakeFeedbackSystem, directory: Path, **sections: dict[str, Any]
) -> Path:
    """The shipped example file pointed at the fake (so the example itself is what is tested),
    with ``resilience=`` and ``delivery=`` values overridden for the test."""
    config = yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8"))
    config["upstream"]["base_url"] = fake.base_url
    config["upstream"]["resilience"].update(sections.pop("resilience", {}))
    config["delivery"].update(sections.pop("delivery", {}))
    assert not sections, f"unknown sections {sorted(sections)}"
    path = directory / "feedback-upstream.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path
