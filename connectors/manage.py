"""Operator commands for the connectors database.

python -m connectors.manage migrate        # alembic upgrade head
python -m connectors.manage seed           # curated procedures (idempotent)
python -m connectors.manage demo-data      # demo dossiers for the status lookup, dated for today
python -m connectors.manage import-catalogue PATH
                                           # national catalogue .jsonl[.gz] (idempotent;
                                           # never overwrites curated procedures)
python -m connectors.manage sync-catalogue [FILE|URL] [--dry-run] [--report OUT.json]
                                           [--allow-mass-withdrawal]
                                           # a newer national catalogue (default:
                                           # $CATALOGUE_SYNC_URL): logs what is new, changed and
                                           # withdrawn; retires withdrawn procedures; flags
                                           # curated ones whose national record changed
python -m connectors.manage init           # migrate + seed + the national catalogue when it
                                           # changed + demo dossiers (unless DEMO_DATA is off):
                                           # what `make run` does before starting
python -m connectors.manage check-upstream [FILE] [--code CODE]
                                           # a province's dossier file tried: loads, secrets
                                           # set, one test dossier read through it
python -m connectors.manage feedback-outbox [--retry-refused] [--sync]
                                           # complaints not yet in the province's feedback
                                           # system sent now; what is left (and refused) listed
python -m connectors.manage staff-add USERNAME --role admin [--name "Nguyễn Văn A"]
                                           # a staff account (the first admin; roles: agent,
                                           # supervisor, editor, admin); the password
                                           # comes from $STAFF_PASSWORD or stdin, never argv
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config

from connectors.db import make_engine, make_session_factory
from connectors.feedback import cli as feedback_cli
from connectors.settings import get_settings
from connectors.staff.models import ROLES

if TYPE_CHECKING:
    from connectors.catalogue.importer import ImportReport
    from connectors.catalogue.report import SyncReport
    from connectors.settings import Settings

logger = logging.getLogger("connectors.manage")

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def migrate(database_url: str) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def seed(database_url: str) -> tuple[int, int]:
    from connectors.seed.loader import load_curated

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return load_curated(session)
    finally:
        engine.dispose()


def demo_data(database_url: str, now: datetime | None = None) -> tuple[int, int]:
    """(Re)loads the demo dossiers, dated relative to ``now``'s day; returns (created, updated)."""
    from connectors.applications.demo import load_demo

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return load_demo(session, now or datetime.now(timezone.utc))
    finally:
        engine.dispose()


def national(database_url: str, catalogue: Path) -> SyncReport | None:
    """Syncs with the shipped national catalogue and its aliases, when they changed since the
    last time (withdrawn records retired, curated entries flagged)."""
    from connectors.catalogue.shipped import ensure_national

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return ensure_national(session, catalogue, progress=sys.stderr.isatty())
    finally:
        engine.dispose()


def synced_from(database_url: str, source: str) -> bool:
    """Has a sync from ``source`` been applied? Then it, not the shipped file, is the catalogue."""
    from sqlalchemy import select

    from connectors.catalogue.models import CatalogueSyncRun
    from connectors.catalogue.source import label

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(
                select(CatalogueSyncRun.id).where(
                    CatalogueSyncRun.source == label(source), CatalogueSyncRun.status == "applied"
                ).limit(1)
            ) is not None
    finally:
        engine.dispose()


def sync_catalogue(
    settings: Settings, source: str, *, dry_run: bool = False, allow_mass_withdrawal: bool = False
) -> SyncReport:
    """Syncs with ``source`` (file or http(s) URL); the report says what changed or why not."""
    from connectors.catalogue.aliases import read_aliases
    from connectors.catalogue.schedule import options_from
    from connectors.catalogue.sync import run_sync

    options = options_from(settings, dry_run=dry_run, allow_mass_withdrawal=allow_mass_withdrawal)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            report = run_sync(session, source, options, read_aliases())
    finally:
        engine.dispose()
    if report is None:  # only with skip_if_run_since, or while another process syncs
        raise RuntimeError("another process is syncing the catalogue: try again shortly")
    return report


def import_catalogue(database_url: str, path: Path, *, progress: bool = True) -> ImportReport:
    from connectors.catalogue.importer import import_file

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return import_file(session, path, progress=progress)
    finally:
        engine.dispose()


def staff_add(
    database_url: str, username: str, role: str, display_name: str, password: str
) -> str | None:
    """Creates a staff account; None when done, else why not (in Vietnamese, for the operator)."""
    from pydantic import ValidationError

    from connectors.staff.schemas import StaffCreate
    from connectors.staff.service import AccountExists, create_account

    try:
        data = StaffCreate(
            username=username, display_name=display_name, role=role, password=password
        )
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors())
        return f"thông tin tài khoản không hợp lệ ({fields}); mật khẩu cần ít nhất 12 ký tự"
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            create_account(session, data, datetime.now(timezone.utc))
    except AccountExists:
        return f"tên đăng nhập {data.username} đã có"
    finally:
        engine.dispose()
    return None


def _read_password() -> str:
    """$STAFF_PASSWORD, else stdin (a prompt without echo on a terminal): argv is visible in ps."""
    from_env = os.environ.get("STAFF_PASSWORD")
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return getpass.getpass("Mật khẩu: ")
    return sys.stdin.readline().rstrip("\r\n")


def _log_import_report(report: ImportReport, *, show_failures: int = 10) -> None:
    logger.info(
        "national catalogue %s: %d lines, %d new, %d updated, %d curated kept, %d failed in %.1fs",
        report.path,
        report.lines,
        report.created,
        report.updated,
        report.kept_curated,
        len(report.failed),
        report.seconds,
    )
    if report.partial:
        logger.info("imported with parse warnings: %d procedures", report.partial)
        for kind, count in report.warnings.most_common():
            logger.info("  %5d  %s", count, kind)
    for failure in report.failed[:show_failures]:
        logger.warning("failed: %s", failure)
    if len(report.failed) > show_failures:
        logger.warning("... and %d more failures", len(report.failed) - show_failures)


def _sync_command(
    settings: Settings, source: str, dry_run: bool, report_path: Path | None,
    allow_mass_withdrawal: bool,
) -> int:
    """0 when the sync was applied (or reported, with --dry-run) and every line was read."""
    from connectors.catalogue.summary import log_report

    if not source:
        logger.error("sync-catalogue: give a FILE or URL, or set CATALOGUE_SYNC_URL")
        return 1
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines hold the URL's query (a token)
    try:
        report = sync_catalogue(settings, source, dry_run=dry_run,
                                allow_mass_withdrawal=allow_mass_withdrawal)
    except RuntimeError as exc:
        logger.error("catalogue not synced: %s", exc)
        return 1
    log_report(report, logger)
    if report_path is not None:
        report_path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        logger.info("report written to %s", report_path)
    return 0 if report.status in ("applied", "dry_run") and not report.failed else 1


def _check_upstream(database_url: str, file: Path | None, code: str | None) -> int:
    """0 when the file loads, its secrets are set and (with a code) the dossier reads whole."""
    from connectors.applications.sources.check import check_upstream

    if file is None:
        logger.error("check-upstream: give the file, or set DOSSIER_UPSTREAM_FILE")
        return 1
    engine = make_engine(database_url)  # our catalogue names the dossier's procedure
    try:
        with make_session_factory(engine)() as session:
            check = check_upstream(file, session, code)
    finally:
        engine.dispose()
    for line in check.lines:
        print(line)
    return 0 if check.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.manage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name in ("migrate", "seed", "demo-data", "init"):
        commands.add_parser(name)
    importing = commands.add_parser("import-catalogue")
    importing.add_argument("path", type=Path, help=".jsonl or .jsonl.gz")
    syncing = commands.add_parser(
        "sync-catalogue", help="sync with a newer national catalogue (connectors/catalogue)"
    )
    syncing.add_argument("source", nargs="?", help="file or http(s) URL, .jsonl or .jsonl.gz "
                         "(default: $CATALOGUE_SYNC_URL)")
    syncing.add_argument("--dry-run", action="store_true", help="report, write nothing")
    syncing.add_argument("--report", type=Path, metavar="OUT.json",
                         help="also write the whole report as JSON")
    syncing.add_argument("--allow-mass-withdrawal", action="store_true",
                         help="apply even if it withdraws more than "
                         "CATALOGUE_SYNC_MAX_WITHDRAWN_SHARE of the national records")
    feedback_cli.add_parser(commands)
    checking = commands.add_parser(
        "check-upstream", help="try a province's dossier file (connectors/upstream/README.md)"
    )
    checking.add_argument("file", type=Path, nargs="?",
                          help="the province's file (default: $DOSSIER_UPSTREAM_FILE)")
    checking.add_argument("--code", help="a test dossier's code to look up through it")
    staff = commands.add_parser("staff-add", help="password from $STAFF_PASSWORD or stdin")
    staff.add_argument("username")
    staff.add_argument("--role", choices=ROLES, required=True)
    staff.add_argument("--name", help="display name (default: the username)")
    args = parser.parse_args(argv)
    if args.command == "import-catalogue" and not args.path.is_file():
        parser.error(f"no such file: {args.path}")
    logging.basicConfig(level=logging.INFO, format="[connectors] %(message)s")
    settings = get_settings()
    url = settings.database_url
    if args.command == feedback_cli.COMMAND:
        return feedback_cli.run(args, settings)
    if args.command == "check-upstream":
        return _check_upstream(url, args.file or settings.dossier_upstream_file, args.code)
    if args.command == "staff-add":
        problem = staff_add(url, args.username, args.role, args.name or args.username,
                            _read_password())
        if problem is not None:
            logger.error("staff account not created: %s", problem)
            return 1
        logger.info("staff account %s created (%s)", args.username.strip().lower(), args.role)
        return 0
    if args.command == "sync-catalogue":
        return _sync_command(settings, args.source or settings.catalogue_sync_url, args.dry_run,
                             args.report, args.allow_mass_withdrawal)
    if args.command in ("migrate", "init"):
        migrate(url)
    if args.command == "import-catalogue":
        report = import_catalogue(url, args.path)
        _log_import_report(report)
        return 1 if report.failed else 0
    if args.command in ("seed", "init"):
        created, updated = seed(url)
        logger.info("curated procedures: %d new, %d updated", created, updated)
    if args.command == "init":
        if settings.catalogue_sync_url and synced_from(url, settings.catalogue_sync_url):
            # a newer catalogue than the shipped one is synced here: going back would undo it
            logger.info("national catalogue: synced from CATALOGUE_SYNC_URL, shipped file skipped")
        else:
            shipped = national(url, settings.national_catalogue_file)
            if shipped is None:
                logger.info("national catalogue: unchanged since the last import")
            else:
                from connectors.catalogue.summary import log_report

                log_report(shipped, logger, details=False)
    if args.command == "init" and settings.dossier_source == "upstream":
        logger.info("DOSSIER_SOURCE=upstream: dossiers come from the province, no demo loaded")
    # init refreshes the demo on every start, so its dates stay relative to today
    if args.command == "demo-data" or (args.command == "init" and settings.loads_demo_data):
        try:
            loaded = demo_data(url)
        except RuntimeError as exc:  # a real dossier has a demo code
            logger.error("demo dossiers not loaded: %s", exc)
            return 1
        logger.info("demo dossiers (invented, dated for today): %d new, %d updated", *loaded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
