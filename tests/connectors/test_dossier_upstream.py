"""Dossier look-up through a province's one-stop-shop system (DOSSIER_SOURCE=upstream).

The connectors read the shipped example file (connectors/upstream/examples/one-stop-dossiers.yml)
pointed at a fake of the province's system: a real HTTP server on loopback that a test makes slow,
down, failing, malformed or speaking an unknown status. The local dossiers are loaded in the
database too, and must never answer. The connectors' clock is fixed (Monday 09:00, Vietnam).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.applications.demo import known_dossiers
from connectors.applications.sources.build import build_dossiers
from connectors.deps import current_time
from connectors.main import create_app
from connectors.settings import Settings
from tests.connectors.conftest import (
    REDIS_TEST_URL,
    SERVICE,
    SERVICE_TOKEN,
    Clock,
    sqlite_with_demo,
)
from tests.fakes.one_stop import (
    ID_NUMBER,
    IN_PROGRESS_CODE,
    PHONE,
    SUPPLEMENT_CODE,
    UNKNOWN_STATUS,
    FakeOneStop,
    province_file,
    running,
    secrets_env,
)

LOOKUP = "/api/v1/applications/lookup"
UNKNOWN_CODE = "000.00.30.H56-261120-0999"
LOCAL_DEMO = next(d for d in known_dossiers() if d.status == "needs_supplement")
CODE_FAILURES = 3  # a low per-code limit, so that lockout tests stay short
BREAKER_FAILURES = 3
# short enough that a slow or failing upstream costs the suite little
RESILIENCE = {
    "timeout_seconds": 0.3,
    "backoff_seconds": 0.01,
    "breaker_failures": BREAKER_FAILURES,
    "breaker_reset_seconds": 30,
}
BUSY = {"found": False, "reason": "upstream_busy"}
UNREADABLE = {"found": False, "reason": "upstream_unreadable"}


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite only (the source, not the database, is under test): the catalogue AND the local
    demo dossiers, which the upstream source must never read."""
    return sqlite_with_demo(tmp_path_factory, "upstream")


@pytest.fixture(autouse=True)
def upstream_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in secrets_env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def fake(clock_start: datetime) -> Iterator[FakeOneStop]:
    with running(clock_start) as one_stop:
        yield one_stop


def upstream_settings(
    database_url: str, fake: FakeOneStop, directory: Path, **overrides: Any
) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=REDIS_TEST_URL,
        redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
        connectors_service_token=SERVICE_TOKEN,
        dossier_source="upstream",
        dossier_upstream_file=province_file(fake, directory, resilience=RESILIENCE),
        lookup_code_failure_limit=CODE_FAILURES,
        **overrides,
    )


@dataclass
class Portal:
    client: TestClient
    clock: Clock
    fake: FakeOneStop
    settings: Settings

    @property
    def app(self) -> FastAPI:
        return cast(FastAPI, self.client.app)

    def look(self, code: str = SUPPLEMENT_CODE, **identifiers: str) -> httpx.Response:
        response: httpx.Response = self.client.post(
            LOOKUP, json={"code": code, **identifiers}, headers=SERVICE
        )
        return response

    def right(self, code: str = SUPPLEMENT_CODE) -> httpx.Response:
        return self.look(code, id_number=ID_NUMBER if code == SUPPLEMENT_CODE else "001090005555")

    @property
    def lookups(self) -> int:
        return self.fake.calls["lookup"]


@contextmanager
def connectors(settings: Settings, fake: FakeOneStop, start: datetime) -> Iterator[Portal]:
    app = create_app(settings)
    clock = Clock(start)
    app.dependency_overrides[current_time] = lambda: clock.now
    with TestClient(app) as client:
        yield Portal(client, clock, fake, settings)


@pytest.fixture
def portal(
    database_url: str, fake: FakeOneStop, tmp_path: Path, clock_start: datetime
) -> Iterator[Portal]:
    with connectors(upstream_settings(database_url, fake, tmp_path), fake, clock_start) as p:
        yield p


def body_without_detail(response: httpx.Response) -> dict[str, Any]:
    return {k: v for k, v in response.json().items() if k != "detail"}


# --- found --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifiers",
    [
        {"id_number": ID_NUMBER},
        {"id_number": ID_NUMBER[-4:]},
        {"phone": PHONE},  # the upstream writes it "+84 908 765 432"
        {"phone": "0908 765 432"},
        {"phone": PHONE[-4:]},
        {"id_number": ID_NUMBER, "phone": PHONE[-4:]},
    ],
    ids=lambda v: ",".join(f"{k}={v}" for k, v in v.items()),
)
def test_the_upstream_answers_the_applicant(portal: Portal, identifiers: dict[str, str]) -> None:
    response = portal.look(**identifiers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == SUPPLEMENT_CODE
    assert body["status"] == "needs_supplement"
    assert body["status_label"] == "Cần bổ sung hồ sơ"
    assert body["due_at"] == "2026-11-28T16:00:00+07:00"  # ngayHenTra 28/11/2026 16:00:00
    assert body["received_at"] == "2026-11-21T09:30:00+07:00"
    assert body["supplement_note"] == "Bổ sung bản chính Giấy chứng sinh (bản chụp bị mờ)."
    assert body["supplement_due_at"] == "2026-11-26T17:00:00+07:00"
    assert body["is_overdue"] is False
    assert body["applicant_name"] == "Đ. T. Thử"  # masked
    assert body["agency"] == "Bộ phận một cửa Ủy ban nhân dân phường Trung Tâm, Tỉnh Mẫu"
    assert body["channel"] == "online"
    assert body["as_of"] == "2026-11-23T09:00:00+07:00"  # fetched now, by the connectors' clock
    assert body["stale"] is False
    # history oldest first, whatever order the upstream lists it in
    assert [(e["status"], e["note"]) for e in body["history"]] == [
        ("received", "Tiếp nhận hồ sơ nộp trực tuyến."),
        ("needs_supplement", "Yêu cầu bổ sung Giấy chứng sinh."),
    ]


def test_no_upstream_identifier_reaches_the_citizen(portal: Portal) -> None:
    text = portal.look(id_number=ID_NUMBER).text

    for secret in (ID_NUMBER, PHONE, "908 765 432", "Đỗ Thị Thử"):
        assert secret not in text


@pytest.mark.parametrize(
    "code, procedure_code, name, short_name",
    [
        # 1.001193.000.00.00.H56 is a provincial variant of the national 1.001193: our name
        (SUPPLEMENT_CODE, "1.001193", "Thủ tục đăng ký khai sinh", "Đăng ký khai sinh"),
        # not in our catalogue: the upstream's code and name
        (
            IN_PROGRESS_CODE,
            "9.999001.000.00.00.H56",
            "Hỗ trợ mẫu của Tỉnh Mẫu (thủ tục riêng của tỉnh)",
            None,
        ),
    ],
)
def test_the_procedure_is_named_from_our_catalogue_when_it_knows_the_code(
    portal: Portal, code: str, procedure_code: str, name: str, short_name: str | None
) -> None:
    body = portal.right(code).json()

    assert (body["procedure_code"], body["procedure_name"], body["procedure_short_name"]) == (
        procedure_code,
        name,
        short_name,
    )


def test_a_day_without_time_as_due_date_lasts_the_whole_day(portal: Portal) -> None:
    """ngayHenTra "27/11/2026": the dossier is not late on the morning of the 27th."""
    body = portal.right(IN_PROGRESS_CODE).json()

    assert body["due_at"] == "2026-11-27T23:59:59+07:00"
    assert body["status"] == "in_progress"
    assert body["status_note"] == "Chuyển phòng chuyên môn thẩm định."


def test_the_local_dossiers_are_never_read(portal: Portal) -> None:
    """The demo dossier is in the database, but the province's system does not know it."""
    response = portal.look(LOCAL_DEMO.code, id_number=LOCAL_DEMO.id_number)

    assert response.status_code == 404
    assert portal.lookups == 1  # asked upstream


def test_the_api_key_goes_in_the_files_header(portal: Portal) -> None:
    portal.right()
    portal.right(IN_PROGRESS_CODE)

    assert [h.get("X-API-Key") for h in portal.fake.lookup_headers] == [
        "fake-one-stop-key-2026"
    ] * 2


# --- not found, wrong identifier, lockout ---------------------------------------------------------


def test_unknown_code_and_wrong_identifier_get_the_same_404(portal: Portal) -> None:
    unknown = portal.look(UNKNOWN_CODE, id_number=ID_NUMBER)
    wrong = portal.look(SUPPLEMENT_CODE, id_number="079203001111")
    wrong_digits = portal.look(SUPPLEMENT_CODE, phone="1111")

    assert unknown.status_code == wrong.status_code == wrong_digits.status_code == 404
    assert unknown.json() == wrong.json() == wrong_digits.json()


def test_wrong_identifiers_lock_the_code_as_with_the_local_database(portal: Portal) -> None:
    failures = [portal.look(id_number=f"{n:04d}").status_code for n in range(CODE_FAILURES)]

    locked = portal.right()

    assert failures == [404] * CODE_FAILURES
    assert locked.status_code == 429


def test_an_unknown_code_is_not_cached(portal: Portal) -> None:
    portal.look(UNKNOWN_CODE, id_number=ID_NUMBER)
    portal.look(UNKNOWN_CODE, id_number=ID_NUMBER)

    assert portal.lookups == 2


# --- the cache ------------------------------------------------------------------------------------


def test_a_fresh_answer_is_served_without_asking_the_upstream(portal: Portal) -> None:
    first = portal.look(id_number=ID_NUMBER[-4:])
    portal.clock.tick(seconds=30)
    # the bot tries 4 digits as the CCCD's, then as the phone's: one upstream call for both
    wrong_kind = portal.look(phone=ID_NUMBER[-4:])
    again = portal.look(phone=PHONE[-4:])

    assert portal.lookups == 1
    assert wrong_kind.status_code == 404  # the ownership check holds on the cached copy
    assert again.status_code == 200
    assert again.json()["as_of"] == first.json()["as_of"] == "2026-11-23T09:00:00+07:00"
    assert again.json()["stale"] is False


def test_after_the_fresh_window_the_upstream_is_asked_again(portal: Portal) -> None:
    portal.right()
    portal.clock.tick(seconds=61)

    response = portal.right()

    assert portal.lookups == 2
    assert response.json()["as_of"] == "2026-11-23T09:01:01+07:00"


def test_upstream_down_shows_the_last_answer_with_its_time(portal: Portal) -> None:
    portal.right()
    portal.clock.tick(hours=2)
    portal.fake.set_mode("down")

    response = portal.look(phone=PHONE)

    assert response.status_code == 200
    body = response.json()
    assert body["stale"] is True
    assert body["as_of"] == "2026-11-23T09:00:00+07:00"
    assert body["status"] == "needs_supplement"
    assert body["due_at"] == "2026-11-28T16:00:00+07:00"


def test_a_stale_copy_still_needs_the_right_identifier(portal: Portal) -> None:
    portal.right()
    portal.clock.tick(hours=2)
    portal.fake.set_mode("down")

    assert portal.look(id_number="079203001111").status_code == 404
    assert portal.look(id_number="1111").status_code == 404


def test_a_copy_older_than_the_stale_window_is_not_shown(portal: Portal) -> None:
    portal.right()
    portal.clock.tick(seconds=86_400)
    portal.fake.set_mode("down")

    response = portal.right()

    assert response.status_code == 503
    assert body_without_detail(response) == BUSY


def test_no_raw_identifier_reaches_redis(portal: Portal) -> None:
    portal.right()
    portal.right(IN_PROGRESS_CODE)
    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    try:
        keys = list(client.scan_iter(match=portal.settings.redis_key_prefix + "*"))
        dossier_keys = [k for k in keys if ":dossier:" in k]
        values = "".join(str(client.get(k)) for k in dossier_keys)
    finally:
        client.close()

    assert len(dossier_keys) == 2
    for key in keys:
        assert SUPPLEMENT_CODE not in key and IN_PROGRESS_CODE not in key
    for secret in (ID_NUMBER, PHONE, "908 765 432", "001090005555", "0987000111"):
        assert secret not in values
    assert "Đỗ Thị Thử" not in values and "Đ. T. Thử" in values  # kept masked


# --- the upstream fails -------------------------------------------------------------------------


def test_upstream_down_without_a_copy_answers_busy(portal: Portal) -> None:
    portal.fake.set_mode("down")

    response = portal.right()

    assert response.status_code == 503
    assert body_without_detail(response) == BUSY
    assert "đang bận" in response.json()["detail"]


@pytest.mark.parametrize("mode", ["slow", "error"])
def test_a_slow_or_failing_read_is_retried_once_then_busy(portal: Portal, mode: Any) -> None:
    portal.fake.set_mode(mode)

    response = portal.right()

    assert response.status_code == 503
    assert body_without_detail(response) == BUSY
    assert portal.lookups == 2  # the first attempt and one retry


def test_a_failure_then_success_on_retry_answers(portal: Portal) -> None:
    portal.fake.set_mode("error")
    failed = portal.right()
    portal.fake.set_mode("ok")

    response = portal.right()

    assert failed.status_code == 503
    assert response.status_code == 200


@pytest.mark.parametrize("mode", ["malformed", "unknown-status"])
def test_an_unreadable_answer_is_never_guessed(portal: Portal, mode: Any) -> None:
    portal.fake.set_mode(mode)

    response = portal.right()

    assert response.status_code == 502
    assert body_without_detail(response) == UNREADABLE
    assert "status" not in response.json()
    assert portal.lookups == 1  # an answer came: nothing to retry


def test_an_unknown_status_is_logged_for_the_operator(
    portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    portal.fake.set_mode("unknown-status")

    with caplog.at_level(logging.WARNING, logger="connectors.applications.sources.http"):
        portal.right()

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(UNKNOWN_STATUS in w and "statuses" in w for w in warnings), warnings


# --- the circuit breaker ----------------------------------------------------------------------


@dataclass
class Monotonic:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def breaker_portal(portal: Portal) -> Iterator[tuple[Portal, Monotonic]]:
    """The same connectors, their upstream client rebuilt with a clock the test moves."""
    clock = Monotonic()
    app = portal.app
    previous = app.state.dossiers
    dossiers = build_dossiers(portal.settings, clock=clock)
    assert dossiers.upstream is not None
    app.state.dossiers = dossiers
    app.state.upstreams[dossiers.upstream.name] = dossiers.upstream
    previous.close()
    yield portal, clock


def test_the_circuit_opens_and_then_answers_at_once_without_calling(
    breaker_portal: tuple[Portal, Monotonic],
) -> None:
    portal, _ = breaker_portal
    portal.fake.set_mode("error")
    failures = [portal.right().status_code for _ in range(BREAKER_FAILURES)]
    calls = portal.lookups

    refused = [portal.right(code).status_code for code in (SUPPLEMENT_CODE, IN_PROGRESS_CODE)]

    assert failures == [503] * BREAKER_FAILURES
    assert refused == [503, 503]
    assert portal.lookups == calls == 2 * BREAKER_FAILURES  # nothing more went out
    health = portal.client.get("/health").json()
    assert health["status"] == "degraded"
    assert health["upstreams"]["dossiers"]["state"] == "open"
    assert health["upstreams"]["dossiers"]["consecutive_failures"] == BREAKER_FAILURES
    assert health["upstreams"]["dossiers"]["last_error"] == "HTTP 500"


def test_an_open_circuit_still_shows_a_cached_copy(
    breaker_portal: tuple[Portal, Monotonic],
) -> None:
    portal, _ = breaker_portal
    portal.right()
    portal.clock.tick(minutes=5)
    portal.fake.set_mode("down")
    for _ in range(BREAKER_FAILURES):
        portal.right(IN_PROGRESS_CODE)
    calls = portal.lookups

    response = portal.right()

    assert portal.lookups == calls
    assert response.status_code == 200
    assert response.json()["stale"] is True


def test_after_the_reset_period_one_trial_closes_the_circuit(
    breaker_portal: tuple[Portal, Monotonic],
) -> None:
    portal, clock = breaker_portal
    portal.fake.set_mode("down")
    for _ in range(BREAKER_FAILURES):
        portal.right()
    portal.fake.set_mode("ok")
    still_open = portal.right()
    clock.now += 30  # breaker_reset_seconds

    half_open = portal.client.get("/health").json()["upstreams"]["dossiers"]["state"]
    trial = portal.right()

    assert still_open.status_code == 503
    assert half_open == "half_open"
    assert trial.status_code == 200
    health = portal.client.get("/health").json()
    assert health["upstreams"]["dossiers"]["state"] == "closed"
    assert health["status"] == "ok"


def test_a_failed_trial_opens_the_circuit_for_another_period(
    breaker_portal: tuple[Portal, Monotonic],
) -> None:
    portal, clock = breaker_portal
    portal.fake.set_mode("error")
    for _ in range(BREAKER_FAILURES):
        portal.right()
    calls = portal.lookups
    clock.now += 30

    trial = portal.right()
    after = portal.right()

    assert trial.status_code == after.status_code == 503
    assert portal.lookups == calls + 1  # one trial, one attempt (no retry), then refused again
    assert portal.client.get("/health").json()["upstreams"]["dossiers"]["state"] == "open"


def test_health_reports_the_upstream_closed_when_it_answers(portal: Portal) -> None:
    portal.right()

    health = portal.client.get("/health").json()

    assert health["status"] == "ok"
    upstream = health["upstreams"]["dossiers"]
    assert upstream["state"] == "closed"
    assert upstream["last_success_at"] is not None
    assert "fake-one-stop-key-2026" not in str(health)


# --- OAuth2 client credentials --------------------------------------------------------------------


@pytest.fixture
def oauth_portal(database_url: str, clock_start: datetime, tmp_path: Path) -> Iterator[Portal]:
    with running(clock_start, auth="oauth2") as one_stop:
        settings = upstream_settings(database_url, one_stop, tmp_path, dossier_cache_seconds=0)
        with connectors(settings, one_stop, clock_start) as running_portal:
            yield running_portal


def test_oauth2_token_is_fetched_once_and_reused(oauth_portal: Portal) -> None:
    answers = [oauth_portal.right().status_code for _ in range(3)]

    assert answers == [200] * 3
    assert oauth_portal.fake.calls["token"] == 1
    assert oauth_portal.lookups == 3
    bearers = {h.get("Authorization") for h in oauth_portal.fake.lookup_headers}
    assert len(bearers) == 1 and str(next(iter(bearers))).startswith("Bearer tok-")


def test_oauth2_token_is_fetched_again_after_a_401(oauth_portal: Portal) -> None:
    oauth_portal.right()
    oauth_portal.fake.revoke_tokens()

    response = oauth_portal.right()

    assert response.status_code == 200
    assert oauth_portal.fake.calls["token"] == 2
    assert oauth_portal.lookups == 3  # the refused call, then the same call with a new token


# --- start-up -------------------------------------------------------------------------------------


def test_upstream_without_a_file_refuses_to_start(database_url: str) -> None:
    settings = Settings(database_url=database_url, dossier_source="upstream")

    with pytest.raises(RuntimeError, match="DOSSIER_UPSTREAM_FILE"):
        build_dossiers(settings)


def test_an_unreadable_file_refuses_to_start(database_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    settings = Settings(
        database_url=database_url, dossier_source="upstream", dossier_upstream_file=missing
    )

    with pytest.raises(RuntimeError, match=r"nope\.yml"):
        build_dossiers(settings)


def test_a_file_with_an_unknown_key_refuses_to_start(
    database_url: str, fake: FakeOneStop, tmp_path: Path
) -> None:
    settings = upstream_settings(database_url, fake, tmp_path)
    path = settings.dossier_upstream_file
    assert path is not None
    path.write_text(path.read_text() + "\nstatus_map: {}\n", encoding="utf-8")  # a typo

    with pytest.raises(RuntimeError, match="status_map"):
        build_dossiers(settings)


def test_a_missing_secret_refuses_to_start(
    database_url: str, fake: FakeOneStop, tmp_path: Path
) -> None:
    settings = upstream_settings(database_url, fake, tmp_path)

    with pytest.raises(RuntimeError, match="DOSSIER_UPSTREAM_API_KEY"):
        build_dossiers(settings, environ={})


def test_the_app_does_not_start_with_a_missing_secret(
    database_url: str, fake: FakeOneStop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOSSIER_UPSTREAM_API_KEY")
    app = create_app(upstream_settings(database_url, fake, tmp_path))

    with pytest.raises(RuntimeError, match="DOSSIER_UPSTREAM_API_KEY"), TestClient(app):
        pass


@pytest.mark.parametrize(
    "source, demo_data, loads",
    [("local", None, True), ("upstream", None, False), ("upstream", True, False)],
)
def test_demo_dossiers_are_not_loaded_for_an_upstream_source(
    source: Any, demo_data: bool | None, loads: bool
) -> None:
    settings = Settings(dossier_source=source, demo_data=demo_data)

    assert settings.loads_demo_data is loads


def test_the_cache_windows_come_from_the_settings(
    database_url: str, fake: FakeOneStop, tmp_path: Path, clock_start: datetime
) -> None:
    settings = upstream_settings(
        database_url, fake, tmp_path, dossier_cache_seconds=0, dossier_stale_seconds=600
    )
    with connectors(settings, fake, clock_start) as portal:
        portal.right()
        portal.right()
        portal.clock.tick(seconds=601)
        fake.set_mode("down")
        response = portal.right()

    assert fake.calls["lookup"] == 2  # no fresh window: both asked the upstream
    assert response.status_code == 503


def test_the_cached_copy_is_shared_by_connectors_processes(
    database_url: str, fake: FakeOneStop, tmp_path: Path, clock_start: datetime
) -> None:
    """Two connectors instances on one Redis (and one secret): the second shows the first's copy
    while the upstream is down."""
    settings = upstream_settings(database_url, fake, tmp_path)
    with connectors(settings, fake, clock_start) as first:
        first.right()
    fake.set_mode("down")
    with connectors(settings, fake, clock_start + timedelta(minutes=10)) as second:
        response = second.right()

    assert response.status_code == 200
    assert response.json()["stale"] is True


def test_upstream_failures_do_not_count_towards_the_lockout(
    breaker_portal: tuple[Portal, Monotonic],
) -> None:
    """More 503s than the code's failure limit, then the owner still gets the dossier."""
    portal, clock = breaker_portal
    portal.fake.set_mode("error")
    refused = [portal.right().status_code for _ in range(CODE_FAILURES + 2)]
    portal.fake.set_mode("ok")
    clock.now += 30  # the circuit opened on the way: past its reset period

    assert refused == [503] * (CODE_FAILURES + 2)
    assert portal.right().status_code == 200
