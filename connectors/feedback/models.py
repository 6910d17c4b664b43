"""Citizen feedback (phản ánh, kiến nghị), tracked by a code the citizen keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
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
