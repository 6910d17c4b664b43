"""Importing the national catalogue into the database, on SQLite and on PostgreSQL.

The fixture holds six small records in the portal's format (written for these tests): five
national procedures and the national version of one the project curated (1.001193, khai sinh).
The database is shared by the session, so every test removes the procedures it imported.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors import manage
from connectors.catalogue import importer
from connectors.catalogue.importer import import_file
from connectors.catalogue.national import PROVINCIAL_FEE_NOTE
from connectors.procedures.models import (
    LegalDocument,
    Procedure,
    ProcedureAlias,
    ProcedureStep,
    RequiredDocument,
    SubmissionChannel,
)
from connectors.procedures.service import catalogue_version
from connectors.settings import Settings

SAMPLE = Path(__file__).parent / "fixtures" / "national_sample.jsonl"
CURATED_CODE = "1.001193"
NATIONAL_CODES = [
    code
    for code in (json.loads(line)["ma_thu_tuc"] for line in SAMPLE.read_text("utf-8").splitlines())
    if code != CURATED_CODE
]
CHILDREN = (ProcedureAlias, RequiredDocument, SubmissionChannel, ProcedureStep, LegalDocument)


@pytest.fixture
def db(session: Session) -> Iterator[Session]:
    """The shared database, without the sample's national procedures before and after."""
    _remove_national(session)
    yield session
    session.rollback()
    _remove_national(session)


def _remove_national(session: Session) -> None:
    for procedure in session.scalars(select(Procedure).where(Procedure.code.in_(NATIONAL_CODES))):
        session.delete(procedure)
    session.commit()


def _rows(session: Session) -> dict[str, int]:
    """Rows per table for the sample's national procedures."""
    counts = {
        "procedure": session.scalar(
            select(func.count()).select_from(Procedure).where(Procedure.code.in_(NATIONAL_CODES))
        )
        or 0
    }
    for model in CHILDREN:
        counts[model.__tablename__] = (
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.procedure_code.in_(NATIONAL_CODES))
            )
            or 0
        )
    return counts


def test_import_creates_the_national_procedures_and_keeps_the_curated_one(db: Session) -> None:
    version = catalogue_version(db)

    report = import_file(db, SAMPLE, progress=False)

    assert (report.lines, report.created, report.updated) == (6, 5, 0)
    assert report.kept_curated == 1
    assert report.failed == []
    assert report.partial == 2  # the messy record and the unclosed provincial fee note
    assert catalogue_version(db) == version + 1
    assert _rows(db)["procedure"] == 5


def test_reimport_updates_in_place_without_duplicating_children(db: Session) -> None:
    import_file(db, SAMPLE, progress=False)
    before = _rows(db)
    version = catalogue_version(db)

    report = import_file(db, SAMPLE, progress=False)

    assert (report.created, report.updated, report.kept_curated) == (0, 5, 1)
    assert _rows(db) == before
    assert before["required_document"] > 0 and before["submission_channel"] > 0
    assert catalogue_version(db) == version + 1


def test_curated_procedure_is_never_overwritten(db: Session) -> None:
    curated = db.get(Procedure, CURATED_CODE)
    assert curated is not None and curated.source == "curated"
    snapshot = (curated.name, curated.popularity, [d.name for d in curated.documents])

    import_file(db, SAMPLE, progress=False)
    db.expire_all()

    curated = db.get(Procedure, CURATED_CODE)
    assert curated is not None
    assert curated.source == "curated"
    assert (curated.name, curated.popularity, [d.name for d in curated.documents]) == snapshot


def test_imported_procedure_has_its_parsed_tables(db: Session) -> None:
    import_file(db, SAMPLE, progress=False)
    db.expire_all()

    card = db.get(Procedure, "9.900001")
    assert card is not None
    assert card.name == "Cấp đổi thẻ căn cước (thực hiện tại cấp tỉnh)"
    assert card.short_name == "Cấp đổi thẻ căn cước"
    assert (card.source, card.popularity, card.level) == ("national", 0, "Cấp tỉnh")
    assert [(c.kind, c.processing_time, c.time_unit, c.fee_amount) for c in card.channels] == [
        ("in_person", 7.0, "Ngày làm việc", 50000),
        ("online", 7.0, "Ngày làm việc", 25000),
    ]
    assert (card.documents[0].name, card.documents[0].form_name) == (
        "Tờ khai căn cước (mẫu CC01 ban hành kèm theo Thông tư số 17/2024/TT-BCA)",
        "CC01",
    )
    assert [d.number for d in card.legal_basis] == [
        "26/2023/QH15",
        "59/2019/TT-BTC",
        "70/2024/NĐ-CP",
    ]
    assert card.result == "Thẻ căn cước"

    residence = db.get(Procedure, "9.900002")
    assert residence is not None
    assert {d.group for d in residence.documents} == {"nộp", "xuất trình", "lưu ý"}

    household = db.get(Procedure, "9.900004")
    assert household is not None
    assert household.fee_note == PROVINCIAL_FEE_NOTE
    assert all(c.fee_amount is None for c in household.channels)

    nothing = db.get(Procedure, "9.900003")
    assert nothing is not None
    assert (nothing.conditions, nothing.result, nothing.documents, nothing.legal_basis) == (
        None,
        None,
        [],
        [],
    )

    # The crawler cut this one's steps short; the documents come back from the page text.
    messy = db.get(Procedure, "9.900005")
    assert messy is not None
    assert messy.documents[0].name == "1. Sổ bảo hiểm xã hội"
    assert messy.steps[-1].text.startswith("Bước 2.")


def test_a_broken_line_is_reported_and_the_rest_imported(db: Session, tmp_path: Path) -> None:
    lines = SAMPLE.read_text("utf-8").splitlines()
    path = tmp_path / "catalogue.jsonl"
    path.write_bytes(
        b"\n".join(
            [
                lines[0].encode(),
                '{"ma_thu_tuc": "9.900009", "ten_thu_tuc": "Cắt cụt'.encode(),  # truncated
                json.dumps({"ten_thu_tuc": "Không có mã"}, ensure_ascii=False).encode(),
                json.dumps({"ma_thu_tuc": "mã sai!", "ten_thu_tuc": "Mã không hợp lệ"}).encode(),
                b"",
                '{"ma_thu_tuc": "9.900008", "ten_thu_tuc": "UTF-16"}'.encode("utf-16"),
                lines[1].encode(),
            ]
        )
    )

    report = import_file(db, path, progress=False)

    assert report.created == 2
    assert [(f.line, f.code) for f in report.failed] == [
        (2, None),
        (3, None),
        (4, "mã sai!"),
        (6, None),
    ]
    assert report.failed[0].reason.startswith("invalid JSON")
    assert report.failed[1].reason == "no ma_thu_tuc"
    assert report.failed[2].reason.startswith("invalid code")
    assert report.failed[3].reason.startswith("not UTF-8")


def test_the_same_code_twice_in_one_file_is_one_procedure(db: Session, tmp_path: Path) -> None:
    first = SAMPLE.read_text("utf-8").splitlines()[0]
    path = tmp_path / "twice.jsonl"
    path.write_text(f"{first}\n{first}\n", encoding="utf-8")

    report = import_file(db, path, progress=False)

    assert (report.created, report.updated, report.failed) == (1, 1, [])
    assert _rows(db)["procedure"] == 1


def test_gzipped_file(db: Session, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.jsonl.gz"
    with SAMPLE.open("rb") as source, gzip.open(path, "wb") as target:
        shutil.copyfileobj(source, target)

    report = import_file(db, path, progress=False)

    assert (report.created, report.kept_curated, report.failed) == (5, 1, [])


def test_a_record_the_database_refuses_is_reported_alone(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def upsert_with_a_bad_row(session: Session, record: importer.ProcedureRecord) -> bool:
        created = importer.upsert_procedure(session, record)
        if record.code == "9.900002":  # a document without a name: NOT NULL refuses it
            session.add(RequiredDocument(procedure_code=record.code, position=99, name=None))
        return created

    monkeypatch.setattr(importer, "_upsert", upsert_with_a_bad_row)

    report = import_file(db, SAMPLE, progress=False)

    assert [(f.line, f.code) for f in report.failed] == [(2, "9.900002")]
    assert report.failed[0].reason.startswith("database: ")
    assert (report.created, report.kept_curated) == (4, 1)
    assert db.get(Procedure, "9.900002") is None


def test_manage_command_imports_and_logs_the_counts(
    db: Session,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(manage, "get_settings", lambda: Settings(database_url=database_url))
    caplog.set_level(logging.INFO, logger="connectors.manage")

    status = manage.main(["import-catalogue", str(SAMPLE)])

    assert status == 0
    assert "6 lines, 5 new, 0 updated, 1 curated kept, 0 failed" in caplog.text
    assert _rows(db)["procedure"] == 5


@pytest.mark.parametrize("argv", [["import-catalogue"], ["seed", "x.jsonl"]])
def test_manage_command_wants_a_path_with_import_catalogue_only(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        manage.main(argv)
