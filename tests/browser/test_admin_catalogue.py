"""The catalogue in the console, in headless chromium against the connectors on loopback: an
editor signs in, tries a phrasing search cannot place, adds it as an alias of the birth
registration in the sqladmin form (the page's script supplies the CSRF token), and the "try it"
box then shows that procedure first, beside the earlier try."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from connectors.settings import Settings
from scripts.stack import ROOT
from tests.browser.console_server import serve_console
from tests.browser.driver import missing, run_node
from tests.browser.support import screenshot
from tests.connectors.admin.catalogue_support import BIRTH, REDIS_TEST_URL, UNHEARD
from tests.connectors.conftest import STAFF_PASSWORD, prepared_database

SCRIPT = Path(__file__).with_name("admin_steps.mjs")
SCREENSHOT = ROOT / "docs" / "screenshots" / "admin-catalogue-try.png"
LIST_SHOT = screenshot("admin-catalogue-aliases.png")  # var/: for a person to look at


@pytest.fixture(scope="module")
def connectors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The connectors (uvicorn, loopback) on a database of their own; (base URL, editor)."""
    for url in prepared_database("sqlite", tmp_path_factory):
        settings = Settings(database_url=url, redis_url=REDIS_TEST_URL,
                            redis_key_prefix=f"test:browser-catalogue:{uuid.uuid4().hex[:8]}:")
        with serve_console(settings, "Biên tập viên Thử") as served:
            yield served


def test_an_editor_adds_an_alias_and_try_it_shows_the_procedure_first(
    connectors: tuple[str, str],
) -> None:
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    base, editor = connectors
    try_page = f"{base}/admin/catalogue/try?q={quote(UNHEARD)}"
    steps: list[dict[str, Any]] = [
        {"goto": f"{base}/admin/login?next=/admin/catalogue"},
        {"fill": "input[name=username]", "value": editor},
        {"fill": "input[name=password]", "value": STAFF_PASSWORD},
        {"click": "form button[type=submit]"},
        {"read": "h1", "as": "home"},
        {"goto": try_page},
        {"read": "#decision", "as": "before"},
        {"goto": f"{base}/admin/catalogue/db/procedure-alias/create"},
        {"fill": "[name=procedure_code]", "value": BIRTH},
        {"fill": "[name=alias]", "value": UNHEARD},
        {"click": "button[value=Save]"},
        {"read": "table", "as": "aliases"},
        {"screenshot": str(LIST_SHOT)},
        {"goto": try_page},
        {"read": "#decision", "as": "after"},
        {"read": "#hits tbody tr:first-child", "as": "first"},
        {"read": "#earlier", "as": "earlier"},
        {"screenshot": str(SCREENSHOT)},
    ]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)

    result = run_node(SCRIPT, {"steps": steps}, timeout=180)

    read = result["read"]
    assert read["home"] == "Danh mục thủ tục"
    assert read["before"].startswith("Không trả lời: Không có thủ tục phù hợp"), read
    assert UNHEARD in read["aliases"], read
    assert read["after"].startswith(
        f"Chắc chắn: trả lời ngay về thủ tục này — thủ tục {BIRTH}"), read
    first = read["first"].split()
    assert first[:2] == ["1", BIRTH] and first[-1] == "mới", read
    assert "Không trả lời" in read["earlier"], read
    assert result["blocked"] == []
