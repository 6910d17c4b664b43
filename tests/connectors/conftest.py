"""Connectors under test: a fresh migrated database on SQLite and on the real PostgreSQL server.

Every test that takes ``database_url`` (or ``client``) runs once per backend. PostgreSQL comes from
TEST_POSTGRES_URL (default: the local server); it is skipped only outside CI when unreachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectors.applications.demo import load_demo
from connectors.db import make_engine, make_session_factory
from connectors.deps import current_time
from connectors.main import create_app
from connectors.manage import migrate
from connectors.seed.loader import load_curated
from connectors.settings import Settings
from connectors.staff.models import RoleName
from connectors.staff.schemas import StaffCreate
from connectors.staff.service import create_account

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# what the action server sends as X-Service-Token in these tests
SERVICE_TOKEN = "test-service-token-" + "x" * 24
SERVICE = {"X-Service-Token": SERVICE_TOKEN}
STAFF_PASSWORD = "mật khẩu đủ dài 2026"


def _postgres_database() -> Iterator[str]:
    name = f"tldvc_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepared_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new database on ``backend`` ("sqlite" or "postgresql"), migrated, with the curated
    entries; a fixture yields from it (a PostgreSQL one is dropped afterwards)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
        _prepare(url)
        yield url
    else:
        for url in _postgres_database():
            _prepare(url)
            yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, seeded database for the session (read-mostly tests share it)."""
    yield from prepared_database(request.param, tmp_path_factory)


def _prepare(url: str) -> None:
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_curated(session)
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=REDIS_TEST_URL,
        redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
        connectors_service_token=SERVICE_TOKEN,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """Anonymous: no service token, no staff login."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as db_session:
        yield db_session
    engine.dispose()


@dataclass
class Clock:
    """The connectors' clock, fixed by tests (staff hours, rating windows)."""

    now: datetime

    def tick(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock_start() -> datetime:
    """Monday 09:00 in Vietnam: staff on duty in connectors/locality/demo.yml."""
    return datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def clock(client: TestClient, clock_start: datetime) -> Iterator[Clock]:
    fixed = Clock(clock_start)
    app = cast(FastAPI, client.app)
    app.dependency_overrides[current_time] = lambda: fixed.now
    yield fixed
    app.dependency_overrides.pop(current_time, None)


@pytest.fixture(scope="module")
def catalogue_client(full_catalogue_url: str) -> Iterator[TestClient]:
    """The connectors over the whole national catalogue (one per test module)."""
    settings = Settings(database_url=full_catalogue_url, redis_url=REDIS_TEST_URL,
                        redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
                        connectors_service_token=SERVICE_TOKEN)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def add_staff(app: FastAPI, role: RoleName, username: str | None = None) -> str:
    """A staff account with STAFF_PASSWORD in the app's database; returns its username."""
    username = username or f"{role}-{uuid.uuid4().hex[:8]}"
    data = StaffCreate(
        username=username, display_name=f"Cán bộ {username}", role=role, password=STAFF_PASSWORD
    )
    with app.state.session_factory() as db_session:
        create_account(db_session, data, datetime.now(timezone.utc))
    return username


def log_in(client: TestClient, username: str) -> dict[str, str]:
    """The Authorization header of a new session of ``username``."""
    response = client.post(
        "/api/v1/staff/login", json={"username": username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


StaffClientFactory = Callable[[RoleName], TestClient]


@pytest.fixture
def staff_client(client: TestClient, clock: Clock) -> StaffClientFactory:
    """A client logged in as a new staff member of the given role (same app as ``client``),
    at the test's clock (sessions expire, so the login must not use the real time)."""

    def build(role: RoleName) -> TestClient:
        app = cast(FastAPI, client.app)
        return TestClient(app, headers=log_in(client, add_staff(app, role)))

    return build


@pytest.fixture
def bot(client: TestClient) -> TestClient:
    """The action server: sends the service token (same app as ``client``)."""
    return TestClient(cast(FastAPI, client.app), headers=SERVICE)


@pytest.fixture
def agent(staff_client: StaffClientFactory) -> TestClient:
    return staff_client("agent")


@pytest.fixture
def supervisor(staff_client: StaffClientFactory) -> TestClient:
    return staff_client("supervisor")


@pytest.fixture
def admin(staff_client: StaffClientFactory) -> TestClient:
    return staff_client("admin")


def sqlite_with_demo(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A new SQLite database, migrated, with the curated procedures and the demo dossiers (for
    modules whose subject is not the database: a source, the notifier's poller)."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'portal.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_curated(session)
        load_demo(session, datetime.now(timezone.utc))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_dossiers(database_url: str) -> str:
    """The demo dossiers, loaded once per backend (the conftest seeds procedures only)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            load_demo(session, datetime.now(timezone.utc))
    finally:
        engine.dispose()
    return database_url
