"""`python -m connectors.manage staff-add`: the first admin, with the password never in argv."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import manage
from connectors.db import make_engine, make_session_factory
from connectors.settings import get_settings
from connectors.staff.models import StaffAccount
from connectors.staff.passwords import verify_password

PASSWORD = "mật khẩu quản trị đủ dài"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    manage.migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _accounts(url: str) -> dict[str, StaffAccount]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return {a.username: a for a in session.scalars(select(StaffAccount))}
    finally:
        engine.dispose()


@pytest.mark.parametrize("source", ["environment", "stdin"])
def test_staff_add_creates_an_account_with_the_password_from(
    database: str, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "environment":
        monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    else:
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))

    status = manage.main(["staff-add", "Admin.Tinh", "--role", "admin", "--name", "Quản trị"])

    assert status == 0
    account = _accounts(database)["admin.tinh"]
    assert (account.role, account.display_name, account.active) == ("admin", "Quản trị", True)
    assert verify_password(PASSWORD, account.password_hash)
    assert PASSWORD not in account.password_hash


@pytest.mark.parametrize(
    ("argv", "password"),
    [
        pytest.param(["staff-add", "short.pw", "--role", "agent"], "ngắn", id="short-password"),
        pytest.param(["staff-add", "x", "--role", "agent"], PASSWORD, id="short-username"),
    ],
)
def test_staff_add_refuses_a_bad_account(
    database: str, monkeypatch: pytest.MonkeyPatch, argv: list[str], password: str
) -> None:
    monkeypatch.setenv("STAFF_PASSWORD", password)

    assert manage.main(argv) == 1
    assert _accounts(database) == {}


def test_staff_add_refuses_a_taken_username(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    assert manage.main(["staff-add", "binh", "--role", "agent"]) == 0
    monkeypatch.setenv("STAFF_PASSWORD", "một mật khẩu khác hẳn")

    assert manage.main(["staff-add", "binh", "--role", "admin"]) == 1
    account = _accounts(database)["binh"]
    assert account.role == "agent"
    assert verify_password(PASSWORD, account.password_hash)  # unchanged


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["staff-add", "binh"], id="no-role"),
        pytest.param(["staff-add", "binh", "--role", "root"], id="unknown-role"),
        pytest.param(["staff-add", "binh", "--role", "admin", "--password", PASSWORD],
                     id="password-in-argv"),
    ],
)
def test_staff_add_usage_errors(database: str, argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        manage.main(argv)
