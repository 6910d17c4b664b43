"""Catalogue edits from the console: aliases validated, audited, and searched at once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.admin.catalogue.aliases import add_alias, remove_alias
from connectors.admin.catalogue.tryit import try_phrasing
from connectors.admin.catalogue.validation import EditRefused
from connectors.cache import Cache
from connectors.db import make_engine, make_session_factory
from connectors.procedures.models import Procedure, ProcedureAlias
from connectors.procedures.service import CatalogueService, catalogue_version
from tests.connectors.admin.catalogue_support import (
    BIRTH,
    NOW,
    UNHEARD,
    audit_entries,
    fresh_cache,
)
from tests.connectors.conftest import prepared_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def edit_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Writable: these tests add and remove aliases, so not the session's shared database."""
    yield from prepared_database(request.param, tmp_path_factory)


@pytest.fixture
def db(edit_database: str) -> Iterator[Session]:
    engine = make_engine(edit_database)
    with make_session_factory(engine)() as session:
        yield session
        session.rollback()
        procedure = session.get(Procedure, BIRTH)
        assert procedure is not None
        procedure.aliases = [a for a in procedure.aliases if "chào đời" not in a.alias]
        session.commit()
    engine.dispose()


@pytest.fixture
def cache() -> Iterator[Cache]:
    yield from fresh_cache()


@pytest.fixture
def catalogue(cache: Cache) -> CatalogueService:
    return CatalogueService(cache)


def test_an_added_alias_is_what_search_answers_next(
    db: Session, catalogue: CatalogueService
) -> None:
    before = try_phrasing(db, catalogue, UNHEARD)
    assert before.abstained and before.rank_of(BIRTH) != 1  # (that answer is now cached)

    change = add_alias(db, catalogue, BIRTH, "  mừng   chào  đời ", "editor-a", NOW, seed_dir=None)

    assert change.alias == "mừng chào đời"
    after = try_phrasing(db, catalogue, UNHEARD)
    assert after.rank_of(BIRTH) == 1
    assert after.chosen == BIRTH and not after.abstained
    assert after.version == change.version > before.version


def test_an_alias_change_is_audited_with_the_aliases_before_and_after(
    db: Session, catalogue: CatalogueService
) -> None:
    aliases = [a.alias for a in db.get_one(Procedure, BIRTH).aliases]

    add_alias(db, catalogue, BIRTH, "giấy chào đời", "editor-a", NOW, seed_dir=None)
    remove_alias(db, catalogue, BIRTH, "giay chao doi", "editor-b", NOW, seed_dir=None)

    added = audit_entries(db, "catalogue.alias.add")[-1]
    removed = audit_entries(db, "catalogue.alias.remove")[-1]
    assert (added.actor, added.target) == ("editor-a", BIRTH)
    assert json.loads(added.before or "") == {"aliases": aliases}
    assert json.loads(added.after or "") == {"aliases": [*aliases, "giấy chào đời"]}
    assert removed.actor == "editor-b"
    assert json.loads(removed.after or "") == {"aliases": aliases}
    db.expire_all()
    assert [a.alias for a in db.get_one(Procedure, BIRTH).aliases] == aliases


@pytest.mark.parametrize(
    ("code", "text", "why"),
    [
        (BIRTH, "   ", "Tên gọi không được để trống."),
        (BIRTH, "ĐĂNG KÝ KHAI SINH", "đã là tên gọi của thủ tục 1.001193"),  # one exists
        (BIRTH, "dang ky  khai sinh", "đã là tên gọi của thủ tục 1.001193"),  # folded alike
        (BIRTH, "x" * 201, "dài quá 200 ký tự"),
        ("9.999999", "giấy chào đời", "Không có thủ tục mã 9.999999."),
    ],
)
def test_a_refused_alias_writes_nothing(
    db: Session, catalogue: CatalogueService, code: str, text: str, why: str
) -> None:
    version = catalogue_version(db)
    audited = len(audit_entries(db, "catalogue.alias.add"))
    rows = db.scalar(select(ProcedureAlias.id).order_by(ProcedureAlias.id.desc()).limit(1))

    with pytest.raises(EditRefused, match=why):
        add_alias(db, catalogue, code, text, "editor-a", NOW, seed_dir=None)

    db.rollback()
    assert catalogue_version(db) == version
    assert len(audit_entries(db, "catalogue.alias.add")) == audited
    assert db.scalar(select(ProcedureAlias.id).order_by(ProcedureAlias.id.desc()).limit(1)) == rows


def test_an_alias_of_a_withdrawn_procedure_is_refused(
    db: Session, catalogue: CatalogueService
) -> None:
    procedure = db.get_one(Procedure, BIRTH)
    procedure.retired_at = NOW
    db.commit()
    try:
        with pytest.raises(EditRefused, match="đã bị đưa ra khỏi danh mục"):
            add_alias(db, catalogue, BIRTH, "giấy chào đời", "editor-a", NOW, seed_dir=None)
    finally:
        db.rollback()
        db.get_one(Procedure, BIRTH).retired_at = None
        db.commit()


def test_a_phrasing_another_procedure_already_has_is_added_with_a_warning(
    db: Session, catalogue: CatalogueService
) -> None:
    other = next(
        p for p in db.scalars(select(Procedure).where(Procedure.code != BIRTH)) if p.aliases
    )
    borrowed = other.aliases[0].alias

    change = add_alias(db, catalogue, BIRTH, borrowed.upper(), "editor-a", NOW, seed_dir=None)

    assert change.elsewhere == [other.code]
    remove_alias(db, catalogue, BIRTH, borrowed, "editor-a", NOW, seed_dir=None)


def test_removing_a_phrasing_the_procedure_does_not_have_is_refused(
    db: Session, catalogue: CatalogueService
) -> None:
    with pytest.raises(EditRefused, match="không có tên gọi “giấy chào đời”"):
        remove_alias(db, catalogue, BIRTH, "giấy chào đời", "editor-a", NOW, seed_dir=None)
