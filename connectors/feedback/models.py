"""Citizen feedback (phản ánh, kiến nghị), tracked by a code the citizen keeps, and the outbox
that forwards it to the province's feedback system when one is configured."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectors.db import Base

FeedbackStatusName = Literal["received", "processing", "answered", "closed"]
FEEDBACK_STATUSES: tuple[FeedbackStatusName, ...] = (
    "received",  # đã tiếp nhận
    "processing",  # đang xử lý
    "answered",  # đã trả lời
    "closed",  # đã đóng
)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in FEEDBACK_STATUSES) + ")", name="status"
        ),
    )

    tracking_code: Mapped[str] = mapped_column(String(20), primary_key=True)  # PA-261122-7K3Q9X
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(10))  # normalised; never returned
    # the chat conversation it came from: a citizen's request to delete their data finds it
    conversation_id: Mapped[str | None] = mapped_column(String(255), index=True)
    status: Mapped[str] = mapped_column(String(20), default="received")
    response: Mapped[str | None] = mapped_column(Text)  # the agency's answer
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    events: Mapped[list[FeedbackEvent]] = relationship(
        cascade="all, delete-orphan", order_by="FeedbackEvent.position", lazy="selectin"
    )


class FeedbackEvent(Base):
    __tablename__ = "feedback_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(
        ForeignKey("feedback.tracking_code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


OutboxStateName = Literal["pending", "sent", "refused"]
OUTBOX_STATES: tuple[OutboxStateName, ...] = (
    "pending",  # not yet accepted upstream: the worker tries again at next_attempt_at
    "sent",  # accepted; upstream_id set; the sync follows its status
    "refused",  # a 4xx that retrying cannot fix: kept for an operator, never dropped
)


class FeedbackOutbox(Base):
    """One row per complaint to forward, written in the same transaction as the complaint: none
    is lost between "the citizen got a code" and "the province has it"."""

    __tablename__ = "feedback_outbox"
    __table_args__ = (
        CheckConstraint(
            "state IN (" + ", ".join(repr(s) for s in OUTBOX_STATES) + ")", name="state"
        ),
        # the worker's query: due pending rows, oldest first
        Index("ix_feedback_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    tracking_code: Mapped[str] = mapped_column(
        ForeignKey("feedback.tracking_code", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(20), default="pending")
    upstream_id: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # a lease: whoever holds an unexpired claim (its token) is the only one sending this row
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(500))  # never personal data
    # the upstream's own status word last seen: an unknown one is reported once, not every poll
    upstream_status: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
