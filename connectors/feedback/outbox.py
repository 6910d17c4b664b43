"""The outbox: complaints stored here first, then sent to the province's feedback system.

Never lost: the outbox row is written in the complaint's own transaction, and stays "pending"
until the upstream has answered with its id, whatever happens in between (the upstream down for
days, the connectors restarted). Never sent twice at once: a worker claims a row with a lease
(an UPDATE that only one instance can win) before sending it. Never stored twice upstream: a
lost answer is followed by a retry carrying the same Idempotency-Key, our tracking code.

A refusal that retrying cannot fix (a 4xx) is kept as "refused" for an operator: logged at ERROR,
counted in /health, sent again by `python -m connectors.manage feedback-outbox --retry-refused`.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, CursorResult, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from connectors.applications.service import as_utc
from connectors.feedback.models import Feedback, FeedbackOutbox
from connectors.feedback.upstream import DeliveryConfig, FeedbackUpstream, Refused
from connectors.upstream.client import CircuitOpen, UpstreamError

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # tried, and tried again later
    refused: int = 0  # kept for an operator
    deferred: int = 0  # not tried: the circuit is open

    @property
    def tried(self) -> int:
        return self.sent + self.failed + self.refused


def enqueue(session: Session, tracking_code: str, now: datetime) -> None:
    """Adds the complaint to the outbox, in the caller's transaction (the complaint's own)."""
    now = as_utc(now)
    session.add(
        FeedbackOutbox(
            tracking_code=tracking_code, state="pending", attempts=0, next_attempt_at=now,
            created_at=now,
        )
    )


def retry_delay(
    failures: int, delivery: DeliveryConfig, rng: Callable[[float, float], float] = random.uniform
) -> timedelta:
    """After ``failures`` failed sends: first * 2**(failures-1), capped, less up to 20%.

    The jitter only shortens (the cap holds) and never by more than the doubling adds, so each
    wait is longer than the one before until the cap.
    """
    exponent = min(failures - 1, 32)  # 2**32 times any first delay is past any cap
    delay = min(delivery.max_retry_seconds, delivery.first_retry_seconds * 2**exponent)
    return timedelta(seconds=delay * rng(0.8, 1.0))


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(FeedbackOutbox.claimed_until.is_(None), FeedbackOutbox.claimed_until < now)


def _execute(session: Session, statement: Any) -> int:
    result = cast(
        CursorResult[Any],
        session.execute(statement.execution_options(synchronize_session=False)),
    )
    return int(result.rowcount or 0)


def claim(
    session_factory: sessionmaker[Session], candidates: list[str], state: str, now: datetime,
    lease: timedelta,
) -> tuple[str, list[str]]:
    """The candidates this caller won, under a new claim token: one UPDATE per row, each in its
    own transaction, so two instances never hold the same row and never wait on each other."""
    token = secrets.token_hex(16)
    won: list[str] = []
    for code in candidates:
        with session_factory() as session:
            claimed = _execute(
                session,
                update(FeedbackOutbox)
                .where(
                    FeedbackOutbox.tracking_code == code, FeedbackOutbox.state == state,
                    _free(now),
                )
                .values(claimed_until=now + lease, claim_token=token),
            )
            session.commit()
        if claimed == 1:
            won.append(code)
    return token, won


def release(session_factory: sessionmaker[Session], token: str, codes: list[str]) -> None:
    """Gives claimed rows back untouched (nothing was tried)."""
    if not codes:
        return
    with session_factory() as session:
        _execute(
            session,
            update(FeedbackOutbox)
            .where(FeedbackOutbox.tracking_code.in_(codes), FeedbackOutbox.claim_token == token)
            .values(claimed_until=None, claim_token=None),
        )
        session.commit()


def _due(session: Session, now: datetime, batch: int, *, ignore_schedule: bool) -> list[str]:
    query = select(FeedbackOutbox.tracking_code).where(
        FeedbackOutbox.state == "pending", _free(now)
    )
    if not ignore_schedule:
        query = query.where(FeedbackOutbox.next_attempt_at <= now)
    query = query.order_by(FeedbackOutbox.next_attempt_at, FeedbackOutbox.tracking_code)
    return list(session.scalars(query.limit(batch)))


def deliver_due(
    session_factory: sessionmaker[Session], upstream: FeedbackUpstream, clock: Clock, *,
    ignore_schedule: bool = False, rng: Callable[[float, float], float] = random.uniform,
) -> DeliveryReport:
    """Sends every complaint due now (all pending ones with ``ignore_schedule``), a batch at a
    time, until none is left or the upstream stops answering."""
    delivery = upstream.config.delivery
    lease = timedelta(seconds=delivery.lease_seconds)
    report = DeliveryReport()
    tried: set[str] = set()
    while True:
        now = as_utc(clock())
        with session_factory() as session:
            due = [c for c in _due(session, now, delivery.batch + len(tried),
                                   ignore_schedule=ignore_schedule) if c not in tried]
        if not due:
            return report
        token, claimed = claim(session_factory, due[: delivery.batch], "pending", now, lease)
        tried.update(due[: delivery.batch])
        for index, code in enumerate(claimed):
            outcome = _send_one(session_factory, upstream, code, token, clock, rng)
            if outcome == "deferred":
                # the circuit is open: the rest would be refused without a call; next tick
                release(session_factory, token, claimed[index:])
                report.deferred += len(claimed) - index
                return report
            if outcome != "skipped":
                setattr(report, outcome, getattr(report, outcome) + 1)


Outcome = Literal["sent", "failed", "refused", "deferred", "skipped"]


def _send_one(
    session_factory: sessionmaker[Session], upstream: FeedbackUpstream, code: str, token: str,
    clock: Clock, rng: Callable[[float, float], float],
) -> Outcome:
    with session_factory() as session:
        feedback = session.get(Feedback, code)
        row = session.get(FeedbackOutbox, code)
        if feedback is None or row is None or row.claim_token != token:
            return "skipped"  # deleted meanwhile, or the claim already lost
        attempts = row.attempts + 1
        # read now, after any erasure: the contact details sent are the ones still held
        session.commit()  # no transaction stays open during the call
        values: dict[str, Any]
        outcome: Outcome
        try:
            upstream_id = upstream.submit(feedback)
        except CircuitOpen:
            return "deferred"
        except Refused as exc:
            logger.error(
                "feedback %s refused by upstream %s (%s): kept for an operator; "
                "`python -m connectors.manage feedback-outbox` lists it", code, upstream.name, exc,
            )
            values = {"state": "refused", "attempts": attempts, "last_error": str(exc)[:500]}
            outcome = "refused"
        except UpstreamError as exc:
            wait = retry_delay(attempts, upstream.config.delivery, rng)
            logger.warning(
                "feedback %s not forwarded (attempt %d): %s; next try in %.0f s",
                code, attempts, exc, wait.total_seconds(),
            )
            values = {
                "attempts": attempts, "last_error": str(exc)[:500],
                "next_attempt_at": as_utc(clock()) + wait,
            }
            outcome = "failed"
        except Exception as exc:  # a bug must not hold the row: it is retried like a failure
            logger.exception("feedback %s: unexpected error while forwarding", code)
            values = {
                "attempts": attempts, "last_error": type(exc).__name__,
                "next_attempt_at": as_utc(clock()) + retry_delay(
                    attempts, upstream.config.delivery, rng
                ),
            }
            outcome = "failed"
        else:
            values = {
                "state": "sent", "upstream_id": upstream_id, "attempts": attempts,
                "last_error": None, "sent_at": as_utc(clock()),
            }
            logger.info("feedback %s forwarded to %s (attempt %d)", code, upstream.name, attempts)
            outcome = "sent"
        kept = _execute(
            session,
            update(FeedbackOutbox)
            .where(FeedbackOutbox.tracking_code == code, FeedbackOutbox.claim_token == token)
            .values(**values, claimed_until=None, claim_token=None),
        )
        session.commit()
        if not kept:
            # the lease ran out during the call and another instance took the row: it sends
            # again under the same Idempotency-Key, which the upstream stores once
            logger.warning("feedback %s: claim lost during the call; left to its new holder", code)
        return outcome


@dataclass(frozen=True)
class Backlog:
    pending: int
    oldest_pending_seconds: float | None
    refused: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "oldest_pending_seconds": self.oldest_pending_seconds,
            "refused": self.refused,
        }


def backlog(session: Session, now: datetime) -> Backlog:
    counts = {
        state: count
        for state, count in session.execute(
            select(FeedbackOutbox.state, func.count()).group_by(FeedbackOutbox.state)
        ).tuples()
    }
    oldest = session.scalar(
        select(func.min(FeedbackOutbox.created_at)).where(FeedbackOutbox.state == "pending")
    )
    age = None if oldest is None else max(0.0, (as_utc(now) - as_utc(oldest)).total_seconds())
    return Backlog(
        pending=int(counts.get("pending", 0)), oldest_pending_seconds=age,
        refused=int(counts.get("refused", 0)),
    )


def retry_refused(session: Session, now: datetime) -> list[str]:
    """Puts every refused complaint back in the queue (after an operator fixed the cause)."""
    codes = list(
        session.scalars(
            select(FeedbackOutbox.tracking_code).where(FeedbackOutbox.state == "refused")
        )
    )
    if codes:
        _execute(
            session,
            update(FeedbackOutbox)
            .where(FeedbackOutbox.tracking_code.in_(codes), FeedbackOutbox.state == "refused")
            .values(state="pending", next_attempt_at=as_utc(now), claimed_until=None,
                    claim_token=None),
        )
        session.commit()
    return codes


def refused(session: Session) -> list[FeedbackOutbox]:
    return list(
        session.scalars(
            select(FeedbackOutbox)
            .where(FeedbackOutbox.state == "refused")
            .order_by(FeedbackOutbox.created_at)
        )
    )


def forwarded_upstream_ids(session: Session, conversation_id: str) -> list[str]:
    """The upstream ids of a conversation's complaints already forwarded: erasing them here
    leaves the copy the province's system holds (an operator asks there)."""
    return list(
        session.scalars(
            select(FeedbackOutbox.upstream_id)
            .join(Feedback, Feedback.tracking_code == FeedbackOutbox.tracking_code)
            .where(
                Feedback.conversation_id == conversation_id,
                FeedbackOutbox.upstream_id.is_not(None),
            )
            .order_by(FeedbackOutbox.upstream_id)
        )
    )
