"""Importing a national catalogue file uploaded in the console: the importer of
``manage import-catalogue`` (idempotent, curated entries kept), audited, published at once."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connectors.admin.catalogue.aliases import add_alias
from connectors.admin.catalogue.tryit import try_phrasing
from connectors.admin.catalogue.upload import import_upload, summary
from connectors.admin.catalogue.validation import EditRefused
from connectors.cache import Cache
from connectors.db import make_engine, make_session_factory
from connectors.procedures.models import Procedure
from connectors.procedures.service import CatalogueService, catalogue_version
from tests.connectors.admin.catalogue_support import (
    BIRTH,
    NOW,
    SAMPLE,
    audit_entries,
    fresh_cache,
)
from tests.connectors.conftest import prepared_database

MB = 1 << 20
NATIONAL = [json.loads(line)["ma_thu_tuc"] for line in SAMPLE.read_text("utf-8").splitlines()]
NATIONAL.remove(BIRTH)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def upload_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from prepared_database(request.param, tmp_path_factory)


@pytest.fixture
def db(upload_database: str) -> Iterator[Session]:
    engine = make_engine(upload_database)
    with make_session_factory(engine)() as session:
        yield session
        session.rollback()
        session.execute(delete(Procedure).where(Procedure.code.in_(NATIONAL)))
        session.commit()
    engine.dispose()


@pytest.fixture
def cache() -> Iterator[Cache]:
    yield from fresh_cache()


@pytest.fixture
def catalogue(cache: Cache) -> CatalogueService:
    return CatalogueService(cache)


def national_rows(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Procedure).where(Procedure.code.in_(NATIONAL))
    ) or 0


def upload(db: Session, catalogue: CatalogueService, name: str, data: bytes) -> dict[str, object]:
    report = import_upload(db, catalogue, name, io.BytesIO(data), max_bytes=MB,
                           actor="editor-a", now=NOW)
    return summary(report)


def test_an_uploaded_file_is_imported_and_searched_at_once(
    db: Session, catalogue: CatalogueService
) -> None:
    assert try_phrasing(db, catalogue, "giải quyết hưởng trợ cấp thử nghiệm").rank_of(
        "9.900005") is None
    curated = db.get_one(Procedure, BIRTH).name

    shown = upload(db, catalogue, "catalogue-2027.jsonl", SAMPLE.read_bytes())

    assert (shown["lines"], shown["created"], shown["updated"], shown["kept_curated"],
            shown["failed"]) == (6, 5, 0, 1, 0)
    assert national_rows(db) == 5
    db.expire_all()
    assert db.get_one(Procedure, BIRTH).name == curated  # curated entries win
    assert try_phrasing(db, catalogue, "giải quyết hưởng trợ cấp thử nghiệm").rank_of(
        "9.900005") == 1
    entry = audit_entries(db, "catalogue.import")[-1]
    assert (entry.actor, entry.target) == ("editor-a", "catalogue-2027.jsonl")
    assert json.loads(entry.after or "")["created"] == 5


def test_importing_the_same_gzipped_file_again_updates_in_place(
    db: Session, catalogue: CatalogueService
) -> None:
    upload(db, catalogue, "a.jsonl", SAMPLE.read_bytes())

    shown = upload(db, catalogue, "a.JSONL.GZ", gzip.compress(SAMPLE.read_bytes()))

    assert (shown["created"], shown["updated"], shown["kept_curated"]) == (0, 5, 1)
    assert national_rows(db) == 5


def test_a_bad_line_is_reported_and_the_others_imported(
    db: Session, catalogue: CatalogueService
) -> None:
    shown = upload(db, catalogue, "a.jsonl", SAMPLE.read_bytes() + b"{not json\n")

    assert (shown["created"], shown["failed"]) == (5, 1)
    assert shown["failures"] == ["line 7 (no code): invalid JSON: Expecting property name "
                                 "enclosed in double quotes (column 2)"]


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("catalogue.csv", b"a,b\n", "Chỉ nhận tệp danh mục dạng .jsonl hoặc .jsonl.gz."),
        ("catalogue.jsonl", b"", "Tệp rỗng"),
        ("catalogue.jsonl", b"x" * (MB + 1), "Tệp lớn quá 1 MB."),
        ("catalogue.jsonl.gz", gzip.compress(SAMPLE.read_bytes())[:-30], "bị hỏng"),
    ],
)
def test_a_refused_file_writes_nothing(
    db: Session, catalogue: CatalogueService, name: str, data: bytes, why: str
) -> None:
    version = catalogue_version(db)

    with pytest.raises(EditRefused, match=why):
        upload(db, catalogue, name, data)

    db.rollback()
    assert national_rows(db) == 0
    assert catalogue_version(db) == version


def test_the_phrasings_staff_gave_a_national_procedure_survive_a_new_import(
    db: Session, catalogue: CatalogueService
) -> None:
    upload(db, catalogue, "a.jsonl", SAMPLE.read_bytes())
    add_alias(db, catalogue, "9.900002", "nhập hộ khẩu thử nghiệm", "editor-a", NOW, seed_dir=None)

    upload(db, catalogue, "b.jsonl", SAMPLE.read_bytes())

    db.expire_all()
    assert [a.alias for a in db.get_one(Procedure, "9.900002").aliases] == [
        "nhập hộ khẩu thử nghiệm"
    ]
