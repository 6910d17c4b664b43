"""The console in headless chromium against the connectors on loopback: an editor opens an
intent's page, is sent to sign in, comes back to it, adds an example, sees it listed and finds it
in the training data file (a copy of data/); the page is the README's screenshot."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.admin.intents.files import examples_as_rasa_reads
from connectors.settings import Settings
from scripts.stack import ROOT
from tests.browser.console_server import serve_console
from tests.browser.driver import missing, run_node
from tests.connectors.conftest import REDIS_TEST_URL, STAFF_PASSWORD, prepared_database

SCRIPT = Path(__file__).with_name("admin_signin.mjs")
SCREENSHOT = ROOT / "docs" / "screenshots" / "admin-intents.png"
NEW_EXAMPLE = "cho em hỏi [làm hộ chiếu](procedure) mất bao lâu vậy ad"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """The connectors (uvicorn, loopback) editing a copy of data/; (base URL, editor, copy)."""
    copy = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "data", copy / "data")
    shutil.copytree(ROOT / "bot" / "domain", copy / "bot" / "domain")
    for url in prepared_database("sqlite", tmp_path_factory):
        settings = Settings(
            database_url=url, redis_url=REDIS_TEST_URL,
            redis_key_prefix=f"test:browser-signin:{uuid.uuid4().hex[:8]}:",
            training_data_dir=copy / "data", training_domain_dir=copy / "bot" / "domain",
        )
        with serve_console(settings, "Nguyễn Thị Biên") as (base, username):
            yield base, username, copy


def test_an_editor_signs_in_and_adds_an_example_to_an_intent(
    console: tuple[str, str, Path],
) -> None:
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    base, editor, copy = console
    steps: list[dict[str, Any]] = [
        {"goto": f"{base}/admin/intents/ask_processing_time"},
        {"url": "login_page"},
        {"fill": "input[name=username]", "value": editor},
        {"fill": "input[name=password]", "value": STAFF_PASSWORD},
        {"click": ".login button[type=submit]"},
        {"url": "after_login"},
        {"read": "h1", "as": "title"},
        {"fill": "form.add-example input[name=text]", "value": NEW_EXAMPLE},
        {"click": "form.add-example button[type=submit]"},
        {"read": ".flash", "as": "flash"},
        {"readAll": "table.examples td.example", "as": "examples"},
        {"read": "table.examples tbody tr:last-child td.folded", "as": "folded"},
        {"read": "table.examples tbody tr:last-child td:nth-child(4)", "as": "entities"},
        {"goto": f"{base}/admin/intents?q=ho+chieu+mat+bao+lau+vay"},
        {"readAll": "table.hits tbody tr", "as": "hits"},
        {"screenshot": str(SCREENSHOT)},
    ]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)

    result = run_node(SCRIPT, {"viewport": {"width": 1100, "height": 640}, "steps": steps},
                      timeout=120)

    read = result["read"]
    assert read["login_page"] == (
        f"{base}/admin/login?next=%2Fadmin%2Fintents%2Fask_processing_time"
    )
    assert read["after_login"] == f"{base}/admin/intents/ask_processing_time"
    assert read["title"].startswith("Ý định ask_processing_time:")
    plain = "cho em hỏi làm hộ chiếu mất bao lâu vậy ad"
    assert read["flash"] == f"Đã thêm câu mẫu «{NEW_EXAMPLE}».", read
    assert read["examples"][-1] == plain, read["examples"][-3:]
    assert read["folded"] == "cho em hoi lam ho chieu mat bao lau vay ad"
    assert read["entities"] == "làm hộ chiếu → procedure"
    assert len(read["hits"]) == 1 and read["hits"][0].startswith("ask_processing_time"), read
    written = examples_as_rasa_reads((copy / "data" / "nlu" / "time.yml").read_text("utf-8"))
    assert written["ask_processing_time"][-1] == NEW_EXAMPLE
    assert result["blocked"] == []
    assert SCREENSHOT.stat().st_size < 250_000
