"""Syncing the database with a newer national catalogue: what is new, changed and withdrawn.

The database's national records are compared, code by code, with the file's
(``connectors.catalogue.plan``, pure); then the plan is written in one transaction
(``apply_plan``), or not at all:

- new records are added, changed ones written (the report keeps each change's before and after),
  and records no longer in the file are retired (``Procedure.retired_at``): kept, since dossiers
  name them, but never searched, resolved or served as current again. A retired record that comes
  back is put back in force.
- curated entries are never written. When the national record one of them replaces (same code),
  or a twin answering as it, changed or was withdrawn, a ``CatalogueReview`` flag tells staff,
  with the national before and after. The national record of each curated code is remembered
  (``CuratedNational``) for the next comparison; the first sync only records it.
- a file that would withdraw more than a share of the national records (a cut download, the
  wrong file) is refused unless mass withdrawal is allowed.

Aliases and twins are applied again to what was written, the catalogue version is bumped when
the catalogue changed (caches and every process's search index follow it), and the run is
recorded with its report (``CatalogueSyncRun``); a dry run only reports.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from connectors.catalogue import source as sources
from connectors.catalogue.aliases import AliasEntry, apply_aliases, link_twins
from connectors.catalogue.importer import ImportReport, parse_line
from connectors.catalogue.models import CatalogueReview, CatalogueSyncRun, CuratedNational
from connectors.catalogue.plan import (
    DEFAULT_MAX_WITHDRAWN_SHARE,
    Baseline,
    Current,
    Plan,
    plan_sync,
    refusal,
)
from connectors.catalogue.report import Entry, Failure, SyncReport
from connectors.catalogue.store import ProcedureRecord, record_of, upsert_procedure
from connectors.procedures.models import CatalogueState, Procedure
from connectors.procedures.service import bump_catalogue_version, catalogue_version

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # the download; the shipped catalogue is 2.7 MB gzipped
MAX_TEXT_BYTES = 1024 * 1024 * 1024  # the file's text once gunzipped (the shipped one: 42 MB)
_BATCH = 200

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    allow_mass_withdrawal: bool = False
    max_withdrawn_share: float = DEFAULT_MAX_WITHDRAWN_SHARE
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES


# --- what the database holds ----------------------------------------------------------------


def load_current(session: Session) -> Current:
    national: dict[str, ProcedureRecord] = {}
    retired: dict[str, ProcedureRecord] = {}
    curated: set[str] = set()
    same_as: dict[str, str] = {}
    # in batches: the whole catalogue as ORM objects at once held 60 MB more
    rows = select(Procedure).order_by(Procedure.code).execution_options(yield_per=200)
    for p in session.scalars(rows):
        if p.source == "curated":
            curated.add(p.code)
            continue
        (national if p.retired_at is None else retired)[p.code] = record_of(p)
        if p.same_as is not None and p.retired_at is None:
            same_as[p.code] = p.same_as
    baselines = {
        row.code: Baseline(ProcedureRecord.model_validate(row.record), row.withdrawn_at is not None)
        for row in session.scalars(select(CuratedNational))
    }
    return Current(national, retired, curated, baselines, same_as)


# --- reading the file -------------------------------------------------------------------------


@dataclass
class Incoming:
    records: dict[str, ProcedureRecord]
    lines: dict[str, int]  # code -> line, for reporting a record the database refuses
    unreadable: set[str]  # codes of lines that failed
    read: ImportReport


def read_catalogue(path: Path, *, progress: bool = False) -> Incoming:
    """Every record of the file (the last line of a code wins, as in the importer). Raises
    ``SourceError`` when the file is not whole."""
    read = ImportReport(path=path.name)
    records: dict[str, ProcedureRecord] = {}
    lines: dict[str, int] = {}
    with sources.lines(path, max_bytes=MAX_TEXT_BYTES) as handle:
        bar = tqdm(desc="catalogue", unit=" thủ tục", file=sys.stderr, disable=not progress)
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                read.lines += 1
                bar.update(1)
                parsed = parse_line(number, line, read)
                if parsed is None:
                    continue
                records[parsed.record.code] = parsed.record
                lines[parsed.record.code] = number
                if parsed.warnings:
                    read.partial += 1
        finally:
            bar.close()
    unreadable = {f.code for f in read.failed if f.code} - records.keys()
    return Incoming(records, lines, unreadable, read)


# --- the sync -------------------------------------------------------------------------------


def run_sync(
    session: Session,
    source: str,
    options: SyncOptions,
    aliases: list[AliasEntry],
    *,
    clock: Clock = utc_now,
    skip_if_run_since: datetime | None = None,
) -> SyncReport | None:
    """Syncs with ``source`` (a file or an http(s) URL). A source that cannot be read, or a
    database error, leaves the catalogue as it was and is recorded as a failed run. None when
    another process is syncing, or (``skip_if_run_since``) already synced this source since."""
    report = SyncReport(source=sources.label(source), started_at=clock())
    try:
        with sources.local_copy(
            source, timeout=options.timeout_seconds, max_bytes=options.max_bytes
        ) as path:
            incoming = read_catalogue(path)
    except sources.SourceError as exc:
        return _failed(session, report, options, str(exc), clock)
    return sync_records(session, incoming, report, options, aliases, clock=clock,
                        skip_if_run_since=skip_if_run_since)


def sync_records(
    session: Session,
    incoming: Incoming,
    report: SyncReport,
    options: SyncOptions,
    aliases: list[AliasEntry],
    *,
    clock: Clock = utc_now,
    all_aliases: bool = False,
    skip_if_run_since: datetime | None = None,
) -> SyncReport | None:
    """The sync of records already read (``run_sync`` reads them; ``init`` reads the shipped
    file). ``all_aliases`` applies every alias entry again, not only those of written records
    (the aliases file itself may have changed)."""
    report.records = incoming.read.lines - len(incoming.read.failed)
    report.partial = incoming.read.partial
    report.failed = [Failure(line=f.line, code=f.code, reason=f.reason)
                     for f in incoming.read.failed]
    try:
        if not _lock(session):
            logger.info("catalogue sync skipped: another process is syncing")
            session.rollback()
            return None
        if skip_if_run_since is not None and _ran_since(session, report.source,
                                                        skip_if_run_since):
            session.rollback()
            return None
        current = load_current(session)
        plan = plan_sync(current, incoming.records, incoming.unreadable)
        _fill(report, plan)
        refused = None if options.allow_mass_withdrawal else refusal(
            plan, current, options.max_withdrawn_share
        )
        if refused is not None:
            session.rollback()
            report.status, report.error = "refused", refused
            return _record(session, report, options, clock)
        if options.dry_run:
            report.status, report.version = "dry_run", catalogue_version(session)
            report.finished_at = clock()
            session.rollback()
            return report
        apply_plan(session, plan, report, incoming.lines, aliases, clock(),
                   all_aliases=all_aliases)
        report.version = catalogue_version(session)
        return _record(session, report, options, clock, commit=True)
    except SQLAlchemyError as exc:
        session.rollback()
        logger.exception("catalogue sync failed")
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return _failed(session, report, options, f"database: {reason}", clock)


def _lock(session: Session) -> bool:
    """One sync at a time across processes: the catalogue_state row, locked until commit
    (PostgreSQL; SQLite lets one writer in at a time anyway). False when another holds it."""
    locked = session.scalar(
        select(CatalogueState.id).where(CatalogueState.id == 1).with_for_update(skip_locked=True)
    )
    if locked is not None:
        return True
    if session.scalar(select(CatalogueState.id).where(CatalogueState.id == 1)) is not None:
        return False
    session.add(CatalogueState(id=1, version=0))
    session.flush()
    return True


def _ran_since(session: Session, source: str, since: datetime) -> bool:
    """Another process applied a sync of this source since then (failures do not count)."""
    return session.scalar(
        select(CatalogueSyncRun.id).where(
            CatalogueSyncRun.source == source, CatalogueSyncRun.status == "applied",
            CatalogueSyncRun.started_at >= since,
        ).limit(1)
    ) is not None


def _fill(report: SyncReport, plan: Plan) -> None:
    report.new = [Entry(code=r.code, name=r.name) for r in plan.new]
    report.changed = [Entry(code=r.code, name=r.name, changes=c) for r, c in plan.changed]
    report.restored = [Entry(code=r.code, name=r.name, changes=c) for r, c in plan.restored]
    report.withdrawn = [Entry(code=r.code, name=r.name) for r in plan.withdrawn]
    report.unchanged = plan.unchanged
    report.review = plan.review
    report.baselines = plan.first_seen


def apply_plan(
    session: Session,
    plan: Plan,
    report: SyncReport,
    lines: Mapping[str, int],
    aliases: list[AliasEntry],
    now: datetime,
    *,
    all_aliases: bool = False,
) -> None:
    """Writes the plan (not committed): new, changed and restored records are upserted (which
    puts a retired one back in force), withdrawn ones retired. A record the database refuses is
    reported and left as it was; the rest is written."""
    refused = _write(session, plan.written, report, lines)
    if refused:
        for entries in (report.new, report.changed, report.restored):
            entries[:] = [e for e in entries if e.code not in refused]
        report.review = [f for f in report.review if f.national_code not in refused]
    for record in plan.withdrawn:
        procedure = session.get(Procedure, record.code)
        if procedure is not None:
            procedure.retired_at = now
    written = {r.code for r in plan.written} - refused
    apply_aliases(session, aliases if all_aliases else [
        e for e in aliases if e.code in written or written.intersection(e.same_as)
    ])
    link_twins(session)
    for code, record in plan.baselines.items():
        session.merge(CuratedNational(code=code, record=record.model_dump(mode="json"),
                                      seen_at=now, withdrawn_at=None))
    for code in plan.baselines_withdrawn:
        baseline = session.get(CuratedNational, code)
        if baseline is not None:
            baseline.withdrawn_at = now
    if report.changes_catalogue:
        bump_catalogue_version(session)
    session.flush()


def _write(
    session: Session, records: list[ProcedureRecord], report: SyncReport, lines: Mapping[str, int]
) -> set[str]:
    """Upserts in savepoints of a batch; a refused batch again one record at a time, so only the
    record at fault is left out. Returns the codes refused."""
    refused: set[str] = set()
    for start in range(0, len(records), _BATCH):
        batch = records[start: start + _BATCH]
        try:
            with session.begin_nested(), session.no_autoflush:
                for record in batch:
                    upsert_procedure(session, record)
                session.flush()
        except SQLAlchemyError:
            for record in batch:
                try:
                    with session.begin_nested():
                        upsert_procedure(session, record)
                        session.flush()
                except SQLAlchemyError as exc:
                    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                    report.failed.append(Failure(line=lines.get(record.code, 0),
                                                 code=record.code, reason=f"database: {reason}"))
                    refused.add(record.code)
    return refused


def _failed(
    session: Session, report: SyncReport, options: SyncOptions, error: str, clock: Clock
) -> SyncReport:
    report.status, report.error = "failed", error
    # nothing was written: the report says why, not what would have changed
    report.new, report.changed, report.restored, report.withdrawn = [], [], [], []
    report.review = []
    try:
        return _record(session, report, options, clock)
    except SQLAlchemyError:  # the database itself is down: the log has it
        session.rollback()
        logger.exception("catalogue sync run not recorded")
        return report


def _record(
    session: Session, report: SyncReport, options: SyncOptions, clock: Clock,
    *, commit: bool = True,
) -> SyncReport:
    """The run and its report, with the review flags it raised; committed with what it wrote.
    A dry run is only reported."""
    report.finished_at = clock()
    if options.dry_run:
        session.rollback()
        return report
    body = json.loads(report.model_dump_json())
    run = CatalogueSyncRun(
        started_at=report.started_at, finished_at=report.finished_at, source=report.source,
        status=report.status, counts=report.counts(), report=body, error=report.error,
    )
    session.add(run)
    session.flush()
    if report.status == "applied":
        for flag in report.review:
            session.add(CatalogueReview(
                procedure_code=flag.code, national_code=flag.national_code, reason=flag.reason,
                changes=[c.model_dump() for c in flag.changes], detected_at=report.finished_at,
                sync_run_id=run.id,
            ))
    if commit:
        session.commit()
    return report
