"""Console edits of a curated procedure written back to its seed file, so the next start
(``manage init`` loads the seed again) keeps them; the rest of the file is untouched."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from connectors.admin.catalogue.aliases import add_alias, remove_alias
from connectors.admin.catalogue.seedfile import write_back
from connectors.admin.catalogue.validation import EditRefused
from connectors.catalogue.store import record_of
from connectors.db import make_engine, make_session_factory
from connectors.procedures.models import Procedure
from connectors.seed.loader import SEED_DIR, load_curated, read_curated
from tests.connectors.admin.catalogue_support import BIRTH, NOW, SAMPLE
from tests.connectors.conftest import prepared_database

HEADER_LINES = 4  # the comment block at the top of every seed file


@pytest.fixture(scope="module")
def seed_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from prepared_database("sqlite", tmp_path_factory)


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A copy of the curated seed: tests never edit the repository's files."""
    copy = tmp_path / "procedures"
    shutil.copytree(SEED_DIR, copy)
    return copy


@pytest.fixture
def db(seed_database: str) -> Iterator[Session]:
    engine = make_engine(seed_database)
    with make_session_factory(engine)() as session:
        yield session
        session.rollback()
        load_curated(session)  # the repository's seed again
    engine.dispose()


def entries(directory: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for path in sorted(directory.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out[str(item["code"])] = item
    return out


def test_an_added_alias_is_in_the_seed_entry_and_survives_loading_the_seed_again(
    db: Session, seed_dir: Path
) -> None:
    add_alias(db, None, BIRTH, "mừng chào đời", "editor-a", NOW, seed_dir=seed_dir)

    curated = {r.code: r for r in read_curated(seed_dir)}
    assert curated[BIRTH].aliases[-1] == "mừng chào đời"
    assert curated[BIRTH] == record_of(db.get_one(Procedure, BIRTH))
    load_curated(db, seed_dir)  # what the next `make run` does
    db.expire_all()
    assert [a.alias for a in db.get_one(Procedure, BIRTH).aliases][-1] == "mừng chào đời"


def test_only_the_edited_entry_changes(db: Session, seed_dir: Path) -> None:
    before = entries(seed_dir)
    texts = {p.name: p.read_text(encoding="utf-8") for p in seed_dir.glob("*.yml")}

    add_alias(db, None, BIRTH, "mừng chào đời", "editor-a", NOW, seed_dir=seed_dir)
    remove_alias(db, None, BIRTH, "mừng chào đời", "editor-a", NOW, seed_dir=seed_dir)

    after = entries(seed_dir)
    assert after == before  # the same data, every entry
    changed = [p.name for p in seed_dir.glob("*.yml") if p.read_text("utf-8") != texts[p.name]]
    assert changed == ["ho-tich.yml"]
    text = (seed_dir / "ho-tich.yml").read_text("utf-8")
    assert text.splitlines()[:HEADER_LINES] == texts["ho-tich.yml"].splitlines()[:HEADER_LINES]
    assert not list(seed_dir.glob(".console-*"))  # no temporary file left


def test_a_procedure_without_a_seed_entry_is_not_written(db: Session, seed_dir: Path) -> None:
    from connectors.catalogue.importer import import_file

    import_file(db, SAMPLE, progress=False)
    texts = {p.name: p.read_text(encoding="utf-8") for p in seed_dir.glob("*.yml")}

    assert write_back(db, "9.900002", seed_dir) is None
    assert write_back(db, BIRTH, None) is None  # write-back off

    assert {p.name: p.read_text(encoding="utf-8") for p in seed_dir.glob("*.yml")} == texts
    db.delete(db.get_one(Procedure, "9.900002"))
    db.commit()


def test_when_the_seed_file_cannot_be_written_nothing_is_changed(
    db: Session, seed_dir: Path
) -> None:
    aliases = [a.alias for a in db.get_one(Procedure, BIRTH).aliases]
    (seed_dir / ".console.lock").mkdir()  # the folder cannot be locked for writing

    with pytest.raises(EditRefused, match="không ghi được tệp dữ liệu gốc"):
        add_alias(db, None, BIRTH, "mừng chào đời", "editor-a", NOW, seed_dir=seed_dir)

    db.expire_all()
    assert [a.alias for a in db.get_one(Procedure, BIRTH).aliases] == aliases
