"""Admins create staff accounts and change their role or active state from the console, audited."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from connectors import manage
from connectors.admin.models import AuditEntry
from connectors.db import make_engine, make_session_factory
from connectors.manage import migrate
from connectors.settings import get_settings
from connectors.staff.models import RoleName
from connectors.staff.service import find_account
from tests.connectors.admin.conftest import ConsoleFactory, sign_in
from tests.connectors.conftest import Clock

PASSWORD = "mật khẩu mới đủ dài"


def _new() -> dict[str, str]:
    """A new account's form (the database is shared by the module's tests: a new name each)."""
    return {"username": f"Lan.{uuid.uuid4().hex[:6]}", "display_name": "Phạm Thị Lan",
            "role": "editor", "password": PASSWORD}


def test_an_admin_creates_an_account_that_can_then_sign_in(
    console: ConsoleFactory, clock: Clock
) -> None:
    admin, form = console("admin"), _new()
    username = form["username"].lower()

    answer = admin.post("/admin/accounts", form)

    assert answer.status_code == 303
    listing = admin.get("/admin/accounts").text
    assert f"Đã tạo tài khoản {username}." in listing
    assert f"<td>{username}</td>\n    <td>Phạm Thị Lan</td>" in listing
    browser = TestClient(admin.client.app)
    assert sign_in(browser, username, PASSWORD).status_code == 303
    assert "Phạm Thị Lan (Biên tập viên)" in browser.get("/admin/").text


def test_account_creation_is_in_the_audit_log(console: ConsoleFactory) -> None:
    admin, form = console("admin"), _new()
    username = form["username"].lower()

    admin.post("/admin/accounts", form)

    with admin.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.target == username)
        ).one()
    assert (entry.actor, entry.action, entry.before) == (admin.username, "account.create", None)
    assert json.loads(entry.after or "") == {
        "role": "editor", "display_name": "Phạm Thị Lan", "active": True
    }
    page = admin.get("/admin/audit?action=account.").text
    assert re.search(
        rf"<td>{admin.username}</td>\s*<td><code>account.create</code></td>\s*<td>{username}</td>",
        page,
    )


@pytest.mark.parametrize(
    ("field", "value"), [("password", "ngắn"), ("username", "a"), ("role", "superuser")]
)
def test_an_invalid_account_is_refused_and_not_created(
    console: ConsoleFactory, field: str, value: str
) -> None:
    admin, form = console("admin"), _new()

    answer = admin.post("/admin/accounts", {**form, field: value})

    assert answer.status_code == 422
    assert "Thông tin chưa hợp lệ" in answer.text
    assert form["username"].lower() not in admin.get("/admin/accounts").text


def test_a_taken_username_is_refused(console: ConsoleFactory) -> None:
    admin, form = console("admin"), _new()
    admin.post("/admin/accounts", form)

    answer = admin.post("/admin/accounts", {**form, "display_name": "Người khác"})

    assert answer.status_code == 409
    assert f"Tên đăng nhập {form['username'].lower()} đã có người dùng." in answer.text


def test_deactivating_an_account_ends_its_sessions_and_is_audited(
    console: ConsoleFactory,
) -> None:
    admin, editor = console("admin"), console("editor")
    assert editor.get("/admin/").status_code == 200

    answer = admin.post(f"/admin/accounts/{editor.username}", {"role": "editor"})  # unchecked

    assert answer.status_code == 303
    assert editor.get("/admin/").status_code == 303
    with admin.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "account.update", AuditEntry.target == editor.username
            )
        ).one()
    assert json.loads(entry.before or "") == {"role": "editor", "active": True}
    assert json.loads(entry.after or "") == {"role": "editor", "active": False}


def test_an_admin_cannot_demote_themselves(console: ConsoleFactory) -> None:
    admin = console("admin")

    answer = admin.post(
        f"/admin/accounts/{admin.username}", {"role": "editor", "active": "on"}
    )

    assert answer.status_code == 409
    assert admin.get("/admin/audit").status_code == 200


@pytest.mark.parametrize("role", ["agent", "supervisor", "editor"])
def test_only_admins_manage_accounts(console: ConsoleFactory, role: RoleName) -> None:
    someone, form = console(role), _new()

    assert someone.get("/admin/accounts").status_code == 403
    assert someone.post("/admin/accounts", form).status_code == 403
    assert form["username"].lower() not in console("admin").get("/admin/accounts").text


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("agent", [], ["/admin/accounts", "/admin/audit", "/admin/intents"]),
        ("editor", ["/admin/intents", "/admin/responses"], ["/admin/accounts", "/admin/audit"]),
        ("admin", ["/admin/intents", "/admin/accounts", "/admin/audit"], []),
    ],
)
def test_the_home_page_links_the_sections_of_the_role(
    console: ConsoleFactory, role: RoleName, shown: list[str], hidden: list[str]
) -> None:
    home = console(role).get("/admin/").text

    links = set(re.findall(r'<a href="(/admin/[a-z]+)"', home))
    assert set(shown) <= links
    assert not set(hidden) & links


def test_the_command_creates_an_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'manage.sqlite3'}"
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    get_settings.cache_clear()
    try:
        status = manage.main(["staff-add", "bien.tap", "--role", "editor"])
    finally:
        get_settings.cache_clear()

    assert status == 0
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        account = find_account(session, "bien.tap")
        assert account is not None and account.role == "editor"
    engine.dispose()
