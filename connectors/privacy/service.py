"""A citizen's personal data: kept no longer than needed, and erased on request (Decree 13/2023).

What the connectors hold about a chat conversation, by its sender id: handoffs (what the citizen
typed, a phone to call back), ratings (a comment), complaints (contact name, phone, location) and
rate-limit counters. Caches hold none (answers to messages with identifiers are not cached, keys
are digests). Complaints and scores themselves stay: the office must answer a complaint, and the
satisfaction figures are anonymous once the conversation id is gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import redis
from sqlalchemy import CursorResult, Delete, Update, delete, update
from sqlalchemy.orm import Session

from connectors.admin.review.models import ReviewMark
from connectors.applications.ratelimit import client_key
from connectors.cache import Cache
from connectors.conversations.models import Handoff, Rating
from connectors.feedback.models import Feedback
from connectors.feedback.outbox import forwarded_upstream_ids
from connectors.notifications.models import StatusSubscription

logger = logging.getLogger(__name__)

# what a rating's conversation id becomes once it may no longer point to a citizen
ERASED = "đã-xóa"


@dataclass(frozen=True)
class Erased:
    handoffs: int = 0
    ratings: int = 0
    feedback: int = 0
    counters: int = 0
    subscriptions: int = 0  # dossiers followed in a chat channel (connectors/notifications)
    review_marks: int = 0  # staff decisions about a citizen's messages (the console's inbox)

    @property
    def total(self) -> int:
        return (self.handoffs + self.ratings + self.feedback + self.counters + self.subscriptions
                + self.review_marks)


def _rows(session: Session, statement: Delete | Update) -> int:
    # no in-Python evaluation over loaded objects (SQLite gives naive datetimes): commit expires
    # them anyway
    statement = statement.execution_options(synchronize_session=False)
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount or 0)


def _erase_feedback_contact() -> dict[str, None]:
    return {"contact_name": None, "contact_phone": None, "location": None, "conversation_id": None}


def forget(session: Session, cache: Cache | None, conversation_id: str) -> Erased:
    """Erases everything about one conversation (a citizen's request to delete their data)."""
    handoffs = _rows(session, delete(Handoff).where(Handoff.conversation_id == conversation_id))
    ratings = _rows(session, delete(Rating).where(Rating.conversation_id == conversation_id))
    forwarded = forwarded_upstream_ids(session, conversation_id)
    if forwarded:
        # erased here, not in the province's feedback system: the operator must ask it there
        logger.warning(
            "erased on request: %d complaint(s) of this conversation were already forwarded to "
            "the province's feedback system, which keeps its own copy of the contact details "
            "(its ids: %s)", len(forwarded), ", ".join(forwarded),
        )
    feedback = _rows(
        session,
        update(Feedback)
        .where(Feedback.conversation_id == conversation_id)
        .values(**_erase_feedback_contact()),
    )
    subscriptions = _rows(
        session, delete(StatusSubscription).where(StatusSubscription.sender_id == conversation_id)
    )
    marks = _rows(session, delete(ReviewMark).where(ReviewMark.sender_id == conversation_id))
    session.commit()
    counters = _forget_counters(cache, conversation_id) if cache else 0
    erased = Erased(handoffs, ratings, feedback, counters, subscriptions, marks)
    logger.info("erased on request: %s", erased)
    return erased


def _forget_counters(cache: Cache, conversation_id: str) -> int:
    """Rate-limit counters are keyed by a digest of the client id: find them by that digest."""
    digest = client_key("id:" + conversation_id)
    try:
        keys = list(cache.client.scan_iter(cache.key("ratelimit") + "*" + digest + "*"))
        return int(cache.client.delete(*keys)) if keys else 0
    except redis.RedisError as exc:  # counters expire within a window anyway
        logger.warning("rate-limit counters not erased (Redis unreachable): %s", exc)
        return 0


def purge(session: Session, now: datetime, retention_days: int) -> Erased:
    """Erases personal data older than ``retention_days`` (run hourly and by `manage purge`)."""
    cutoff = now - timedelta(days=retention_days)
    handoffs = _rows(session, delete(Handoff).where(Handoff.created_at < cutoff))
    ratings = _rows(
        session,
        update(Rating)
        .where(Rating.created_at < cutoff, Rating.conversation_id != ERASED)
        .values(conversation_id=ERASED, comment=None),
    )
    feedback = _rows(
        session,
        update(Feedback)
        .where(
            Feedback.created_at < cutoff,
            (Feedback.contact_phone.is_not(None))
            | (Feedback.contact_name.is_not(None))
            | (Feedback.location.is_not(None))
            | (Feedback.conversation_id.is_not(None)),
        )
        .values(**_erase_feedback_contact()),
    )
    # a subscription is useless once Zalo's 7-day window has long closed: gone with the rest
    subscriptions = _rows(
        session,
        delete(StatusSubscription).where(StatusSubscription.last_interaction_at < cutoff),
    )
    # a reviewer's mark names the conversation (sender id): gone with the messages it is about
    marks = _rows(session, delete(ReviewMark).where(ReviewMark.message_at < cutoff))
    session.commit()
    erased = Erased(handoffs, ratings, feedback, subscriptions=subscriptions, review_marks=marks)
    if erased.total:
        logger.info("retention (%d days): erased %s", retention_days, erased)
    return erased
