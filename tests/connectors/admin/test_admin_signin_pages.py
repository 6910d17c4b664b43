"""Console sign-in: the session cookie, CSRF on every unsafe request, roles, expiry, sign-out."""

from __future__ import annotations

from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.admin.csrf import FIELD, LOGIN_COOKIE, SESSION_COOKIE
from connectors.staff.models import RoleName
from tests.connectors.admin.conftest import ConsoleFactory, sign_in
from tests.connectors.conftest import Clock, add_staff


def _app(client: TestClient) -> FastAPI:
    return cast(FastAPI, client.app)


def test_sign_in_sets_an_http_only_strict_cookie_that_ends_with_the_session(
    client: TestClient, clock: Clock
) -> None:
    username = add_staff(_app(client), "editor")
    browser = TestClient(_app(client))

    answer = sign_in(browser, username)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")
    )
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].strip().lower() == "samesite=strict"
    assert attributes["max-age"].strip() == f"Max-Age={8 * 3600}"
    assert attributes["path"].strip() == "Path=/admin"
    assert "secure" not in attributes  # plain http in development
    home = browser.get("/admin/")
    assert home.status_code == 200
    assert f"Cán bộ {username}" in home.text


def test_the_cookie_is_secure_over_https(client: TestClient, clock: Clock) -> None:
    username = add_staff(_app(client), "editor")
    browser = TestClient(_app(client), base_url="https://testserver")

    answer = sign_in(browser, username)

    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")
    )
    assert "secure" in [p.strip().lower() for p in cookie.split(";")]


def test_a_wrong_password_is_refused_with_the_form_again(
    client: TestClient, clock: Clock
) -> None:
    username = add_staff(_app(client), "editor")
    browser = TestClient(_app(client))

    answer = sign_in(browser, username, "không phải mật khẩu")

    assert answer.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in answer.text
    assert SESSION_COOKIE not in browser.cookies


def test_the_login_form_without_its_csrf_token_is_refused(
    client: TestClient, clock: Clock
) -> None:
    username = add_staff(_app(client), "editor")
    browser = TestClient(_app(client))
    browser.get("/admin/login")

    answer = browser.post(
        "/admin/login", data={"username": username, "password": "mật khẩu đủ dài 2026"},
        follow_redirects=False,
    )

    assert answer.status_code == 403
    assert SESSION_COOKIE not in browser.cookies


def test_not_signed_in_a_page_redirects_to_login_with_next(client: TestClient) -> None:
    answer = client.get("/admin/audit?actor=x", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login?next=%2Fadmin%2Faudit%3Factor%3Dx"


def test_after_sign_in_the_browser_goes_back_to_next(client: TestClient, clock: Clock) -> None:
    username = add_staff(_app(client), "admin")
    browser = TestClient(_app(client))
    browser.get("/admin/login?next=/admin/audit")

    answer = browser.post(
        "/admin/login",
        data={"username": username, "password": "mật khẩu đủ dài 2026",
              FIELD: browser.cookies[LOGIN_COOKIE], "next": "/admin/audit"},
        follow_redirects=False,
    )

    assert answer.headers["location"] == "/admin/audit"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin", "/api/v1/x"])
def test_next_never_leaves_the_console(client: TestClient, clock: Clock, target: str) -> None:
    username = add_staff(_app(client), "admin")
    browser = TestClient(_app(client))
    browser.get("/admin/login")

    answer = browser.post(
        "/admin/login",
        data={"username": username, "password": "mật khẩu đủ dài 2026",
              FIELD: browser.cookies[LOGIN_COOKIE], "next": target},
        follow_redirects=False,
    )

    assert answer.headers["location"] == "/admin/"


@pytest.mark.parametrize(
    ("role", "status"),
    [("agent", 403), ("supervisor", 403), ("editor", 403), ("admin", 200)],
)
def test_the_audit_page_needs_the_admin_role(
    console: ConsoleFactory, role: RoleName, status: int
) -> None:
    answer = console(role).get("/admin/audit")

    assert answer.status_code == status
    if status == 403:
        assert "Không đủ quyền" in answer.text


def test_a_session_past_its_lifetime_sends_back_to_login(
    console: ConsoleFactory, clock: Clock
) -> None:
    admin = console("admin")
    assert admin.get("/admin/audit").status_code == 200

    clock.tick(hours=8)
    answer = admin.get("/admin/audit")

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/admin/login?next=")


def test_sign_out_ends_the_session(console: ConsoleFactory) -> None:
    admin = console("admin")
    cookie = admin.client.cookies[SESSION_COOKIE]

    answer = admin.post("/admin/logout")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login"
    admin.client.cookies.set(SESSION_COOKIE, cookie, path="/admin")  # a copy kept elsewhere
    assert admin.get("/admin/audit").status_code == 303


@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_an_unsafe_request_without_the_right_csrf_token_is_refused(
    console: ConsoleFactory, token: str | None
) -> None:
    admin = console("admin")
    data = {"username": "moi.canbo", "display_name": "Cán bộ mới", "role": "editor",
            "password": "mật khẩu đủ dài 2026"}
    if token is not None:
        data[FIELD] = token

    answer = admin.client.post("/admin/accounts", data=data, follow_redirects=False)

    assert answer.status_code == 403
    assert "moi.canbo" not in admin.get("/admin/accounts").text


def test_sign_out_without_csrf_is_refused(console: ConsoleFactory) -> None:
    admin = console("admin")

    answer = admin.client.post("/admin/logout", follow_redirects=False)

    assert answer.status_code == 403
    assert admin.get("/admin/audit").status_code == 200


def test_the_csrf_token_of_another_session_is_refused(console: ConsoleFactory) -> None:
    admin, other = console("admin"), console("admin")

    answer = admin.client.post(
        "/admin/logout", data={FIELD: other.csrf}, follow_redirects=False
    )

    assert answer.status_code == 403


def test_signing_in_again_works_with_the_expired_cookie_still_in_the_browser(
    console: ConsoleFactory, clock: Clock
) -> None:
    editor = console("editor")
    clock.tick(hours=9)

    answer = sign_in(editor.client, editor.username)

    assert answer.status_code == 303
    assert editor.get("/admin/").status_code == 200


def test_the_bare_console_address_leads_to_its_home(client: TestClient) -> None:
    answer = client.get("/admin", follow_redirects=True)

    assert answer.url.path == "/admin/login"
    assert answer.url.params["next"] == "/admin/"
