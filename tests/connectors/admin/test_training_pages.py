"""/admin/training through the console: editors only, train → scores → publish → rollback, each
audited; a second "train" and a worse model without the checkbox are refused with a note.
The Rasa commands and the live Rasa are fake_rasa_cli.py (stand-ins); SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import cast
from urllib.parse import unquote

import pytest
from fastapi import FastAPI

from connectors.admin.audit import newest
from connectors.admin.templating import FLASH_COOKIE
from connectors.admin.training.builds import TrainingService
from connectors.settings import Settings
from tests.connectors.admin.conftest import Console, ConsoleFactory
from tests.connectors.admin.training_support import (
    add_example,
    fake_rasa_server,
    fake_settings,
    forget_fees,
    make_project,
)
from tests.connectors.conftest import REDIS_TEST_URL, SERVICE_TOKEN

PAGE = "/admin/training"


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    _, live = make_project(tmp_path)
    with fake_rasa_server(live) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path, live_url: str) -> Settings:
    """The connectors' settings, with the training commands and Rasa of this test's project."""
    return fake_settings(
        tmp_path, live_url, redis_url=REDIS_TEST_URL,
        redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:", connectors_service_token=SERVICE_TOKEN,
    ).model_copy(update={"database_url": database_url})


def flash(answer: object) -> str:
    cookie = getattr(answer, "cookies").get(FLASH_COOKIE)  # noqa: B009
    return unquote(cookie) if cookie else ""


def trained(editor: Console) -> int:
    """Presses "train", waits for the build, returns its id."""
    answer = editor.post(f"{PAGE}/start")
    assert answer.status_code == 303
    match = re.fullmatch(r"Đã bắt đầu lần huấn luyện số (\d+)\.", flash(answer))
    assert match, flash(answer)
    build_id = int(match.group(1))
    service = cast(TrainingService, cast(FastAPI, editor.client.app).state.training)
    service.wait(build_id, timeout=120)
    progress = editor.get(f"{PAGE}/builds/{build_id}/progress").json()
    assert (progress["status"], progress["step"]) == ("succeeded", "done"), progress["log"]
    return build_id


def audit(editor: Console) -> list[tuple[str, str]]:
    app = cast(FastAPI, editor.client.app)
    with app.state.session_factory() as session:
        entries = newest(session, action_prefix="training.", actor=editor.username)
        return [(e.action, e.target) for e in reversed(entries)]


def test_only_editors_open_the_page(console: ConsoleFactory) -> None:
    reviewer = console("supervisor")
    assert reviewer.get(PAGE).status_code == 403
    assert reviewer.post(f"{PAGE}/start").status_code == 403
    assert console("editor").get(PAGE).status_code == 200
    anonymous = console("editor").client
    anonymous.cookies.clear()
    assert anonymous.get(PAGE, follow_redirects=False).headers["location"] == (
        "/admin/login?next=%2Fadmin%2Ftraining"
    )


def test_train_see_scores_publish_and_roll_back(
    console: ConsoleFactory, settings: Settings, live_url: str
) -> None:
    editor = console("editor")
    page = editor.get(PAGE).text
    assert '<strong id="live-model">vi-live.tar.gz</strong>' in page

    add_example(settings.training_data_dir)
    build_id = trained(editor)
    page = editor.get(PAGE).text
    live_cell = re.search(r'data-score="live-accuracy">([^<]+)<', page)
    new_cell = re.search(r'data-score="candidate-accuracy">([^<]+)<', page)
    assert live_cell and new_cell
    assert (live_cell.group(1), new_cell.group(1)) == ("0.667", "1.000")
    assert 'id="worse"' not in page

    answer = editor.post(f"{PAGE}/publish", {"build_id": str(build_id)})
    assert answer.status_code == 303
    model = f"build-{build_id}-"
    assert flash(answer).startswith(f"Đã phát hành {model}")
    page = editor.get(PAGE).text
    assert re.search(rf'<strong id="live-model">{model}\d+\.tar\.gz</strong>', page)

    answer = editor.post(f"{PAGE}/rollback")
    assert flash(answer) == "Đã quay lại mô hình vi-live.tar.gz."
    assert '<strong id="live-model">vi-live.tar.gz</strong>' in editor.get(PAGE).text
    assert [a for a, _ in audit(editor)] == [
        "training.start", "training.publish", "training.rollback",
    ]


def test_a_second_train_is_refused_politely(
    console: ConsoleFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = tmp_path / "hold"
    hold.touch()
    monkeypatch.setenv("FAKE_RASA_HOLD", str(hold))
    editor, other = console("editor"), console("editor")
    first = editor.post(f"{PAGE}/start")
    assert flash(first).startswith("Đã bắt đầu lần huấn luyện số")
    progress = editor.get(f"{PAGE}/builds/{flash(first).split()[-1].rstrip('.')}/progress")
    assert progress.json()["running"] is True

    second = other.post(f"{PAGE}/start")
    assert second.status_code == 303
    assert flash(second).startswith("Đang có một lần huấn luyện chạy (số ")
    assert flash(second).endswith("Xin vui lòng chờ lần đó xong rồi thử lại.")
    assert audit(other) == []  # nothing was started
    hold.unlink()
    service = cast(TrainingService, cast(FastAPI, editor.client.app).state.training)
    service.wait(int(flash(first).split()[-1].rstrip(".")), timeout=120)


def test_a_worse_model_needs_the_checkbox(
    console: ConsoleFactory, settings: Settings, live_url: str
) -> None:
    editor = console("editor")
    forget_fees(settings.training_data_dir)
    build_id = trained(editor)
    page = editor.get(PAGE).text
    assert "Mô hình mới kém hơn mô hình đang chạy: độ chính xác ý định thấp hơn" in page
    assert 'name="confirm_worse"' in page

    refused = editor.post(f"{PAGE}/publish", {"build_id": str(build_id)})
    assert flash(refused).startswith("Mô hình mới kém hơn mô hình đang chạy")
    assert '<strong id="live-model">vi-live.tar.gz</strong>' in editor.get(PAGE).text

    confirmed = editor.post(
        f"{PAGE}/publish", {"build_id": str(build_id), "confirm_worse": "true"}
    )
    assert flash(confirmed).startswith(f"Đã phát hành build-{build_id}-")
    (action, _), = [e for e in audit(editor) if e[0] == "training.publish"]
    assert action == "training.publish"
