"""Who may call what: every guarded endpoint against every kind of caller (finding 2 of issue 10).

Staff endpoints need a staff login with a high enough role; the endpoints only the action server
calls need its service token; public data stays public.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.main import create_app
from connectors.settings import Settings
from tests.connectors.conftest import SERVICE, SERVICE_TOKEN, Clock, StaffClientFactory

Call = tuple[str, str, Callable[[], Any] | None]  # method, path, body maker


def _new_conversation() -> dict[str, Any]:
    return {"conversation_id": f"access-{uuid.uuid4()}", "reason": "request_human"}


def _new_rating() -> dict[str, Any]:
    return {"conversation_id": f"access-{uuid.uuid4()}", "score": 4}


def _new_account() -> dict[str, Any]:
    return {"username": f"new-{uuid.uuid4().hex[:8]}", "display_name": "Cán bộ mới",
            "role": "agent", "password": "một mật khẩu dài"}


FEEDBACK = {"topic": "Đèn đường hỏng", "description": "Đèn đường ngõ 12 hỏng cả tuần nay rồi."}
LOOKUP = {"code": "999.99.99.Z99-260101-0001", "id_number": "079203001234"}

CALLS: dict[str, Call] = {
    "list handoffs": ("GET", "/api/v1/handoffs", None),
    "take a handoff": ("PATCH", "/api/v1/handoffs/{handoff}", lambda: {"status": "taken"}),
    "open a handoff": ("POST", "/api/v1/handoffs", _new_conversation),
    "rate": ("POST", "/api/v1/ratings", _new_rating),
    "ratings summary": ("GET", "/api/v1/ratings/summary", None),
    "send feedback": ("POST", "/api/v1/feedback", lambda: FEEDBACK),
    "read feedback": ("GET", "/api/v1/feedback/PA-261122-ZZZZZZ", None),
    "dossier look-up": ("POST", "/api/v1/applications/lookup", lambda: LOOKUP),
    "who am I": ("GET", "/api/v1/staff/me", None),
    "list accounts": ("GET", "/api/v1/staff/accounts", None),
    "add an account": ("POST", "/api/v1/staff/accounts", _new_account),
    "procedure search": ("GET", "/api/v1/procedures/search?q=khai+sinh", None),
    "locality": ("GET", "/api/v1/locality", None),
    "chat config": ("GET", "/api/v1/webchat/config", None),
    "health": ("GET", "/health", None),
}

# caller -> expected status per call; 404s are "let in, nothing there" (an unknown code)
ACCESS: dict[str, dict[str, int]] = {
    "anonymous": {
        "list handoffs": 401, "take a handoff": 401, "open a handoff": 401, "rate": 401,
        "ratings summary": 401, "send feedback": 401, "read feedback": 401,
        "dossier look-up": 401, "who am I": 401, "list accounts": 401, "add an account": 401,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
    "wrong service token": {
        "list handoffs": 401, "take a handoff": 401, "open a handoff": 401, "rate": 401,
        "ratings summary": 401, "send feedback": 401, "read feedback": 401,
        "dossier look-up": 401, "who am I": 401, "list accounts": 401, "add an account": 401,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
    "forged staff token": {
        "list handoffs": 401, "take a handoff": 401, "open a handoff": 401, "rate": 401,
        "ratings summary": 401, "send feedback": 401, "read feedback": 401,
        "dossier look-up": 401, "who am I": 401, "list accounts": 401, "add an account": 401,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
    "action server": {
        "list handoffs": 401, "take a handoff": 401, "open a handoff": 201, "rate": 201,
        "ratings summary": 401, "send feedback": 201, "read feedback": 404,
        "dossier look-up": 404, "who am I": 401, "list accounts": 401, "add an account": 401,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
    "agent": {
        "list handoffs": 200, "take a handoff": 200, "open a handoff": 401, "rate": 401,
        "ratings summary": 403, "send feedback": 401, "read feedback": 401,
        "dossier look-up": 401, "who am I": 200, "list accounts": 403, "add an account": 403,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
    "supervisor": {
        "list handoffs": 200, "take a handoff": 200, "open a handoff": 401, "rate": 401,
        "ratings summary": 200, "send feedback": 401, "read feedback": 401,
        "dossier look-up": 401, "who am I": 200, "list accounts": 403, "add an account": 403,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
    "admin": {
        "list handoffs": 200, "take a handoff": 200, "open a handoff": 401, "rate": 401,
        "ratings summary": 200, "send feedback": 401, "read feedback": 401,
        "dossier look-up": 401, "who am I": 200, "list accounts": 200, "add an account": 201,
        "procedure search": 200, "locality": 200, "chat config": 200, "health": 200,
    },
}


def _caller(name: str, client: TestClient, staff_client: StaffClientFactory) -> TestClient:
    app = cast(FastAPI, client.app)
    if name in ("agent", "supervisor", "admin"):
        return staff_client(name)  # type: ignore[arg-type]
    headers = {
        "anonymous": {},
        "wrong service token": {"X-Service-Token": SERVICE_TOKEN[:-1] + "y"},
        "forged staff token": {"Authorization": "Bearer " + "A" * 43},
        "action server": SERVICE,
    }[name]
    return TestClient(app, headers=headers)


@pytest.mark.parametrize("caller", list(ACCESS))
def test_who_may_call_what(
    client: TestClient, bot: TestClient, staff_client: StaffClientFactory, clock: Clock,
    caller: str,
) -> None:
    actor = _caller(caller, client, staff_client)
    seen: dict[str, int] = {}
    for name, (method, path, body) in CALLS.items():
        handoff = bot.post("/api/v1/handoffs", json=_new_conversation()).json()["id"]
        response = actor.request(
            method, path.format(handoff=handoff), json=body() if body else None
        )
        seen[name] = response.status_code
        if response.status_code in (401, 403):
            assert response.json()["detail"], (name, response.text)  # said, in Vietnamese

    assert seen == ACCESS[caller]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"X-Service-Token": ""}, id="empty-header"),
        pytest.param({"X-Service-Token": "anything"}, id="any-header"),
    ],
)
def test_without_a_configured_service_token_nobody_is_the_action_server(
    settings: Settings, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    unset = settings.model_copy(update={"connectors_service_token": ""})
    caplog.set_level(logging.WARNING, logger="connectors.staff.router")

    with TestClient(create_app(unset)) as anyone:
        response = anyone.post("/api/v1/handoffs", json=_new_conversation(), headers=headers)

    assert response.status_code == 401
    assert "CONNECTORS_SERVICE_TOKEN is not set" in caplog.text


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(SERVICE_TOKEN + "x", id="longer"),
        pytest.param(SERVICE_TOKEN[:-1], id="shorter"),
        pytest.param(SERVICE_TOKEN.upper(), id="other-case"),
        pytest.param(SERVICE_TOKEN + "é", id="not-ascii"),
    ],
)
def test_a_service_token_that_is_nearly_right_is_refused(client: TestClient, token: str) -> None:
    response = client.post(
        "/api/v1/ratings", json=_new_rating(), headers={"X-Service-Token": token.encode("utf-8")}
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer", id="no-token"),
        pytest.param("Basic YWRtaW46YWRtaW4=", id="basic-auth"),
        pytest.param(f"Bearer {SERVICE_TOKEN}", id="service-token-as-bearer"),
        pytest.param("Bearer " + "x" * 5000, id="huge-token"),
    ],
)
def test_staff_endpoints_refuse_what_is_not_a_staff_session(
    client: TestClient, authorization: str
) -> None:
    response = client.get("/api/v1/handoffs", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
