"""The staff console under test: browsers (TestClients with their own cookies) signed in by role.

``console("editor")`` signs a new editor in through the real login form (at the test's clock) and
returns a ``Console``: its ``client`` carries the session cookie, ``post()`` adds the CSRF field.
The app is the ``client`` fixture's (SQLite and PostgreSQL, see tests/connectors/conftest.py),
its settings pointing the console at a copy of the training data and domain (``project``): no test
edits the repository's data/ or bot/.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.admin.csrf import FIELD, LOGIN_COOKIE, SESSION_COOKIE, token_for_session
from connectors.admin.project import ProjectFiles
from connectors.settings import ROOT, Settings
from connectors.staff.models import RoleName
from tests.connectors.conftest import STAFF_PASSWORD, Clock, add_staff


@pytest.fixture
def project(tmp_path: Path) -> ProjectFiles:
    """A copy of data/ (nlu, rules), bot/domain and config.yml, as the console's to edit."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "bot" / "domain", root / "bot" / "domain")
    shutil.copy(ROOT / "config.yml", root / "config.yml")
    return ProjectFiles(root / "data", root / "bot" / "domain")


@pytest.fixture
def settings(settings: Settings, project: ProjectFiles) -> Settings:
    """The connectors' settings (tests/connectors/conftest.py), the console on the copy."""
    return settings.model_copy(
        update={"training_data_dir": project.data_dir, "training_domain_dir": project.domain_dir}
    )


@dataclass
class Console:
    """One staff member's browser on the console."""

    client: TestClient
    username: str

    @property
    def csrf(self) -> str:
        return token_for_session(self.client.cookies[SESSION_COOKIE])

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, follow_redirects=False, **kwargs)

    def post(
        self, url: str, data: Mapping[str, str | list[str]] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A form post as the page sends it: with this session's CSRF token."""
        return self.client.post(
            url, data={FIELD: self.csrf, **(data or {})}, follow_redirects=False, **kwargs
        )


def sign_in(client: TestClient, username: str, password: str = STAFF_PASSWORD) -> httpx.Response:
    """The login form, as a browser fills it (the page first, for its CSRF cookie)."""
    page = client.get("/admin/login")
    assert page.status_code == 200, page.text
    return client.post(
        "/admin/login",
        data={"username": username, "password": password,
              FIELD: client.cookies[LOGIN_COOKIE], "next": "/admin/"},
        follow_redirects=False,
    )


ConsoleFactory = Callable[[RoleName], Console]


@pytest.fixture
def console(client: TestClient, clock: Clock) -> ConsoleFactory:
    """A new staff member of ``role`` signed in to the console (same app as ``client``)."""

    def build(role: RoleName) -> Console:
        app = cast(FastAPI, client.app)
        username = add_staff(app, role)
        browser = TestClient(app)
        answer = sign_in(browser, username)
        assert answer.status_code == 303, answer.text
        return Console(browser, username)

    return build
