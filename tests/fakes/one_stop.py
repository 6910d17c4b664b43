"""A province's one-stop-shop system (hệ thống thông tin giải quyết TTHC cấp tỉnh), faked for tests.

A real HTTP server on a free loopback port, speaking the API that
connectors/upstream/examples/one-stop-dossiers.yml describes:

    GET  /api/v1/hoso/{maHoSo}   X-API-Key (or a Bearer token); 200 {"maLoi": "0", "data": {...}},
                                 404 {"maLoi": "HS_KHONG_TON_TAI"} for an unknown code
    POST /oauth/token            client credentials (HTTP Basic): {"access_token", "expires_in"}

Modes a test switches: ``ok``; ``slow`` (answers after ``slow_seconds``, longer than the client's
timeout); ``down`` (nothing listens: connection refused); ``error`` (500); ``malformed`` (200 with
a body that is not JSON); ``unknown-status`` (the dossier with a status the file does not map).
``latency`` and ``jitter`` delay every answer (the benchmark's realistic upstream). Calls are
counted ("lookup", "token"), and the headers of every look-up kept.

Every dossier here is invented demo data ("Tỉnh Mẫu", people named "Thử", "Mẫu").
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

import yaml

from tests.fakes.server import JsonHandler, LoopbackFake

API_KEY = "fake-one-stop-key-2026"
API_KEY_ENV = "DOSSIER_UPSTREAM_API_KEY"  # the variable the example file names
CLIENT_ID = "tro-ly-dvc"
CLIENT_SECRET = "fake-one-stop-client-secret-2026"
CLIENT_ID_ENV = "DOSSIER_UPSTREAM_CLIENT_ID"
CLIENT_SECRET_ENV = "DOSSIER_UPSTREAM_CLIENT_SECRET"
PREFIX = "/api/v1/hoso/"
TOKEN_PATH = "/oauth/token"
EXAMPLE_FILE = (
    Path(__file__).resolve().parents[2] / "connectors/upstream/examples/one-stop-dossiers.yml"
)
VIETNAM_TZ = timezone(timedelta(hours=7))
UNKNOWN_STATUS = "DA_CHUYEN_LIEN_THONG"  # a value the shipped file does not map

Mode = Literal["ok", "slow", "down", "error", "malformed", "unknown-status"]
Auth = Literal["api_key", "oauth2"]


def when(moment: datetime) -> str:
    """How the upstream writes a time: dd/mm/yyyy HH:MM:SS, Vietnam time, no offset."""
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S")


# --- invented dossiers in the upstream's shape ------------------------------------------------

SUPPLEMENT_CODE = "000.00.30.H56-261120-0101"  # birth registration waiting for a supplement
IN_PROGRESS_CODE = "000.00.31.H56-261121-0102"  # a provincial procedure not in our catalogue
ID_NUMBER = "079203009876"
PHONE = "0908765432"


def supplement_dossier(now: datetime) -> dict[str, Any]:
    """Received two days before ``now``, due in five days, waiting for a supplement."""
    day = now.astimezone(VIETNAM_TZ).replace(hour=9, minute=30, second=0, microsecond=0)
    return {
        "maHoSo": SUPPLEMENT_CODE,
        "trangThai": "CHO_BO_SUNG",
        "maThuTuc": "1.001193.000.00.00.H56",  # the national code 1.001193, provincial variant
        "tenThuTuc": "Đăng ký khai sinh (cấp xã)",
        "coQuanTiepNhan": "Bộ phận một cửa Ủy ban nhân dân phường Trung Tâm, Tỉnh Mẫu",
        "hinhThucNop": "TRUC_TUYEN",
        "chuHoSo": {"hoTen": "Đỗ Thị Thử", "soGiayTo": ID_NUMBER, "soDienThoai": "+84 908 765 432"},
        "ngayTiepNhan": when(day - timedelta(days=2)),
        "ngayHenTra": when((day + timedelta(days=5)).replace(hour=16, minute=0)),
        "ngayCoKetQua": None,
        "noiDungYeuCauBoSung": "Bổ sung bản chính Giấy chứng sinh (bản chụp bị mờ).",
        "hanBoSung": when((day + timedelta(days=3)).replace(hour=17, minute=0)),
        # newest first, as many such systems list them
        "quaTrinhXuLy": [
            {
                "trangThai": "CHO_BO_SUNG",
                "thoiGian": when(day - timedelta(days=1)),
                "ghiChu": "Yêu cầu bổ sung Giấy chứng sinh.",
            },
            {
                "trangThai": "DA_TIEP_NHAN",
                "thoiGian": when(day - timedelta(days=2)),
                "ghiChu": "Tiếp nhận hồ sơ nộp trực tuyến.",
            },
        ],
    }


def in_progress_dossier(now: datetime) -> dict[str, Any]:
    day = now.astimezone(VIETNAM_TZ).replace(hour=8, minute=15, second=0, microsecond=0)
    return {
        "maHoSo": IN_PROGRESS_CODE,
        "trangThai": "DANG_XU_LY",
        "maThuTuc": "9.999001.000.00.00.H56",
        "tenThuTuc": "Hỗ trợ mẫu của Tỉnh Mẫu (thủ tục riêng của tỉnh)",
        "coQuanTiepNhan": "Bộ phận một cửa Ủy ban nhân dân phường Bắc Sơn, Tỉnh Mẫu",
        "hinhThucNop": "TRUC_TIEP",
        "chuHoSo": {"hoTen": "Lý Văn Mẫu", "soGiayTo": "001090005555", "soDienThoai": "0987000111"},
        "ngayTiepNhan": when(day - timedelta(days=1)),
        "ngayHenTra": (day + timedelta(days=4)).strftime("%d/%m/%Y"),
        "quaTrinhXuLy": [
            {"trangThai": "DA_TIEP_NHAN", "thoiGian": when(day - timedelta(days=1))},
            {
                "trangThai": "DANG_XU_LY",
                "thoiGian": when(day),
                "ghiChu": "Chuyển phòng chuyên môn thẩm định.",
            },
        ],
    }


@dataclass
class FakeOneStop(LoopbackFake):
    auth: Auth = "api_key"
    latency: float = 0.0  # every answer waits latency +- jitter (seconds)
    jitter: float = 0.0
    token_lifetime: int = 3600
    mode: Mode = "ok"
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    lookup_headers: list[dict[str, str]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return self.origin

    def handler(self) -> type[JsonHandler]:
        return _handler(self)

    # -- what tests do ---------------------------------------------------------------------

    def add(self, *dossiers: dict[str, Any]) -> FakeOneStop:
        with self._lock:
            for dossier in dossiers:
                self.dossiers[dossier["maHoSo"]] = dossier
        return self

    def set_mode(self, mode: Mode) -> None:
        self._set_listening(mode != "down")
        self.mode = mode

    def revoke_tokens(self) -> None:
        """Tokens stop working before their announced expiry (a key rotation upstream)."""
        with self._lock:
            self.tokens.clear()

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.lookup_headers.clear()

    # -- serving ---------------------------------------------------------------------------

    def _authorised(self, headers: Any) -> bool:
        if self.auth == "api_key":
            return bool(headers.get("X-API-Key") == API_KEY)
        bearer = str(headers.get("Authorization") or "")
        with self._lock:
            return bearer.startswith("Bearer ") and bearer.removeprefix("Bearer ") in self.tokens

    def _issue_token(self, basic: str) -> str | None:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if basic != f"Basic {expected}":
            return None
        with self._lock:
            token = f"tok-{self.calls['token']}-{random.randrange(10**9)}"
            self.tokens.add(token)
            return token

    def _wait(self) -> None:
        delay = self.latency + random.uniform(-self.jitter, self.jitter) if self.latency else 0
        if self.mode == "slow":
            delay = self.slow_seconds
        if delay > 0:
            self._pause(delay)


def _handler(fake: FakeOneStop) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server names it)
            self.read_body()
            if self.path != TOKEN_PATH:
                self.send_json(404, {"maLoi": "KHONG_TIM_THAY"})
                return
            fake._count("token")
            token = fake._issue_token(str(self.headers.get("Authorization") or ""))
            if token is None:
                self.send_json(401, {"error": "invalid_client"})
                return
            self.send_json(
                200,
                {"access_token": token, "token_type": "Bearer", "expires_in": fake.token_lifetime},
            )

        def do_GET(self) -> None:  # noqa: N802 (http.server names it)
            if not self.path.startswith(PREFIX):
                self.send_json(404, {"maLoi": "KHONG_TIM_THAY"})
                return
            with fake._lock:
                fake.calls["lookup"] += 1
                fake.lookup_headers.append(dict(self.headers.items()))
            if not fake._authorised(self.headers):
                self.send_json(401, {"maLoi": "KHONG_XAC_THUC", "thongBao": "Sai khóa truy cập"})
                return
            fake._wait()
            if fake.mode == "error":
                self.send_json(500, {"maLoi": "LOI_HE_THONG", "thongBao": "Lỗi hệ thống"})
                return
            if fake.mode == "malformed":
                self.send_json(200, b"<html><body>Gateway Timeout</body></html")
                return
            code = unquote(self.path.removeprefix(PREFIX).split("?", 1)[0])
            with fake._lock:
                dossier = fake.dossiers.get(code)
                dossier = json.loads(json.dumps(dossier)) if dossier else None
            if dossier is None:
                self.send_json(
                    404, {"maLoi": "HS_KHONG_TON_TAI", "thongBao": "Không tìm thấy hồ sơ"}
                )
                return
            if fake.mode == "unknown-status":
                dossier["trangThai"] = UNKNOWN_STATUS
            self.send_json(200, {"maLoi": "0", "thongBao": "Thành công", "data": dossier})

    return Handler


def running(now: datetime | None = None, **options: Any) -> FakeOneStop:
    """A fake for ``with``: it serves from entering to leaving; given ``now``, it holds the two
    invented dossiers dated around that time."""
    fake = FakeOneStop(**options)
    if now is not None:
        fake.add(supplement_dossier(now), in_progress_dossier(now))
    return fake


def province_file(
    fake: FakeOneStop, directory: Path, *, resilience: dict[str, Any] | None = None
) -> Path:
    """The shipped example file pointed at the fake (so the example itself is what is tested),
    with the fake's auth and ``resilience`` values overridden for the test."""
    config = yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8"))
    config["upstream"]["base_url"] = fake.base_url
    if fake.auth == "oauth2":
        config["upstream"]["auth"] = {
            "kind": "oauth2_client_credentials",
            "token_url": TOKEN_PATH,
            "client_id_env": CLIENT_ID_ENV,
            "client_secret_env": CLIENT_SECRET_ENV,
        }
    config["upstream"]["resilience"].update(resilience or {})
    path = directory / "one-stop-dossiers.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def secrets_env() -> dict[str, str]:
    """The environment variables the province file names, as the fake expects them."""
    return {API_KEY_ENV: API_KEY, CLIENT_ID_ENV: CLIENT_ID, CLIENT_SECRET_ENV: CLIENT_SECRET}
