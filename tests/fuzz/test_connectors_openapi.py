"""Schemathesis over the connectors' own OpenAPI: every operation, valid and invalid input.

Two runs over the same app:
- with credentials (the action server's X-Service-Token and an admin's bearer token): no server
  error, and every response is documented (status code, content type) and matches its schema;
- without any: no server error, and every protected operation refuses (401/403, or 422 for a
  request malformed before the guard runs), never answers.

The app runs in-process over a temporary SQLite database prepared as `make run` prepares it
(migrations, curated procedures, demo dossiers; not the national catalogue, which only makes the
search slower). The clock is fixed, so nothing depends on the day the suite runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import yaml
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from connectors import manage
from connectors.db import make_engine, make_session_factory
from connectors.deps import current_time
from connectors.main import create_app
from connectors.settings import Settings

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
SERVICE_TOKEN = "fuzz-service-token-" + "x" * 24
ADMIN = "fuzz.admin"
ADMIN_PASSWORD = "fuzz-admin-password-0123"
# Monday 09:00 in Vietnam: staff on duty (connectors/locality/demo.yml)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

# Bounded and repeatable: about 25 generated cases per operation on top of schemathesis' own
# examples and coverage cases (the figures are in the issue-10 report).
FUZZ_SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
DOCUMENTED = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# A request rejected before the guard runs is a 400 (a body that is not UTF-8) or a 422 (bad path,
# query or JSON); anything else must be 401 (no or wrong credentials) or 403 (too low a role).
REFUSED = {400, 401, 403, 422}
CREDENTIAL_HEADERS = {"authorization", "x-service-token"}
AnyCase = Case[Any]


def _prepare_database(url: str) -> None:
    manage.migrate(url)
    manage.seed(url)
    manage.demo_data(url, NOW)
    problem = manage.staff_add(url, ADMIN, "admin", "Quản trị viên kiểm thử", ADMIN_PASSWORD)
    assert problem is None, problem


def _new_bearer_token(url: str) -> str:
    """A fresh admin session, opened straight in the database: each case gets its own, so a
    fuzzed ``POST /staff/logout`` ends only that case's session, and the login endpoint's attempt
    limits (tripped by the fuzzed logins) never lock the fuzzer out."""
    from connectors.staff.service import find_account, open_session

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            account = find_account(session, ADMIN)
            assert account is not None
            token, _ = open_session(session, account, NOW, timedelta(hours=8))
            return token
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("fuzz") / "portal.sqlite3"
    url = f"sqlite:///{path}"
    _prepare_database(url)
    return url


@pytest.fixture(scope="module")
def app(database_url: str) -> Iterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        redis_url=REDIS_TEST_URL,
        redis_key_prefix=f"fuzz:{uuid.uuid4().hex[:8]}:",
        connectors_service_token=SERVICE_TOKEN,
    )
    application = create_app(settings)
    application.dependency_overrides[current_time] = lambda: NOW
    yield application
    # schemathesis started the app's lifespan on the first request; end it with the module
    shutdown_lifespans()


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def credentials(database_url: str) -> Callable[[], dict[str, str]]:
    def headers() -> dict[str, str]:
        return {
            "X-Service-Token": SERVICE_TOKEN,
            "Authorization": f"Bearer {_new_bearer_token(database_url)}",
        }

    return headers


def operation_labels() -> list[str]:
    """Every operation of the app's OpenAPI ("GET /health" ...), read without starting it.

    Collected this way rather than with ``schemathesis.pytest.from_fixture(...).parametrize()``:
    that integration reads ``Function._nodeid``, which pytest 9.2 no longer has."""
    document = create_app(
        Settings(database_url="sqlite://", connectors_service_token=SERVICE_TOKEN)
    ).openapi()
    return [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items() for method in operations
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "label" in metafunc.fixturenames:
        metafunc.parametrize("label", operation_labels())


def _procedure_codes(database_url: str) -> list[str]:
    from sqlalchemy import select

    from connectors.procedures.models import Procedure

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(Procedure.code).order_by(Procedure.code).limit(20)))
    finally:
        engine.dispose()


def _demo_lookups() -> list[dict[str, str]]:
    """Look-ups that find a demo dossier: its code with the full or last-4 CCCD or phone."""
    from connectors.applications.demo import DOSSIERS_FILE

    dossiers = yaml.safe_load(DOSSIERS_FILE.read_text(encoding="utf-8"))["dossiers"]
    return [
        {"code": d["code"], field: value}
        for d in dossiers for field in ("id_number", "phone") if d.get(field)
        for value in (d[field], d[field][-4:])
    ]


@pytest.fixture(scope="module")
def known(database_url: str) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    """Values random generation never finds (a real procedure code, a dossier and its
    applicant's digits), so the fuzzer also gets past the 404 to the answer's schema."""
    codes = st.sampled_from(_procedure_codes(database_url))
    by_code = codes.map(lambda code: {"path_parameters": {"code": code}})
    return {
        "GET /api/v1/procedures/{code}": by_code,
        "GET /api/v1/procedures/{code}/offices": by_code,
        "GET /api/v1/procedures/{code}/passages": by_code,
        "POST /api/v1/applications/lookup": st.sampled_from(_demo_lookups()).map(
            lambda body: {"body": body}
        ),
    }


def cases(
    api_schema: schemathesis.BaseSchema,
    label: str,
    known: dict[str, st.SearchStrategy[dict[str, Any]]],
) -> st.SearchStrategy[AnyCase]:
    """Valid and invalid requests for one operation, and valid ones built on known values."""
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if label in known:
        strategies.append(known[label].flatmap(lambda fixed: operation.as_strategy(**fixed)))
    return st.one_of(strategies)


def is_protected(case: AnyCase) -> bool:
    """The operation declares a security requirement (service token or staff bearer token)."""
    security: Any = case.operation.definition.raw.get("security")
    return bool(security)


def test_with_credentials_no_server_error_and_documented_responses(
    api_schema: schemathesis.BaseSchema,
    label: str,
    credentials: Callable[[], dict[str, str]],
    known: dict[str, st.SearchStrategy[dict[str, Any]]],
) -> None:
    @FUZZ_SETTINGS
    @given(case=cases(api_schema, label, known))
    def run(case: AnyCase) -> None:
        case.call_and_validate(headers=credentials(), checks=DOCUMENTED)

    run()


def test_without_credentials_protected_operations_refuse(
    api_schema: schemathesis.BaseSchema,
    label: str,
    known: dict[str, st.SearchStrategy[dict[str, Any]]],
) -> None:
    @FUZZ_SETTINGS
    @given(case=cases(api_schema, label, known))
    def run(case: AnyCase) -> None:
        # whatever credentials schemathesis generated from the security schemes are dropped
        for name in [n for n in case.headers if n.lower() in CREDENTIAL_HEADERS]:
            del case.headers[name]
        response = case.call_and_validate(checks=[not_a_server_error])
        if is_protected(case):
            assert response.status_code in REFUSED, (
                f"{label} answered {response.status_code} without credentials"
            )

    run()
