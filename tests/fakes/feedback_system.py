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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from tests.fakes.server import JsonHandler, LoopbackFake

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
class FakeFeedbackSystem(LoopbackFake):
    api_key: str = API_KEY
    mode: Mode = "ok"
    records: dict[str, Record] = field(default_factory=dict)
    headers: list[dict[str, str]] = field(default_factory=list)  # of every POST, in order

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/v1"

    def handler(self) -> type[JsonHandler]:
        return _handler(self)

    # -- what tests do ---------------------------------------------------------------------

    def set_mode(self, mode: Mode) -> None:
        self._set_listening(mode != "down")
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

    # -- serving ---------------------------------------------------------------------------

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


def _handler(fake: FakeFeedbackSystem) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def _send(self, status: int, body: Any) -> None:
            if fake.mode == "slow":  # the work is done; the answer comes late
                fake._pause(fake.slow_seconds)
            self.send_json(status, body)

        def _common(self, method: str) -> bool:
            """Counts the call and applies the mode; False when the request is answered."""
            fake._count(method)
            if self.headers.get("X-API-Key") != fake.api_key:
                self._send(401, {"maLoi": "KHONG_XAC_THUC", "thongBao": "Sai khóa truy cập"})
                return False
            if fake.mode == "error":
                self._send(500, {"maLoi": "LOI_HE_THONG"})
                return False
            return True

        def do_POST(self) -> None:  # noqa: N802 (http.server names it)
            raw = self.read_body()
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

        def do_GET(self) -> None:  # noqa: N802 (http.server names it)
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


def running(**options: Any) -> FakeFeedbackSystem:
    """A fake for ``with``: it serves from entering to leaving."""
    return FakeFeedbackSystem(**options)


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
