"""Dossier status lookup as the actions use it: only the applicant learns about a dossier."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from connectors.applications.demo import (
    known_dossiers,
    relative_time,
    vietnam_today,
)
from connectors.main import create_app
from connectors.settings import Settings
from tests.connectors.conftest import SERVICE

LOOKUP = "/api/v1/applications/lookup"
KNOWN_DOSSIERS = known_dossiers()
NEEDS_SUPPLEMENT = next(d for d in KNOWN_DOSSIERS if d.status == "needs_supplement")
CODE = NEEDS_SUPPLEMENT.code  # 000.00.30.H56-261115-0012
ID_NUMBER = NEEDS_SUPPLEMENT.id_number  # 079203001234
PHONE = NEEDS_SUPPLEMENT.phone  # 0912345678


@pytest.fixture
def lookup_client(demo_dossiers: str, client: TestClient) -> TestClient:
    return client


def _lookup(client: TestClient, headers: dict[str, str] | None = None, **body: Any) -> Any:
    """As the action server asks: with the service token."""
    return client.post(LOOKUP, json=body, headers={**SERVICE, **(headers or {})})


# --- found ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifiers",
    [
        {"id_number": ID_NUMBER},
        {"id_number": "079 203 001 234"},
        {"phone": PHONE},
        {"phone": "0912 345 678"},
        {"phone": "0912.345.678"},
        {"phone": "+84 912 345 678"},
        {"phone": "+84912345678"},
        {"phone": "84912345678"},
        {"phone": "(+84) 912-345-678"},
        {"id_number": ID_NUMBER[-4:]},  # last 4 digits
        {"phone": PHONE[-4:]},
        {"id_number": ID_NUMBER, "phone": PHONE[-4:]},
        {"id_number": ID_NUMBER, "phone": None},
        {"id_number": "", "phone": PHONE},
    ],
    ids=lambda v: ",".join(f"{k}={v}" for k, v in v.items()),
)
def test_lookup_matches_the_applicant(
    lookup_client: TestClient, identifiers: dict[str, Any]
) -> None:
    response = _lookup(lookup_client, code=CODE, **identifiers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["found"] is True
    assert body["code"] == CODE
    assert body["status"] == "needs_supplement"
    assert "Giấy chứng sinh" in body["supplement_note"]
    assert body["procedure_code"] == "1.001193"
    assert body["procedure_name"]
    due = relative_time("+3wd 16:00", vietnam_today(datetime.now(timezone.utc)))  # the data file
    assert datetime.fromisoformat(body["due_at"]) == due
    assert body["due_at"].endswith("+07:00")
    assert body["is_overdue"] is False
    assert datetime.fromisoformat(body["supplement_due_at"]) > datetime.now(timezone.utc)
    assert [e["status"] for e in body["history"]] == ["received", "in_progress", "needs_supplement"]


@pytest.mark.parametrize(
    "code",
    [
        CODE,
        CODE.lower(),
        f"  {CODE}  ",
        "000.00.30.H56 - 261115 - 0012",
        "000.00.30.h56 -261115- 0012",
        "000.00.30.H56–261115–0012",  # en dashes, as phones and word processors type them
    ],
)
def test_lookup_normalises_the_code(lookup_client: TestClient, code: str) -> None:
    response = _lookup(lookup_client, code=code, id_number=ID_NUMBER)

    assert response.status_code == 200, response.text
    assert response.json()["code"] == CODE


@pytest.mark.parametrize("dossier", KNOWN_DOSSIERS, ids=lambda d: d.status)
def test_every_known_demo_dossier_answers_with_its_status(
    lookup_client: TestClient, dossier: Any
) -> None:
    body = _lookup(lookup_client, code=dossier.code, phone=dossier.phone).json()

    assert body["status"] == dossier.status
    assert body["status_label"]
    assert body["history"][0]["status"] == "received"
    assert body["history"][-1]["status"] == dossier.status
    stamps = [e["at"] for e in body["history"]]
    assert stamps == sorted(stamps)
    assert body["applicant_name"] != dossier.applicant_name  # masked
    assert body["applicant_name"].endswith(dossier.applicant_name.split()[-1])
    assert "id_number" not in body and "phone" not in body
    if dossier.status in ("done", "returned"):
        assert body["completed_at"]
        assert body["is_overdue"] is False
    if dossier.status == "overdue":
        assert body["is_overdue"] is True
    if dossier.status == "returned":
        assert body["status_note"].startswith("Trả lại hồ sơ")
    if dossier.status != "needs_supplement":
        assert body["supplement_note"] is None


# --- not found: one answer for every failure ----------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"code": "000.00.30.H56-261115-9999", "id_number": ID_NUMBER},  # unknown code
        {"code": "000.00.30.H56-261115-9999", "phone": PHONE[-4:]},
        {"code": CODE, "id_number": "079203001235"},  # wrong id
        {"code": CODE, "id_number": "9999"},  # wrong last 4
        {"code": CODE, "phone": "0912345679"},  # wrong phone
        {"code": CODE, "phone": "0000"},
        {"code": CODE, "id_number": PHONE[-4:]},  # phone digits given as the id
        {"code": CODE, "id_number": ID_NUMBER, "phone": "0987000000"},  # one of two wrong
    ],
)
def test_unknown_code_and_wrong_identifier_are_indistinguishable(
    lookup_client: TestClient, body: dict[str, Any]
) -> None:
    reference = _lookup(lookup_client, code="999.99.99.Z99-260101-0001", id_number=ID_NUMBER)

    response = _lookup(lookup_client, **body)

    assert response.status_code == reference.status_code == 404
    assert response.json() == reference.json()
    assert response.json()["found"] is False
    assert response.json()["detail"]
    assert set(response.headers) == set(reference.headers)


def test_lookup_logs_no_full_identifiers(
    lookup_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        _lookup(lookup_client, code=CODE, id_number=ID_NUMBER, phone=PHONE)
        _lookup(lookup_client, code=CODE, id_number="079203001235")

    assert "lookup" in caplog.text
    for secret in (ID_NUMBER, PHONE, "079203001235", "912345678"):
        assert secret not in caplog.text


# --- malformed input: 422 with a message, never 500 ---------------------------------------------


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"code": CODE}, "", "CCCD"),
        ({"code": CODE, "id_number": None, "phone": None}, "", "CCCD"),
        ({"code": CODE, "id_number": "  ", "phone": ""}, "", "CCCD"),
        ({"code": "abc", "id_number": ID_NUMBER}, "code", "Mã hồ sơ"),
        ({"code": "", "id_number": ID_NUMBER}, "code", ""),
        ({"code": "000.00.30.H56-261315-0012", "id_number": ID_NUMBER}, "code", "yymmdd"),
        ({"code": "000.00.30.H56-261115", "id_number": ID_NUMBER}, "code", "Mã hồ sơ"),
        ({"code": "x" * 500, "id_number": ID_NUMBER}, "code", ""),
        ({"code": "' OR 1=1 --", "id_number": ID_NUMBER}, "code", "Mã hồ sơ"),
        ({"code": CODE, "id_number": "07920300123"}, "id_number", "12 chữ số"),
        ({"code": CODE, "id_number": "07920300123a"}, "id_number", "12 chữ số"),
        ({"code": CODE, "id_number": "123"}, "id_number", "12 chữ số"),
        ({"code": CODE, "phone": "12345"}, "phone", "điện thoại"),
        ({"code": CODE, "phone": "0212345678"}, "phone", "điện thoại"),
        ({"code": CODE, "phone": "+1 415 555 0100"}, "phone", "điện thoại"),
        ({"code": CODE, "id_number": 79203001234}, "id_number", ""),  # a number loses its 0
        ({"id_number": ID_NUMBER}, "code", ""),
        ({"code": 12, "id_number": ID_NUMBER}, "code", ""),
    ],
)
def test_malformed_lookup_gets_a_clear_422(
    lookup_client: TestClient, body: dict[str, Any], field: str, words: str
) -> None:
    response = lookup_client.post(LOOKUP, json=body, headers=SERVICE)

    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["detail"]
    assert any(e["field"] == field and words in e["message"] for e in payload["errors"]), payload


@pytest.mark.parametrize("raw", ["not json", "[]", "null", ""])
def test_lookup_body_that_is_not_an_object_is_422(lookup_client: TestClient, raw: str) -> None:
    response = lookup_client.post(
        LOOKUP, content=raw, headers={**SERVICE, "Content-Type": "application/json"}
    )

    assert response.status_code == 422


# --- rate limit ---------------------------------------------------------------------------------


@pytest.fixture
def limited_client(demo_dossiers: str, settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"lookup_rate_limit": 3, "lookup_rate_window_seconds": 60})
    with TestClient(create_app(limited)) as test_client:
        yield test_client


def test_rate_limit_answers_429_after_the_limit(limited_client: TestClient) -> None:
    headers = {"X-Client-Id": "conversation-1"}
    statuses = [
        _lookup(limited_client, headers, code=CODE, id_number="9999").status_code for _ in range(3)
    ]
    blocked = _lookup(limited_client, headers, code=CODE, id_number=ID_NUMBER)

    assert statuses == [404, 404, 404]  # failed attempts count too: last-4 guessing is bounded
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "thử lại sau" in blocked.json()["detail"]


def test_rate_limit_is_per_client(limited_client: TestClient) -> None:
    a, b = {"X-Client-Id": "conversation-a"}, {"X-Client-Id": "conversation-b"}
    for _ in range(3):
        _lookup(limited_client, a, code=CODE, id_number=ID_NUMBER)

    other = _lookup(limited_client, b, code=CODE, id_number=ID_NUMBER)
    by_ip = _lookup(limited_client, code=CODE, id_number=ID_NUMBER)
    again = _lookup(limited_client, a, code=CODE, id_number=ID_NUMBER)

    assert other.status_code == 200
    assert by_ip.status_code == 200
    assert again.status_code == 429


def test_rate_limit_counters_live_in_redis_under_the_prefix(
    limited_client: TestClient, settings: Settings
) -> None:
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis not reachable")
    _lookup(limited_client, {"X-Client-Id": "conversation-r"}, code=CODE, id_number=ID_NUMBER)

    # the per-client counters (the per-code ones: tests/connectors/test_lookup_limits.py)
    keys = [
        k.decode() for k in client.scan_iter(match=f"{settings.redis_key_prefix}ratelimit:lookup:*")
    ]
    client.close()

    assert len(keys) == 1
    assert "conversation-r" not in keys[0]  # client ids are hashed


def test_rate_limit_holds_in_memory_when_redis_is_down(
    demo_dossiers: str, settings: Settings
) -> None:
    down = settings.model_copy(
        update={"redis_url": "redis://127.0.0.1:1/0", "lookup_rate_limit": 2}
    )
    with TestClient(create_app(down)) as test_client:
        codes = [_lookup(test_client, code=CODE, id_number=ID_NUMBER).status_code for _ in range(3)]
        health = test_client.get("/health").json()

    assert codes == [200, 200, 429]
    assert health["redis"]["ok"] is False
