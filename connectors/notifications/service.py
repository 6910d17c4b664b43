"""Following a dossier: subscribe after a proved look-up, cancel on "huỷ thông báo"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.applications.service import as_utc
from connectors.notifications.models import StatusSubscription


def subscribe(
    session: Session, code: str, channel: str, sender_id: str, now: datetime
) -> StatusSubscription:
    """Follows ``code`` for the conversation (again, if it had cancelled or expired) and notes
    that the citizen has just written. The caller has checked the look-up proof; commits."""
    now = as_utc(now)
    found = session.scalars(
        select(StatusSubscription).where(
            StatusSubscription.application_code == code,
            StatusSubscription.channel == channel,
            StatusSubscription.sender_id == sender_id,
        )
    ).first()
    if found is None:
        found = StatusSubscription(
            application_code=code, channel=channel, sender_id=sender_id, created_at=now,
            last_interaction_at=now,
        )
        session.add(found)
    found.last_interaction_at = now
    found.cancelled_at = None
    found.expired_at = None
    session.commit()
    return found


def cancel(session: Session, sender_id: str, now: datetime, code: str | None = None) -> int:
    """Stops notifications to the conversation (of one dossier, or all); how many stopped."""
    statement = update(StatusSubscription).where(
        StatusSubscription.sender_id == sender_id, StatusSubscription.cancelled_at.is_(None)
    )
    if code is not None:
        statement = statement.where(StatusSubscription.application_code == code)
    result = session.execute(
        statement.values(cancelled_at=as_utc(now)).execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def active(session: Session, code: str) -> Sequence[StatusSubscription]:
    """Who follows ``code`` now (not cancelled), oldest first. Zalo's 7-day window is the bot's
    to check (only it sees the citizen's last message): a closed one never ends a subscription."""
    return session.scalars(
        select(StatusSubscription)
        .where(
            StatusSubscription.application_code == code,
            StatusSubscription.cancelled_at.is_(None),
        )
        .order_by(StatusSubscription.id)
    ).all()


def followed_codes(session: Session) -> Sequence[str]:
    """The dossiers someone follows (the poller reads their status)."""
    return session.scalars(
        select(StatusSubscription.application_code)
        .where(StatusSubscription.cancelled_at.is_(None))
        .distinct()
        .order_by(StatusSubscription.application_code)
    ).all()
