"""Importing a national catalogue file uploaded in the console.

The same importer as ``manage import-catalogue`` (``connectors.catalogue.importer.import_file``):
idempotent, curated entries kept as they are, a bad line reported and skipped. The upload is
copied to a temporary file first (the importer reads a path, gzipped or not), never kept.
"""

from __future__ import annotations

import gzip
import tempfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.admin.audit import record
from connectors.admin.catalogue.freshness import publish
from connectors.admin.catalogue.validation import EditRefused
from connectors.catalogue.importer import ImportReport, import_file
from connectors.procedures.models import Procedure, ProcedureAlias
from connectors.procedures.service import CatalogueService
from connectors.staff.models import StaffAccount

SUFFIXES = (".jsonl.gz", ".jsonl")
_CHUNK = 1 << 20
SHOWN_FAILURES = 20


def _suffix(filename: str) -> str:
    name = filename.strip().lower()
    suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        raise EditRefused("Chỉ nhận tệp danh mục dạng .jsonl hoặc .jsonl.gz.")
    return suffix


def _copy(data: BinaryIO, target: BinaryIO, max_bytes: int) -> int:
    size = 0
    while chunk := data.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise EditRefused(f"Tệp lớn quá {max_bytes // (1 << 20)} MB.")
        target.write(chunk)
    return size


def _check_gzip(path: Path) -> None:
    """A cut or corrupt archive is refused before anything is written."""
    try:
        with gzip.open(path, "rb") as compressed:
            while compressed.read(_CHUNK):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise EditRefused("Tệp .jsonl.gz bị hỏng hoặc không trọn vẹn, chưa nhập gì.") from exc


def _aliases(session: Session) -> dict[str, list[str]]:
    """The citizen phrasings of the national procedures: the project's, not the catalogue's.
    The importer writes each record whole (its aliases included, none in the national format),
    so they are put back after it."""
    kept: dict[str, list[str]] = {}
    rows = session.execute(
        select(ProcedureAlias.procedure_code, ProcedureAlias.alias)
        .join(Procedure, Procedure.code == ProcedureAlias.procedure_code)
        .where(Procedure.source != "curated")
        .order_by(ProcedureAlias.id)
    )
    for code, alias in rows:
        kept.setdefault(code, []).append(alias)
    session.rollback()
    return kept


def _restore_aliases(session: Session, kept: dict[str, list[str]]) -> None:
    for code, aliases in kept.items():
        procedure = session.get(Procedure, code)
        if procedure is not None and [a.alias for a in procedure.aliases] != aliases:
            procedure.aliases = [ProcedureAlias(alias=alias) for alias in aliases]


def summary(report: ImportReport) -> dict[str, object]:
    """What the page shows and the audit keeps."""
    return {
        "lines": report.lines,
        "created": report.created,
        "updated": report.updated,
        "kept_curated": report.kept_curated,
        "failed": len(report.failed),
        "partial": report.partial,
        "seconds": round(report.seconds, 1),
        "failures": [str(f) for f in report.failed[:SHOWN_FAILURES]],
    }


def import_upload(
    session: Session, catalogue: CatalogueService | None, filename: str, data: BinaryIO,
    *, max_bytes: int, actor: StaffAccount | str, now: datetime,
) -> ImportReport:
    """Imports an uploaded .jsonl/.jsonl.gz file; refuses another kind, an empty, a too large
    or a corrupt one (``EditRefused``) with nothing written."""
    suffix = _suffix(filename)
    with tempfile.TemporaryDirectory(prefix="catalogue-upload-") as folder:
        path = Path(folder) / f"catalogue{suffix}"
        with path.open("wb") as target:
            size = _copy(data, target, max_bytes)
        if size == 0:
            raise EditRefused("Tệp rỗng, chưa nhập gì.")
        if suffix == ".jsonl.gz":
            _check_gzip(path)
        kept = _aliases(session)
        report = import_file(session, path, progress=False)
    _restore_aliases(session, kept)
    report.path = Path(filename).name
    record(session, actor, "catalogue.import", report.path, before=None, after=summary(report),
           now=now, commit=False)
    publish(session, catalogue)
    return report

