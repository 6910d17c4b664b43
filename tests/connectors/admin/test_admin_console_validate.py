"""What the console writes stays valid training data: `rasa data validate` (as `make validate`
runs it) passes on a copy of the project after every kind of console edit."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from connectors.admin.intents import service
from connectors.admin.intents.new_intent import add_intent
from connectors.admin.project import ProjectFiles
from connectors.admin.responses.domain import Button, Variation
from connectors.admin.responses.service import get_response, save_response
from connectors.db import make_engine, make_session_factory
from connectors.manage import migrate
from connectors.settings import ROOT

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def _validate(project: ProjectFiles) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA), "data", "validate", "--domain", str(project.domain_dir), "--data",
         str(project.data_dir), "--config", str(ROOT / "config.yml"), "--max-history", "5"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )


def test_rasa_data_validate_passes_after_console_edits(
    db: Session, project: ProjectFiles
) -> None:
    editor = "bien.tap"
    service.add_example(db, project, "ask_fee", "lệ phí [cấp lại căn cước](procedure) là bao "
                        "nhiêu", editor, now=NOW)
    greet = service.view_intent(project, "greet")
    service.edit_example(db, project, "greet", "hế lô", "hế lô ad", editor, now=NOW,
                         version=greet.version)
    greet = service.view_intent(project, "greet")
    service.move_example(db, project, "greet", "ad oi ad", "request_human", editor, now=NOW,
                         version=greet.version)
    thank = service.view_intent(project, "thank")
    service.delete_example(db, project, "thank", thank.examples[-1].text, editor, now=NOW,
                           version=thank.version)
    add_intent(db, project, "hoi_gio_lam_viec",
               ["bộ phận một cửa làm việc mấy giờ", "may gio mo cua vay ad"],
               "Dạ, bộ phận một cửa làm việc từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu ạ.",
               editor, now=NOW)
    add_intent(db, project, "hoi_cho_gui_xe", ["gửi xe ở đâu ad"], "Dạ, ở cổng sau ạ.",
               editor, now=NOW)
    goodbye = get_response(project, "utter_goodbye")
    save_response(db, project, "utter_goodbye", [
        Variation("Tạm biệt anh/chị, hẹn gặp lại ạ!",
                  (Button("Gặp cán bộ", "/request_human"),)),
    ], editor, now=NOW, version=goodbye.version)
    new_response = get_response(project, "utter_hoi_cho_gui_xe")
    save_response(db, project, "utter_hoi_cho_gui_xe", [
        Variation("Dạ, bãi gửi xe ở cổng sau, miễn phí ạ."), Variation("Dạ, ở cổng sau ạ."),
    ], editor, now=NOW, version=new_response.version)

    checked = _validate(project)

    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    assert "hoi_gio_lam_viec" in (project.nlu_dir / "console.yml").read_text(encoding="utf-8")
