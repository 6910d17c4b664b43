"""Recording feedback under an unguessable tracking code, and reading its progress back."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.applications.service import VIETNAM_TZ, as_utc
from connectors.feedback.models import (
    Feedback,
    FeedbackEvent,
    FeedbackOutbox,
    FeedbackStatusName,
)
from connectors.feedback.outbox import enqueue
from connectors.feedback.schemas import (
    STATUS_LABELS,
    TRACKING_ALPHABET,
    TRACKING_RANDOM_LENGTH,
    FeedbackCreate,
    FeedbackCreated,
    FeedbackEventPublic,
    FeedbackPublic,
)
from vnid import mask_digits

logger = logging.getLogger(__name__)

_ATTEMPTS = 5


def new_tracking_code(now: datetime) -> str:
    """``PA-yymmdd-XXXXXX``: the Vietnam date, then 6 random characters (31^6 ≈ 8.9e8 per day)."""
    suffix = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_RANDOM_LENGTH))
    return f"PA-{as_utc(now).astimezone(VIETNAM_TZ):%y%m%d}-{suffix}"


def _status(value: str) -> FeedbackStatusName:
    if value not in STATUS_LABELS:
        raise ValueError(f"unknown feedback status {value!r}")
    return cast(FeedbackStatusName, value)


def create_feedback(
    session: Session, data: FeedbackCreate, now: datetime | None = None, *, forward: bool = False
) -> FeedbackCreated:
    """Stores the complaint; with ``forward`` (an upstream is configured) its outbox row too, in
    the same transaction: the code the citizen gets is a promise the outbox keeps."""
    now = as_utc(now or datetime.now(timezone.utc))
    for _ in range(_ATTEMPTS):
        code = new_tracking_code(now)
        if session.get(Feedback, code) is not None:
            continue
        feedback = Feedback(
            tracking_code=code, topic=data.topic, description=data.description,
            location=data.location, contact_name=data.contact_name,
            contact_phone=data.contact_phone, conversation_id=data.conversation_id or None,
            status="received", created_at=now, updated_at=now,
            events=[FeedbackEvent(position=0, status="received", at=now, note=None)],
        )
        session.add(feedback)
        if forward:
            session.flush()  # the complaint's row before its outbox row (foreign key)
            enqueue(session, code, now)
        try:
            session.commit()
        except IntegrityError:  # the same code inserted concurrently: draw again
            session.rollback()
            continue
        logger.info(
            "feedback %s received: topic=%r phone=%s", code, data.topic,
            mask_digits(data.contact_phone),
        )
        return FeedbackCreated(
            tracking_code=code, status="received", created_at=now.astimezone(VIETNAM_TZ)
        )
    raise RuntimeError("could not draw a free feedback tracking code")


def get_feedback(session: Session, tracking_code: str) -> FeedbackPublic | None:
    feedback = session.get(Feedback, tracking_code)
    if feedback is None:
        return None
    outbox = session.get(FeedbackOutbox, tracking_code)
    forwarded_at = outbox.sent_at if outbox is not None else None
    return FeedbackPublic(
        tracking_code=feedback.tracking_code,
        status=_status(feedback.status),
        status_label=STATUS_LABELS[feedback.status],
        topic=feedback.topic,
        created_at=as_utc(feedback.created_at).astimezone(VIETNAM_TZ),
        updated_at=as_utc(feedback.updated_at).astimezone(VIETNAM_TZ),
        response=feedback.response,
        forwarded_at=as_utc(forwarded_at).astimezone(VIETNAM_TZ) if forwarded_at else None,
        history=[
            FeedbackEventPublic(
                status=_status(e.status), status_label=STATUS_LABELS[e.status],
                at=as_utc(e.at).astimezone(VIETNAM_TZ), note=e.note,
            )
            for e in feedback.events
        ],
    )
