"""Staff login, sessions (expiry, logout, deactivation), the login limit and account management."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.staff.login_limits import (
    ATTEMPTS_PER_CLIENT,
    ATTEMPTS_PER_USERNAME,
    WINDOW_SECONDS,
    make_login_limits,
)
from tests.connectors.conftest import STAFF_PASSWORD, Clock, add_staff, log_in

LOGIN = "/api/v1/staff/login"
ME = "/api/v1/staff/me"
ACCOUNTS = "/api/v1/staff/accounts"


def _login(client: TestClient, username: str, password: str = STAFF_PASSWORD) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get(ME, headers=headers).status_code


def _app(client: TestClient) -> FastAPI:
    return cast(FastAPI, client.app)


def test_a_login_opens_a_session_for_the_configured_hours(
    client: TestClient, clock: Clock
) -> None:
    username = add_staff(_app(client), "supervisor")

    response = _login(client, f"  {username.upper()} ")  # names are not case-sensitive

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "expires_at", "role"}
    assert body["role"] == "supervisor"
    assert datetime.fromisoformat(body["expires_at"]) == clock.now + timedelta(hours=8)
    me = client.get(ME, headers={"Authorization": f"Bearer {body['token']}"}).json()
    assert (me["username"], me["role"], me["active"]) == (username, "supervisor", True)
    assert "password_hash" not in me


@pytest.mark.parametrize(
    ("who", "password"),
    [
        pytest.param("known", "sai mật khẩu rồi", id="wrong-password"),
        pytest.param("unknown", STAFF_PASSWORD, id="unknown-user"),
        pytest.param("inactive", STAFF_PASSWORD, id="inactive-account"),
        pytest.param("known", "", id="empty-password"),
    ],
)
def test_every_failed_login_looks_the_same(
    client: TestClient, admin: TestClient, clock: Clock, who: str, password: str
) -> None:
    known = add_staff(_app(client), "agent")
    inactive = add_staff(_app(client), "agent")
    admin.patch(f"{ACCOUNTS}/{inactive}", json={"active": False})
    reference = _login(client, known, "a wrong password")
    username = {"known": known, "unknown": "nobody-here", "inactive": inactive}[who]

    response = _login(client, username, password)

    assert response.status_code == 401
    assert response.json() == reference.json() == {
        "detail": "Tên đăng nhập hoặc mật khẩu không đúng."
    }


@pytest.mark.parametrize(
    ("after", "status"),
    [
        pytest.param(timedelta(hours=7, minutes=59, seconds=59), 200, id="just-before"),
        pytest.param(timedelta(hours=8), 401, id="at-expiry"),
        pytest.param(timedelta(days=30), 401, id="long-after"),
    ],
)
def test_a_session_expires(client: TestClient, clock: Clock, after: timedelta, status: int) -> None:
    headers = log_in(client, add_staff(_app(client), "agent"))

    clock.tick(seconds=after.total_seconds())

    assert _me(client, headers) == status


def test_logout_ends_that_session_only(client: TestClient, clock: Clock) -> None:
    username = add_staff(_app(client), "agent")
    desk, phone = log_in(client, username), log_in(client, username)

    response = client.post("/api/v1/staff/logout", headers=desk)

    assert response.status_code == 204
    assert (_me(client, desk), _me(client, phone)) == (401, 200)
    assert client.post("/api/v1/staff/logout", headers=desk).status_code == 401


def test_a_deactivated_account_is_out_at_once(
    client: TestClient, admin: TestClient, clock: Clock
) -> None:
    username = add_staff(_app(client), "agent")
    headers = log_in(client, username)

    changed = admin.patch(f"{ACCOUNTS}/{username}", json={"active": False})

    assert changed.status_code == 200, changed.text
    assert changed.json()["active"] is False
    assert _me(client, headers) == 401
    assert _login(client, username).status_code == 401
    admin.patch(f"{ACCOUNTS}/{username}", json={"active": True})
    assert _me(client, headers) == 401  # reactivating opens no old session
    assert _login(client, username).status_code == 200


def test_a_new_role_counts_from_the_next_request(
    client: TestClient, admin: TestClient, clock: Clock
) -> None:
    username = add_staff(_app(client), "agent")
    headers = log_in(client, username)
    assert client.get("/api/v1/ratings/summary", headers=headers).status_code == 403

    admin.patch(f"{ACCOUNTS}/{username}", json={"role": "supervisor"})

    assert client.get("/api/v1/ratings/summary", headers=headers).status_code == 200


def test_an_admin_adds_and_lists_accounts(admin: TestClient, client: TestClient) -> None:
    body = {"username": " Binh.NT ", "display_name": "Nguyễn Thị Bình", "role": "agent",
            "password": "mật khẩu của Bình"}

    created = admin.post(ACCOUNTS, json=body)

    assert created.status_code == 201, created.text
    assert created.json()["username"] == "binh.nt"
    assert set(created.json()) == {"username", "display_name", "role", "active", "created_at"}
    listed = {a["username"]: a for a in admin.get(ACCOUNTS).json()}
    assert listed["binh.nt"]["display_name"] == "Nguyễn Thị Bình"
    assert _login(client, "binh.nt", "mật khẩu của Bình").status_code == 200
    again = admin.post(ACCOUNTS, json={**body, "username": "binh.nt"})
    assert again.status_code == 409
    assert again.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"password": "ngắn quá"}, "password", id="short-password"),
        pytest.param({"username": "ab"}, "username", id="short-username"),
        pytest.param({"username": "tên có dấu"}, "username", id="username-with-spaces"),
        pytest.param({"role": "root"}, "role", id="unknown-role"),
        pytest.param({"display_name": "a\x00b"}, "display_name", id="nul-in-name"),
        pytest.param({"password_hash": "scrypt$1$1$1$x$y"}, "password_hash", id="a-hash-given"),
    ],
)
def test_bad_accounts_are_422(admin: TestClient, change: dict[str, Any], field: str) -> None:
    body = {"username": "chi.tv", "display_name": "Trần Văn Chi", "role": "agent",
            "password": "một mật khẩu dài", **change}

    response = admin.post(ACCOUNTS, json=body)

    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param({"role": "agent"}, 409, id="demote-self"),
        pytest.param({"active": False}, 409, id="deactivate-self"),
        pytest.param({"role": "admin", "active": True}, 200, id="nothing-changes"),
    ],
)
def test_an_admin_cannot_lock_themselves_out(
    admin: TestClient, change: dict[str, Any], status: int
) -> None:
    me = admin.get(ME).json()["username"]

    response = admin.patch(f"{ACCOUNTS}/{me}", json=change)

    assert response.status_code == status, response.text
    assert admin.get(ME).json()["role"] == "admin"


def test_changing_an_unknown_account_is_404(admin: TestClient) -> None:
    assert admin.patch(f"{ACCOUNTS}/nobody-here", json={"active": False}).status_code == 404


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def login_clock(client: TestClient) -> FakeTime:
    """The login limiter's clock (its windows), separate from the sessions' clock."""
    fake = FakeTime()
    _app(client).state.staff_login_limits = make_login_limits(_app(client).state.cache, fake)
    return fake


def test_a_username_is_locked_after_too_many_attempts(
    client: TestClient, clock: Clock, login_clock: FakeTime
) -> None:
    username = add_staff(_app(client), "admin")
    other = add_staff(_app(client), "agent")
    failures = [_login(client, username, f"đoán thử số {i}").status_code
                for i in range(ATTEMPTS_PER_USERNAME)]

    right_password = _login(client, username)

    assert failures == [401] * ATTEMPTS_PER_USERNAME
    assert right_password.status_code == 429  # a guesser learns nothing past the limit
    assert int(right_password.headers["Retry-After"]) > 0
    assert right_password.json()["detail"]
    assert _login(client, other).status_code == 200  # other staff still log in
    login_clock.now += WINDOW_SECONDS
    assert _login(client, username).status_code == 200  # after the cool-down


def test_a_client_is_locked_after_too_many_attempts_on_any_names(
    client: TestClient, clock: Clock, login_clock: FakeTime
) -> None:
    username = add_staff(_app(client), "agent")
    spread = {_login(client, f"guess-{i}", "mật khẩu đoán").status_code
              for i in range(ATTEMPTS_PER_CLIENT)}

    response = _login(client, username)

    assert spread == {401}
    assert response.status_code == 429
