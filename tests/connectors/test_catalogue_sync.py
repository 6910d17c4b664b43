"""`manage sync-catalogue`: a newer national catalogue, on SQLite and on PostgreSQL.

The fixtures (fixtures/catalogue_sync/README.md) are eight real records as published (before) and
the same catalogue with one change of each kind (after): a new record, a fee, processing times, a
document added and one made optional, a legal document replaced, a withdrawal, an unchanged record,
and changes to the national records behind two curated entries (the same code, and a twin). The
report of syncing one after the other is asserted whole.
"""

from __future__ import annotations

import gzip
import http.server
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from actions.clients.portal import NotFound, PortalClient, Withdrawn
from connectors import manage
from connectors.catalogue.aliases import ALIASES_FILE, read_aliases
from connectors.catalogue.changes import Change, record_changes
from connectors.catalogue.importer import import_file
from connectors.catalogue.models import CatalogueReview, CatalogueSyncRun, CuratedNational
from connectors.catalogue.report import SyncReport
from connectors.catalogue.schedule import RETRY_AFTER, seconds_until_due, sync_once
from connectors.catalogue.shipped import ensure_national
from connectors.catalogue.store import ChannelIn, DocumentIn, LegalIn, ProcedureRecord, record_of
from connectors.catalogue.sync import SyncOptions, run_sync
from connectors.db import make_engine, make_session_factory
from connectors.main import create_app
from connectors.procedures.models import Procedure
from connectors.procedures.service import catalogue_version
from connectors.settings import Settings
from tests.connectors.conftest import REDIS_TEST_URL, SERVICE_TOKEN, prepared_database

FIXTURES = Path(__file__).parent / "fixtures" / "catalogue_sync"
BEFORE, AFTER = FIXTURES / "before.jsonl", FIXTURES / "after.jsonl"
# the fixtures withdraw 1 of 7 national records: over the default 10 %
OPTIONS = SyncOptions(max_withdrawn_share=0.25)
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # 10:00 in Vietnam

WITHDRAWN = "2.002139"
WITHDRAWN_NAME = "Đăng ký tham dự kiểm tra kết quả tập sự hành nghề đấu giá tài sản"
NEW = ("1.013840", "Đăng ký hoạt động Văn phòng công chứng hợp nhất")
THUYET_MINH = (
    "Bản thuyết minh về tổ chức, tên gọi, nhân sự, địa điểm đặt trụ sở, các điều kiện vật chất và "
    "kế hoạch triển khai thực hiện (nếu có)"
)
BROKER = (
    "Cấp lại chứng chỉ hành nghề môi giới bất động sản (trong trường hợp chứng chỉ bị cháy, bị "
    "mất, bị rách, bị hủy hoại do thiên tai hoặc lý do bất khả kháng khác)"
)
# code -> (name, [(field, item, before, after)])
CHANGED: dict[str, tuple[str, list[tuple[str, str | None, str | None, str | None]]]] = {
    "1.000757": ("Cấp lại thẻ căn cước (thực hiện tại cấp trung ương)", [
        ("processing_time", "online", "7 Ngày làm việc", "5 Ngày làm việc"),
    ]),
    "1.008929": ("Thành lập Văn phòng Thừa phát lại", [
        ("document", THUYET_MINH, "bắt buộc; nộp; 1 bản chính",
         "không bắt buộc (nếu có); nộp; 1 bản chính"),
        ("document", "Bản sao quyết định bổ nhiệm Thừa phát lại", None,
         "bắt buộc; nộp; 1 bản sao"),
    ]),
    "1.012907": (BROKER, [
        ("processing_time", "online", "10 Ngày làm việc", "7 Ngày làm việc"),
        ("processing_time", "post", "10 Ngày làm việc", "7 Ngày làm việc"),
        ("processing_time", "in_person", "10 Ngày làm việc", "7 Ngày làm việc"),
    ]),
    "1.013830": ("Cấp lại Thẻ công chứng viên", [
        ("fee", "in_person", "100,000 Việt Nam Đồng (/hồ sơ)", "150,000 Việt Nam Đồng (/hồ sơ)"),
    ]),
    "1.013835": ("Đăng ký hoạt động Văn phòng công chứng", [
        ("legal_basis", "05/2025/TT-BTP",
         "Thông tư 05/2025/TT-BTP hướng dẫn Luật Công chứng do Bộ trưởng Bộ Tư pháp ban hành",
         None),
        ("legal_basis", "12/2026/TT-BTP", None,
         "Thông tư 12/2026/TT-BTP sửa đổi Thông tư 05/2025/TT-BTP hướng dẫn Luật Công chứng"),
    ]),
}
# (curated code, national code, reason, changes of the national record)
REVIEW = [
    ("1.001193", "1.001193", "changed",
     [("processing_time", "in_person", "1", "3 Ngày làm việc")]),
    ("1.014064", "1.000757", "changed",
     [("processing_time", "online", "7 Ngày làm việc", "5 Ngày làm việc")]),
]


def _changes(changes: list[Change]) -> list[tuple[str, str | None, str | None, str | None]]:
    return [(c.field, c.item, c.before, c.after) for c in changes]


# --- the database -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sync_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own (syncs retire records): migrated, with the curated entries."""
    yield from prepared_database(request.param, tmp_path_factory)


@pytest.fixture
def db(sync_url: str) -> Iterator[Session]:
    """The curated entries only, then the before catalogue synced."""
    engine = make_engine(sync_url)
    with make_session_factory(engine)() as session:
        for model in (CatalogueReview, CatalogueSyncRun, CuratedNational):
            session.execute(delete(model))
        for procedure in session.scalars(select(Procedure).where(Procedure.source != "curated")):
            session.delete(procedure)
        session.commit()
        first = _sync(session, BEFORE)
        assert (first.status, len(first.new), first.baselines) == ("applied", 7, 1)
        yield session
    engine.dispose()


def _sync(session: Session, source: str | Path, options: SyncOptions = OPTIONS,
          now: datetime = NOW) -> SyncReport:
    report = run_sync(session, str(source), options, read_aliases(), clock=lambda: now)
    assert report is not None
    session.expire_all()
    return report


@pytest.fixture
def settings(sync_url: str) -> Settings:
    return Settings(database_url=sync_url, redis_url=REDIS_TEST_URL,
                    redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
                    connectors_service_token=SERVICE_TOKEN, catalogue_sync_max_withdrawn_share=0.25)


@pytest.fixture
def client(settings: Settings, db: Session) -> Iterator[TestClient]:
    """The connectors running (search index built) BEFORE the test syncs."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _snapshot(session: Session) -> tuple[Any, ...]:
    """Everything a sync may write."""
    session.expire_all()
    procedures = [
        (record_of(p).model_dump(), p.retired_at, p.same_as)
        for p in session.scalars(select(Procedure).order_by(Procedure.code))
    ]
    return (
        procedures, catalogue_version(session),
        session.scalar(select(func.count()).select_from(CatalogueReview)),
        session.scalar(select(func.count()).select_from(CuratedNational)),
        session.scalar(select(func.count()).select_from(CatalogueSyncRun)),
    )


# --- the report ---------------------------------------------------------------------------------


def test_the_report_lists_every_difference_with_before_and_after(db: Session) -> None:
    report = _sync(db, AFTER)

    assert report.status == "applied"
    assert [(e.code, e.name) for e in report.new] == [NEW]
    assert {e.code: (e.name, _changes(e.changes)) for e in report.changed} == CHANGED
    assert [e.code for e in report.changed] == sorted(CHANGED)
    assert [(e.code, e.name) for e in report.withdrawn] == [(WITHDRAWN, WITHDRAWN_NAME)]
    assert report.restored == []
    assert [(f.code, f.national_code, f.reason, _changes(f.changes))
            for f in report.review] == REVIEW
    assert report.counts() == {
        "records": 8, "new": 1, "changed": 5, "restored": 0, "withdrawn": 1, "unchanged": 1,
        "review": 2, "baselines": 0, "failed": 0,
    }


def test_the_run_is_recorded_with_its_report(db: Session) -> None:
    report = _sync(db, AFTER)

    run = db.scalars(select(CatalogueSyncRun).order_by(CatalogueSyncRun.id.desc())).first()
    assert run is not None
    assert (run.source, run.status, run.error) == (str(AFTER), "applied", None)
    assert run.counts == report.counts()
    assert SyncReport.model_validate(run.report) == report


def test_a_second_sync_of_the_same_catalogue_changes_nothing(db: Session) -> None:
    _sync(db, AFTER)
    before = _snapshot(db)

    again = _sync(db, AFTER)

    assert (again.new, again.changed, again.withdrawn, again.restored, again.review) == (
        [], [], [], [], []
    )
    assert again.unchanged == 7
    assert _snapshot(db)[:4] == before[:4]  # one more run recorded, nothing else


def test_a_dry_run_reports_the_same_and_writes_nothing(db: Session) -> None:
    before = _snapshot(db)

    dry = _sync(db, AFTER, SyncOptions(dry_run=True, max_withdrawn_share=0.25))

    assert dry.status == "dry_run"
    assert _snapshot(db) == before
    real = _sync(db, AFTER)
    assert (dry.new, dry.changed, dry.withdrawn, dry.review) == (
        real.new, real.changed, real.withdrawn, real.review
    )


# --- what the sync wrote ------------------------------------------------------------------------


def test_curated_entries_are_never_written_and_are_flagged_for_review(db: Session) -> None:
    curated = db.get(Procedure, "1.001193")
    assert curated is not None
    kept = record_of(curated).model_dump()

    _sync(db, AFTER)

    curated = db.get(Procedure, "1.001193")
    assert curated is not None and curated.source == "curated"
    assert record_of(curated).model_dump() == kept
    flags = db.scalars(select(CatalogueReview).order_by(CatalogueReview.procedure_code)).all()
    assert [(f.procedure_code, f.national_code, f.reason, f.resolved_at) for f in flags] == [
        ("1.001193", "1.001193", "changed", None), ("1.014064", "1.000757", "changed", None),
    ]
    assert flags[0].changes == [{"field": "processing_time", "item": "in_person", "before": "1",
                                 "after": "3 Ngày làm việc"}]


def test_a_withdrawn_procedure_is_no_longer_served_by_the_running_connectors(
    db: Session, client: TestClient
) -> None:
    assert WITHDRAWN in _searched(client, WITHDRAWN_NAME)  # served before the sync
    version = catalogue_version(db)

    _sync(db, AFTER)

    assert catalogue_version(db) == version + 1
    assert WITHDRAWN not in _searched(client, WITHDRAWN_NAME)
    resolved = client.get("/api/v1/procedures/resolve", params={"q": WITHDRAWN_NAME}).json()
    offered = [resolved["procedure"]] if resolved["procedure"] else []
    assert WITHDRAWN not in {p["code"] for p in offered + resolved["candidates"]}
    for path in ("", "/offices", "/passages?q=hồ sơ gồm những gì"):
        gone = client.get(f"/api/v1/procedures/{WITHDRAWN}{path}")
        assert gone.status_code == 410, path
        assert gone.json() == {"detail": (
            f"Thủ tục mã {WITHDRAWN} không còn được áp dụng: thủ tục đã được đưa ra khỏi Cơ sở "
            "dữ liệu quốc gia về thủ tục hành chính từ ngày 01/12/2026."
        )}
    assert client.get("/api/v1/procedures/9.999999").status_code == 404  # unknown stays 404
    # what changed is served once the index is rebuilt in the background (until then the old
    # one answers, without the retired codes): seconds on a loaded machine
    assert _eventually_searched(client, NEW[1], NEW[0])
    detail = client.get("/api/v1/procedures/1.013830").json()
    assert [(c["kind"], c["fee_amount"]) for c in detail["channels"]] == [
        ("online", 100000), ("post", 100000), ("in_person", 150000)
    ]


def _eventually_searched(client: TestClient, query: str, code: str, within: float = 30) -> bool:
    deadline = time.monotonic() + within
    while code not in _searched(client, query):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _searched(client: TestClient, query: str) -> list[str]:
    response = client.get("/api/v1/procedures/search", params={"q": query, "limit": 10})
    assert response.status_code == 200
    return [item["code"] for item in response.json()["items"]]


def test_the_action_server_is_told_a_withdrawn_procedure_is_gone(
    db: Session, settings: Settings
) -> None:
    """actions/ catch NotFound: a withdrawn procedure is never answered as current."""
    import asyncio

    _sync(db, AFTER)
    app = create_app(settings)

    async def ask() -> None:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://connectors"
        ) as http:
            portal = PortalClient("http://connectors", 2.0, http, service_token=SERVICE_TOKEN)
            with pytest.raises(Withdrawn) as gone:
                await portal.procedure(WITHDRAWN)
            assert isinstance(gone.value, NotFound)
            assert (await portal.procedure(NEW[0])).code == NEW[0]

    asyncio.run(ask())


def test_a_retired_procedure_that_comes_back_is_in_force_again(
    db: Session, client: TestClient
) -> None:
    _sync(db, AFTER)

    back = _sync(db, BEFORE)

    assert [(e.code, _changes(e.changes)) for e in back.restored] == [(WITHDRAWN, [])]
    assert [e.code for e in back.withdrawn] == [NEW[0]]
    retired = db.get(Procedure, WITHDRAWN)
    assert retired is not None and retired.retired_at is None
    assert client.get(f"/api/v1/procedures/{WITHDRAWN}").status_code == 200
    assert WITHDRAWN in _searched(client, WITHDRAWN_NAME)
    # the curated entries' national records went back too: flagged again
    assert [(f.code, f.reason) for f in back.review] == [
        ("1.001193", "changed"), ("1.014064", "changed")
    ]


def test_importing_a_retired_procedure_puts_it_back_in_force(db: Session) -> None:
    """import-catalogue only adds and updates; a record it writes is listed, so in force."""
    _sync(db, AFTER)

    import_file(db, BEFORE, progress=False)

    db.expire_all()
    back = db.get(Procedure, WITHDRAWN)
    assert back is not None and back.retired_at is None


def test_a_twin_of_a_withdrawn_head_answers_for_itself(db: Session, tmp_path: Path) -> None:
    """Twins stay consistent: a twin never answers as a retired procedure."""
    records = [json.loads(line) for line in BEFORE.read_text("utf-8").splitlines()]
    twin = dict(records[0], ma_thu_tuc="9.100001",  # 1.013830 at another level (invented)
                ten_thu_tuc="Cấp lại Thẻ công chứng viên (thực hiện tại cấp tỉnh)")
    _sync(db, _jsonl(tmp_path / "with_twin.jsonl", [*records, twin]))
    linked = db.get(Procedure, "9.100001")
    assert linked is not None and linked.same_as == "1.013830"

    _sync(db, _jsonl(tmp_path / "without_head.jsonl", [*records[1:], twin]))

    alone = db.get(Procedure, "9.100001")
    assert alone is not None and (alone.same_as, alone.retired_at) == (None, None)
    head = db.get(Procedure, "1.013830")
    assert head is not None and head.retired_at is not None


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


# --- refusals and sources -----------------------------------------------------------------------


def test_a_file_withdrawing_too_much_is_refused_unless_allowed(
    db: Session, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(BEFORE.read_text("utf-8").splitlines(keepends=True)[:2]), "utf-8")
    before = _snapshot(db)

    refused = _sync(db, cut, SyncOptions())

    assert refused.status == "refused"
    assert refused.error is not None and refused.error.startswith(
        "5 of 7 national procedures (71%) would be withdrawn, over the 10% allowed"
    )
    assert _snapshot(db)[:4] == before[:4]
    run = db.scalars(select(CatalogueSyncRun).order_by(CatalogueSyncRun.id.desc())).first()
    assert run is not None and (run.status, run.error) == ("refused", refused.error)

    allowed = _sync(db, cut, SyncOptions(allow_mass_withdrawal=True))

    assert (allowed.status, len(allowed.withdrawn)) == ("applied", 5)


class _Catalogues(http.server.BaseHTTPRequestHandler):
    """A catalogue server on loopback: the after catalogue gzipped, a server error, a cut
    download."""

    routes: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path.split("?")[0], (404, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def catalogue_server() -> Iterator[str]:
    after = gzip.compress(AFTER.read_bytes())
    _Catalogues.routes = {
        "/catalogue.jsonl.gz": (200, after),
        "/down": (500, b"internal error"),
        "/cut.jsonl.gz": (200, after[: len(after) // 2]),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Catalogues)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_catalogue_served_over_http_is_synced(db: Session, catalogue_server: str) -> None:
    report = _sync(db, f"{catalogue_server}/catalogue.jsonl.gz?token=secret")

    assert report.status == "applied"
    assert report.source == f"{catalogue_server}/catalogue.jsonl.gz"  # no token recorded
    assert {e.code: (e.name, _changes(e.changes)) for e in report.changed} == CHANGED
    assert [e.code for e in report.withdrawn] == [WITHDRAWN]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("path, error", [
    ("/down", "answered HTTP 500"),
    ("/cut.jsonl.gz", "is not a whole catalogue"),
    (None, "could not be downloaded: ConnectError"),
])
def test_a_source_that_fails_leaves_the_catalogue_untouched(
    db: Session, catalogue_server: str, path: str | None, error: str
) -> None:
    url = f"{catalogue_server}{path}" if path else f"http://127.0.0.1:{_closed_port()}/c.jsonl"
    before = _snapshot(db)

    report = _sync(db, url)

    assert report.status == "failed"
    assert report.error is not None and error in report.error
    assert (report.new, report.changed, report.withdrawn) == ([], [], [])
    assert _snapshot(db)[:4] == before[:4]
    run = db.scalars(select(CatalogueSyncRun).order_by(CatalogueSyncRun.id.desc())).first()
    assert run is not None and run.status == "failed" and error in (run.error or "")


# --- the command, init and the schedule ---------------------------------------------------------


def test_the_command_logs_each_change_and_writes_the_report(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, tmp_path: Path,
) -> None:
    monkeypatch.setattr(manage, "get_settings", lambda: settings)
    caplog.set_level(logging.INFO, logger="connectors.manage")
    out = tmp_path / "report.json"

    status = manage.main(["sync-catalogue", str(AFTER), "--report", str(out)])

    assert status == 0
    assert ("  8 records read: 1 new, 5 changed, 0 restored, 1 withdrawn, 1 unchanged; "
            "2 curated to review, 0 curated seen for the first time; 0 failed") in caplog.messages
    assert ("      fee [in_person]: '100,000 Việt Nam Đồng (/hồ sơ)' -> "
            "'150,000 Việt Nam Đồng (/hồ sơ)'") in caplog.messages
    assert f"  withdrawn {WITHDRAWN} '{WITHDRAWN_NAME}'" in caplog.messages
    assert "  review curated 1.014064: national record (twin 1.000757) changed" in caplog.messages
    written = SyncReport.model_validate_json(out.read_text("utf-8"))
    assert {e.code: (e.name, _changes(e.changes)) for e in written.changed} == CHANGED


@pytest.mark.parametrize("argv, status", [
    ([], 1), (["--dry-run"], 1), (["--dry-run", "--allow-mass-withdrawal"], 0),
    (["--allow-mass-withdrawal"], 0),
])
def test_the_command_refuses_a_mass_withdrawal_with_exit_code_1(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    argv: list[str], status: int,
) -> None:
    cut = tmp_path / "cut.jsonl"
    cut.write_text(BEFORE.read_text("utf-8").splitlines(keepends=True)[0], "utf-8")
    monkeypatch.setattr(manage, "get_settings", lambda: settings)

    assert manage.main(["sync-catalogue", str(cut), *argv]) == status


def test_init_retires_what_a_new_release_no_longer_ships(db: Session, tmp_path: Path) -> None:
    """ensure_national syncs: the shipped file of a release withdraws like any other source."""
    shipped = tmp_path / "catalogue.jsonl.gz"
    shipped.write_bytes(gzip.compress(BEFORE.read_bytes()))
    ensure_national(db, shipped, ALIASES_FILE, clock=lambda: NOW)
    shipped.write_bytes(gzip.compress(AFTER.read_bytes()))

    report = ensure_national(db, shipped, ALIASES_FILE, clock=lambda: NOW)

    assert report is not None and report.status == "applied"
    assert [e.code for e in report.withdrawn] == [WITHDRAWN]
    assert ensure_national(db, shipped, ALIASES_FILE) is None  # unchanged: nothing done
    db.expire_all()
    retired = db.get(Procedure, WITHDRAWN)
    assert retired is not None and retired.retired_at is not None


def test_the_schedule_syncs_when_due_and_retries_a_failure_sooner(
    db: Session, sync_url: str
) -> None:
    every_day = Settings(database_url=sync_url, catalogue_sync_url=str(AFTER),
                         catalogue_sync_interval_hours=24, catalogue_sync_max_withdrawn_share=0.25)
    engine = make_engine(sync_url)
    factory = make_session_factory(engine)

    wait = sync_once(factory, every_day, clock=lambda: NOW)

    assert wait == 24 * 3600
    assert db.get(Procedure, WITHDRAWN) is not None
    later = NOW + timedelta(hours=5)
    assert seconds_until_due(db, every_day, later) == 19 * 3600
    assert sync_once(factory, every_day, clock=lambda: later) == 19 * 3600  # not due: no run
    assert db.scalar(select(func.count()).select_from(CatalogueSyncRun)) == 2  # before + 1

    broken = every_day.model_copy(update={"catalogue_sync_url": str(FIXTURES / "missing.jsonl")})
    assert sync_once(factory, broken, clock=lambda: later) == RETRY_AFTER.total_seconds()
    assert seconds_until_due(db, broken, later + RETRY_AFTER) == 0
    engine.dispose()


# --- the comparison itself ----------------------------------------------------------------------


def _record(**fields: Any) -> ProcedureRecord:
    return ProcedureRecord(code="9.000001", name="Thủ tục thử", **fields)


ONLINE = ChannelIn(kind="online", processing_time=5, time_unit="Ngày làm việc",
                   fee_text="Lệ phí : 50.000 Đồng", fee_amount=50000)
FORM = DocumentIn(name="Tờ khai", quantity=1, copy_kind="bản chính")
LAW = LegalIn(number="26/2023/QH15", title="Luật Căn cước")


@pytest.mark.parametrize("before, after, changes", [
    (_record(), _record(), []),
    (_record(level="Cấp tỉnh"), _record(level="Cấp xã"), [("level", None, "Cấp tỉnh", "Cấp xã")]),
    (_record(channels=[ONLINE]), _record(), [("channel", "online", "5 Ngày làm việc; "
                                              "Lệ phí : 50.000 Đồng", None)]),
    (_record(channels=[ONLINE]),
     _record(channels=[ONLINE.model_copy(update={"fee_amount": None})]),
     [("fee_amount", "online", "50000", None)]),
    (_record(channels=[ONLINE]),
     _record(channels=[ONLINE, ONLINE.model_copy(update={"processing_time": 2})]),
     [("channel", "online #2", None, "2 Ngày làm việc; Lệ phí : 50.000 Đồng")]),
    (_record(documents=[FORM]), _record(documents=[FORM.model_copy(update={"name": "Tờ khai."})]),
     [("document_name", "Tờ khai.", "Tờ khai", "Tờ khai.")]),
    (_record(documents=[FORM, FORM.model_copy(update={"name": "Ảnh"})]),
     _record(documents=[FORM.model_copy(update={"name": "Ảnh"}), FORM]),
     [("documents_order", None, "tờ khai | ảnh", "ảnh | tờ khai")]),
    (_record(legal_basis=[LAW]),
     _record(legal_basis=[LAW.model_copy(update={"title": "Luật Căn cước 2023"})]),
     [("legal_basis", "26/2023/QH15", "Luật Căn cước", "Luật Căn cước 2023")]),
    (_record(steps=["Bước 1: nộp"]), _record(steps=["Bước 1: nộp", "Bước 2: nhận"]),
     [("steps", None, "Bước 1: nộp", "Bước 1: nộp\nBước 2: nhận")]),
    (_record(aliases=["a"], popularity=3), _record(), []),  # the project's, not the catalogue's
])
def test_record_changes(
    before: ProcedureRecord, after: ProcedureRecord,
    changes: list[tuple[str, str | None, str | None, str | None]],
) -> None:
    assert _changes(record_changes(before, after)) == changes
