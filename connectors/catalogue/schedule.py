"""The catalogue sync on a schedule, while the connectors run (CATALOGUE_SYNC_URL every
CATALOGUE_SYNC_INTERVAL_HOURS; off by default).

Several connectors instances may run it: each waits until the source's last recorded run is an
interval old, and the sync itself takes a row lock (another instance syncing is skipped) and
checks again under it, so one instance syncs per interval. The report goes to the log and stays
in ``catalogue_sync_run`` for the staff console.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors.catalogue import source as sources
from connectors.catalogue.aliases import read_aliases
from connectors.catalogue.models import CatalogueSyncRun
from connectors.catalogue.summary import log_report
from connectors.catalogue.sync import Clock, SyncOptions, run_sync, utc_now
from connectors.settings import Settings

logger = logging.getLogger(__name__)

# a failed or refused sync is tried again after this much (or the interval, if shorter)
RETRY_AFTER = timedelta(hours=1)


def options_from(settings: Settings, *, dry_run: bool = False,
                 allow_mass_withdrawal: bool = False) -> SyncOptions:
    return SyncOptions(
        dry_run=dry_run,
        allow_mass_withdrawal=allow_mass_withdrawal,
        max_withdrawn_share=settings.catalogue_sync_max_withdrawn_share,
        timeout_seconds=settings.catalogue_sync_timeout_seconds,
        max_bytes=settings.catalogue_sync_max_mb * 1024 * 1024,
    )


def _interval(settings: Settings) -> timedelta:
    return timedelta(hours=settings.catalogue_sync_interval_hours)


def seconds_until_due(session: Session, settings: Settings, now: datetime) -> float:
    """0 when the source was never synced; else until its last applied run is an interval old,
    and its last run of any outcome (a failure is retried sooner) ``RETRY_AFTER`` old."""
    label = sources.label(settings.catalogue_sync_url)
    interval = _interval(settings)

    def last(*statuses: str) -> datetime | None:
        query = select(func.max(CatalogueSyncRun.started_at)).where(
            CatalogueSyncRun.source == label
        )
        if statuses:
            query = query.where(CatalogueSyncRun.status.in_(statuses))
        found = session.scalar(query)
        if found is not None and found.tzinfo is None:  # SQLite hands back naive UTC
            found = found.replace(tzinfo=timezone.utc)
        return found

    due = [
        when + wait
        for when, wait in ((last("applied"), interval), (last(), min(RETRY_AFTER, interval)))
        if when is not None
    ]
    return max([(d - now).total_seconds() for d in due] + [0.0])


def sync_once(
    session_factory: sessionmaker[Session], settings: Settings, clock: Clock = utc_now
) -> float:
    """Syncs if due; returns the seconds until the next look."""
    interval = _interval(settings)
    try:
        with session_factory() as session:
            wait = seconds_until_due(session, settings, clock())
        if wait > 0:
            return wait
        with session_factory() as session:
            report = run_sync(
                session, settings.catalogue_sync_url, options_from(settings),
                read_aliases(), clock=clock, skip_if_run_since=clock() - interval,
            )
    except SQLAlchemyError as exc:  # the next round tries again; requests are unaffected
        logger.warning("scheduled catalogue sync failed: %s", exc)
        return min(RETRY_AFTER, interval).total_seconds()
    if report is None:  # another instance synced, or is syncing
        return min(RETRY_AFTER, interval).total_seconds()
    log_report(report, logger)
    if report.status != "applied":
        return min(RETRY_AFTER, interval).total_seconds()
    return interval.total_seconds()


async def sync_periodically(
    session_factory: sessionmaker[Session], settings: Settings, clock: Clock = utc_now
) -> None:
    """Runs until cancelled; returns at once when no schedule is configured."""
    if not settings.catalogue_sync_url or settings.catalogue_sync_interval_hours <= 0:
        return
    logger.info("catalogue sync from %s every %g h", sources.label(settings.catalogue_sync_url),
                settings.catalogue_sync_interval_hours)
    while True:
        wait = await asyncio.to_thread(sync_once, session_factory, settings, clock)
        await asyncio.sleep(wait)
