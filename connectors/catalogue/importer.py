"""Importing the national procedure catalogue (one JSON object per line, optionally gzipped).

Each line is parsed by ``connectors.catalogue.national`` and written with ``upsert_procedure``, so
a re-import updates procedures in place and never duplicates them or their children. Curated
procedures (``source == "curated"``) are checked facts in plain Vietnamese and are never
overwritten. A line that cannot be imported is reported with its line number and skipped; it never
stops the import.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from connectors.catalogue.national import InvalidProcedure, ParsedProcedure, parse_procedure
from connectors.catalogue.store import ProcedureRecord, upsert_procedure
from connectors.procedures.models import Procedure
from connectors.procedures.service import bump_catalogue_version

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200


@dataclass(frozen=True)
class ImportFailure:
    line: int
    code: str | None
    reason: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.code or 'no code'}): {self.reason}"


@dataclass
class ImportReport:
    path: str
    lines: int = 0  # non-blank lines read
    created: int = 0
    updated: int = 0
    kept_curated: int = 0
    failed: list[ImportFailure] = field(default_factory=list)
    partial: int = 0  # imported, but some table could not be parsed cleanly
    warnings: Counter[str] = field(default_factory=Counter)  # "field: kind" -> occurrences
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.created + self.updated


@contextmanager
def _open_lines(path: Path) -> Iterator[Iterable[bytes]]:
    """The file's lines as bytes: each is decoded on its own, so one bad line fails alone."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as compressed:
            yield compressed
    else:
        with path.open("rb") as plain:
            yield plain


def _count_lines(path: Path) -> int:
    with _open_lines(path) as handle:
        return sum(1 for line in handle if line.strip())


def import_file(
    session: Session,
    path: str | Path,
    *,
    progress: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportReport:
    """Imports every procedure of ``path`` (.jsonl or .jsonl.gz) and returns what happened.

    Writes and commits ``batch_size`` procedures at a time; when the database refuses a batch,
    the batch is written again one procedure at a time (each in a savepoint) so that only the
    procedure at fault is reported. Bumps the catalogue version once, in the last transaction
    (also when an unexpected error stops the import after some batches were committed).
    """
    path = Path(path)
    report = ImportReport(path=str(path))
    started = time.perf_counter()
    total = _count_lines(path) if progress else None
    batch: list[tuple[int, ParsedProcedure]] = []
    committed = False
    bar = tqdm(
        total=total, desc="catalogue", unit=" thủ tục", file=sys.stderr, disable=not progress
    )
    try:
        with _open_lines(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                report.lines += 1
                bar.update(1)
                parsed = parse_line(number, line, report)
                if parsed is not None:
                    batch.append((number, parsed))
                if len(batch) >= batch_size:
                    _write_batch(session, batch, report)
                    committed = True
                    batch = []
        _write_batch(session, batch, report, commit=False)
        bump_catalogue_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        if committed:
            bump_catalogue_version(session)
            session.commit()
        raise
    finally:
        bar.close()
        report.seconds = time.perf_counter() - started
    logger.debug(
        "imported %s: %d new, %d updated, %d curated kept, %d failed, %d partial (%.1fs)",
        path.name, report.created, report.updated, report.kept_curated, len(report.failed),
        report.partial, report.seconds,
    )
    return report


def parse_line(number: int, line: bytes, report: ImportReport) -> ParsedProcedure | None:
    """One line of the file, or None (the failure added to ``report``)."""
    code: str | None = None
    try:
        obj = json.loads(line.decode("utf-8"))
        if isinstance(obj, dict) and isinstance(obj.get("ma_thu_tuc"), str):
            code = obj["ma_thu_tuc"].strip() or None
        return parse_procedure(obj)
    except UnicodeDecodeError as exc:
        _fail(report, number, None, f"not UTF-8 text (byte {exc.start + 1})")
    except json.JSONDecodeError as exc:
        _fail(report, number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except InvalidProcedure as exc:
        _fail(report, number, code, str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        _fail(report, number, code, f"invalid {where}: {first['msg']}")
    return None


def _write_batch(
    session: Session,
    batch: list[tuple[int, ParsedProcedure]],
    report: ImportReport,
    *,
    commit: bool = True,
) -> None:
    """Upserts a batch in one flush; on a database error, again one savepoint per procedure."""
    if not batch:
        return
    outcomes: list[tuple[ParsedProcedure, bool | None]] = []
    try:
        with session.no_autoflush:
            for _number, parsed in batch:
                outcomes.append((parsed, _upsert_unless_curated(session, parsed)))
        session.flush()
    except SQLAlchemyError:
        session.rollback()
        logger.info("a batch was refused; writing it one procedure at a time")
        outcomes = []
        for number, parsed in batch:
            try:
                with session.begin_nested():
                    created = _upsert_unless_curated(session, parsed)
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                _fail(report, number, parsed.record.code, f"database: {reason}")
            else:
                outcomes.append((parsed, created))
    for parsed, created in outcomes:
        _count(report, parsed, created)
    if commit:
        session.commit()


def _upsert_unless_curated(session: Session, parsed: ParsedProcedure) -> bool | None:
    """True if created, False if updated, None if a curated procedure was kept as it is."""
    existing = session.get(Procedure, parsed.record.code)
    if existing is not None and existing.source == "curated":
        return None
    return _upsert(session, parsed.record)


def _upsert(session: Session, record: ProcedureRecord) -> bool:
    return upsert_procedure(session, record)


def _count(report: ImportReport, parsed: ParsedProcedure, created: bool | None) -> None:
    if created is None:
        report.kept_curated += 1
        return
    if created:
        report.created += 1
    else:
        report.updated += 1
    if parsed.warnings:
        report.partial += 1
        report.warnings.update(f"{w.field}: {w.kind}" for w in parsed.warnings)
        logger.debug(
            "%s: partly parsed: %s", parsed.record.code, "; ".join(map(str, parsed.warnings))
        )


def _fail(report: ImportReport, number: int, code: str | None, reason: str) -> None:
    failure = ImportFailure(number, code, reason)
    report.failed.append(failure)
    logger.warning("not imported: %s", failure)
