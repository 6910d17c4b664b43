"""The line-level reader of data/nlu agrees with the YAML parser on every file of the repository,
and concurrent additions through the edit lock lose nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from connectors.admin.intents import service
from connectors.admin.intents.files import BrokenEdit, examples_as_rasa_reads, read, write_checked
from connectors.admin.intents.text import entities_of, folded_key, plain
from connectors.admin.project import ProjectFiles
from connectors.db import make_engine, make_session_factory
from connectors.manage import migrate
from connectors.settings import ROOT

NLU_FILES = sorted((ROOT / "data" / "nlu").glob("*.yml"))


@pytest.mark.parametrize("path", NLU_FILES, ids=[p.name for p in NLU_FILES])
def test_the_line_reader_sees_the_examples_rasa_sees(path: Path) -> None:
    nlu = read(path)

    assert {b.name: list(b.examples) for b in nlu.intents} == examples_as_rasa_reads(
        path.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("example", "plain_text", "folded", "entities"),
    [
        ("tra cứu hồ sơ [000.00.30.H56-241115-0012](application_code)",
         "tra cứu hồ sơ 000.00.30.H56-241115-0012", "tra cuu ho so 000 00 30 h56 241115 0012",
         [("000.00.30.H56-241115-0012", "application_code")]),
        ("Đăng ký [khai sinh](procedure:đăng ký khai sinh) ở đâu?",
         "Đăng ký khai sinh ở đâu?", "dang ky khai sinh o dau", [("khai sinh", "procedure")]),
        ('số [0912345678]{"entity": "phone_number"}', "số 0912345678", "so 0912345678",
         [("0912345678", "phone_number")]),
    ],
)
def test_annotations_plain_and_folded_forms(
    example: str, plain_text: str, folded: str, entities: list[tuple[str, str]]
) -> None:
    assert plain(example) == plain_text
    assert folded_key(example) == folded
    assert [(a.text, a.entity) for a in entities_of(example)] == entities


def test_a_write_that_would_not_read_back_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - chào\n')

    with pytest.raises(BrokenEdit):
        write_checked(path, path.read_text() + "    - chào bạn\n", {"greet": ["chào"]})

    assert examples_as_rasa_reads(path.read_text()) == {"greet": ["chào"]}


def test_concurrent_additions_all_land(project: ProjectFiles, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lock.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    wanted = [f"chào lần thứ {n} nhé" for n in range(24)]

    def add(text: str) -> None:
        with factory() as session:
            add_with(session, text)

    def add_with(session: Session, text: str) -> None:
        service.add_example(session, project, "greet", text, "bien.tap", now=now)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(add, wanted))
    engine.dispose()

    greet = examples_as_rasa_reads((project.nlu_dir / "smalltalk.yml").read_text("utf-8"))["greet"]
    assert sorted(greet[-len(wanted):]) == sorted(wanted)
