"""Handing conversations over to staff, and recording how satisfied citizens were.

Message text and comments are stored for staff but never logged; conversation ids (Rasa sender ids)
are not personal data and are logged so a handoff can be traced.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.applications.service import as_utc
from connectors.conversations.models import Handoff, HandoffStatusName, Rating
from connectors.conversations.schemas import HandoffCreate, RatingCreate, RatingSummary
from connectors.locality.hours import next_opening, staff_available
from connectors.locality.service import Locality

logger = logging.getLogger(__name__)

# A second rating for the same conversation within this window replaces the first.
RATING_WINDOW = timedelta(minutes=10)
SCORES = (1, 2, 3, 4, 5)

# closed is final: reopening could clash with a newer open handoff of the same conversation
_NEXT_STATUSES: dict[str, frozenset[str]] = {
    "open": frozenset({"open", "taken", "closed"}),
    "taken": frozenset({"open", "taken", "closed"}),
    "closed": frozenset({"closed"}),
}


class HandoffNotFound(LookupError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(f"no handoff {handoff_id}")
        self.handoff_id = handoff_id


class HandoffConflict(Exception):
    """The requested status change is not possible from the handoff's current state."""


def staff_status(locality: Locality, now: datetime) -> tuple[bool, datetime | None]:
    """(staff on duty now, next time they are; None while on duty or when unknown)."""
    available = staff_available(locality, now)
    return available, None if available else next_opening(locality, now)


def _open_handoff_of(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status == "open")
    ).first()


def open_handoff(session: Session, data: HandoffCreate, now: datetime) -> tuple[Handoff, bool]:
    """The conversation's open handoff, created unless there is one: (handoff, created)."""
    existing = _open_handoff_of(session, data.conversation_id)
    if existing is not None:
        if data.contact_phone and existing.contact_phone != data.contact_phone:
            # the number to call back, given after the request ("0912 345 678")
            existing.contact_phone = data.contact_phone
            existing.updated_at = as_utc(now)
            session.commit()
        return existing, False
    now = as_utc(now)
    handoff = Handoff(
        conversation_id=data.conversation_id, channel=data.channel, reason=data.reason,
        last_message=data.last_message, contact_phone=data.contact_phone, status="open",
        created_at=now, updated_at=now,
    )
    session.add(handoff)
    try:
        session.commit()
    except IntegrityError:  # the same conversation asked twice at once: the other request won
        session.rollback()
        existing = _open_handoff_of(session, data.conversation_id)
        if existing is None:
            raise
        return existing, False
    logger.info(
        "handoff %s opened: conversation=%s reason=%s channel=%s",
        handoff.id, data.conversation_id, data.reason, data.channel,
    )
    return handoff, True


def list_handoffs(
    session: Session, status: HandoffStatusName | None = None, limit: int = 50
) -> list[Handoff]:
    """Newest first."""
    query = select(Handoff).order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Handoff.status == status)
    return list(session.scalars(query))


def update_handoff(
    session: Session, handoff_id: int, status: HandoffStatusName, staff: str, now: datetime
) -> Handoff:
    """Staff member ``staff`` (a username) takes, releases (back to open) or closes a handoff.

    Raises HandoffNotFound/Conflict. Closing keeps who took it; closing an untaken one records
    who closed it.
    """
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffNotFound(handoff_id)
    if status not in _NEXT_STATUSES[handoff.status]:
        raise HandoffConflict(
            f"handoff {handoff_id} is {handoff.status}, it cannot become {status}"
        )
    taken_by: str | None = staff
    if status == "open":
        taken_by = None
    elif status == "closed" and handoff.taken_by is not None:
        taken_by = handoff.taken_by
    if (status, taken_by) == (handoff.status, handoff.taken_by):
        return handoff  # nothing changes: repeating a PATCH is harmless
    previous = handoff.status
    handoff.status = status
    handoff.taken_by = taken_by
    handoff.updated_at = as_utc(now)
    try:
        session.commit()
    except IntegrityError as exc:  # released while the conversation already has a newer open one
        session.rollback()
        raise HandoffConflict(
            f"conversation {handoff.conversation_id} already has an open handoff"
        ) from exc
    logger.info("handoff %s: %s -> %s by %s", handoff_id, previous, status, staff)
    return handoff


def save_rating(session: Session, data: RatingCreate, now: datetime) -> tuple[Rating, bool]:
    """Records a rating: (rating, created).

    A repeat for the same conversation within RATING_WINDOW of the first updates it instead (the
    comment is kept when the repeat has none, so score and comment may come in two steps).
    """
    now = as_utc(now)
    recent = session.scalars(
        select(Rating)
        .where(Rating.conversation_id == data.conversation_id)
        .where(Rating.created_at > now - RATING_WINDOW)
        .order_by(Rating.created_at.desc(), Rating.id.desc())
    ).first()
    if recent is not None:
        recent.score = data.score
        if data.comment is not None:
            recent.comment = data.comment
        recent.updated_at = now
        session.commit()
        logger.info("rating %s updated: score=%s", recent.id, data.score)
        return recent, False
    rating = Rating(
        conversation_id=data.conversation_id, score=data.score, comment=data.comment,
        created_at=now, updated_at=now,
    )
    session.add(rating)
    session.commit()
    logger.info(
        "rating %s recorded: conversation=%s score=%s", rating.id, data.conversation_id, data.score
    )
    return rating, True


def rating_summary(session: Session) -> RatingSummary:
    rows = session.execute(select(Rating.score, func.count()).group_by(Rating.score)).all()
    distribution = dict.fromkeys(SCORES, 0)
    for score, n in rows:
        distribution[int(score)] = int(n)
    count = sum(distribution.values())
    average = round(sum(s * n for s, n in distribution.items()) / count, 2) if count else None
    return RatingSummary(count=count, average=average, distribution=distribution)
