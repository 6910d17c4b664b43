"""What the province's feedback system did with a complaint, brought back to "tra cứu phản ánh".

Polling: every FEEDBACK_SYNC_INTERVAL_SECONDS each forwarded complaint not yet closed is read
upstream; a new status becomes ours with a history event (the upstream's note, when it gives one),
and the agency's answer becomes the answer the citizen reads. A status word the province's file
does not map changes nothing: it is logged once, and ours is kept.

Rows are claimed with the outbox's lease, so two connectors instances never add the same event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from connectors.applications.service import as_utc
from connectors.feedback.models import Feedback, FeedbackEvent, FeedbackOutbox
from connectors.feedback.outbox import Clock, claim, release
from connectors.feedback.upstream import FeedbackUpstream, Gone, UpstreamProgress
from connectors.upstream.client import UpstreamBadResponse, UpstreamUnavailable

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    checked: int = 0
    changed: int = 0
    failed: int = 0
    deferred: int = 0  # not read: the upstream stopped answering


def _due(session: Session, synced_before: datetime, now: datetime, batch: int) -> list[str]:
    query = (
        select(FeedbackOutbox.tracking_code)
        .join(Feedback, Feedback.tracking_code == FeedbackOutbox.tracking_code)
        .where(
            FeedbackOutbox.state == "sent",
            Feedback.status != "closed",
            or_(FeedbackOutbox.last_synced_at.is_(None),
                FeedbackOutbox.last_synced_at <= synced_before),
            or_(FeedbackOutbox.claimed_until.is_(None), FeedbackOutbox.claimed_until < now),
        )
        # never read first, then the longest unread
        .order_by(FeedbackOutbox.last_synced_at.is_not(None), FeedbackOutbox.last_synced_at,
                  FeedbackOutbox.tracking_code)
        .limit(batch)
    )
    return list(session.scalars(query))


def sync_due(
    session_factory: sessionmaker[Session], upstream: FeedbackUpstream, clock: Clock,
    min_age: timedelta = timedelta(0),
) -> SyncReport:
    """Reads upstream every forwarded, open complaint not read within ``min_age``."""
    delivery = upstream.config.delivery
    lease = timedelta(seconds=delivery.lease_seconds)
    report = SyncReport()
    start = as_utc(clock())
    while True:
        now = as_utc(clock())
        with session_factory() as session:
            # read once per call: those read since ``start`` are not due again
            due = _due(session, min(start - min_age, start - timedelta(microseconds=1)), now,
                       delivery.batch)
        if not due:
            return report
        token, claimed = claim(session_factory, due, "sent", now, lease)
        if not claimed:
            return report  # another instance is reading these
        for index, code in enumerate(claimed):
            if not _sync_one(session_factory, upstream, code, token, clock, report):
                release(session_factory, token, claimed[index:])
                report.deferred += len(claimed) - index
                return report


def _sync_one(
    session_factory: sessionmaker[Session], upstream: FeedbackUpstream, code: str, token: str,
    clock: Clock, report: SyncReport,
) -> bool:
    """False when the upstream stopped answering (the rest of the batch waits)."""
    with session_factory() as session:
        row = session.get(FeedbackOutbox, code)
        if row is None or row.claim_token != token:
            return True
        upstream_id = row.upstream_id
        session.commit()  # no transaction stays open during the call
    error: str | None = None
    progress: UpstreamProgress | None = None
    try:
        progress = upstream.progress(upstream_id, code)
    except UpstreamUnavailable as exc:
        logger.warning("feedback status sync with %s paused: %s", upstream.name, exc)
        return False
    except Gone as exc:
        error = f"unknown upstream: {exc}"
        logger.warning("feedback %s: upstream %s no longer knows it (%s)", code, upstream.name, exc)
    except UpstreamBadResponse as exc:
        error = str(exc)
        logger.warning("feedback %s: unreadable status from %s: %s", code, upstream.name, exc)
    now = as_utc(clock())
    with session_factory() as session:
        row = session.get(FeedbackOutbox, code)
        feedback = session.get(Feedback, code)
        if row is None or feedback is None or row.claim_token != token:
            return True
        if progress is not None:
            if _apply(feedback, row, progress, now, upstream.name):
                report.changed += 1
            row.upstream_status = progress.raw_status
            report.checked += 1
        else:
            report.failed += 1
        row.last_error = error[:500] if error else None
        row.last_synced_at = now
        row.claimed_until = None
        row.claim_token = None
        session.commit()
    return True


def _apply(
    feedback: Feedback, row: FeedbackOutbox, progress: UpstreamProgress, now: datetime,
    upstream_name: str,
) -> bool:
    """Makes the upstream's progress ours; True when the citizen will see something new."""
    if progress.status is None:
        if progress.raw_status != row.upstream_status:
            logger.warning(
                "feedback %s: upstream %s status %r is not in its file's status_map; "
                "kept %r", feedback.tracking_code, upstream_name, progress.raw_status,
                feedback.status,
            )
        return False
    changed = False
    if progress.status != feedback.status:
        feedback.status = progress.status
        feedback.events.append(
            FeedbackEvent(
                position=len(feedback.events), status=progress.status, at=now, note=progress.note
            )
        )
        changed = True
    if progress.answer and progress.answer != feedback.response:
        feedback.response = progress.answer
        changed = True
    if changed:
        feedback.updated_at = now
    return changed
