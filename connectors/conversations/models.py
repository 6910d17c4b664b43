"""Conversations handed over to staff (chuyển cán bộ) and the citizens' satisfaction ratings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from connectors.db import Base

HandoffReasonName = Literal["request_human", "repeated_failure", "other"]
HANDOFF_REASONS: tuple[HandoffReasonName, ...] = (
    "request_human",  # the citizen asked for a person
    "repeated_failure",  # the bot did not understand several times in a row
    "other",
)
HandoffStatusName = Literal["open", "taken", "closed"]
HANDOFF_STATUSES: tuple[HandoffStatusName, ...] = (
    "open",  # waiting for staff
    "taken",  # a staff member is on it
    "closed",
)
CONVERSATION_ID_LENGTH = 255  # Rasa's sender id
LAST_MESSAGE_LENGTH = 1000
COMMENT_LENGTH = 1000


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Handoff(Base):
    __tablename__ = "handoff"
    __table_args__ = (
        CheckConstraint(_in("reason", HANDOFF_REASONS), name="reason"),
        CheckConstraint(_in("status", HANDOFF_STATUSES), name="status"),
        # at most one open handoff per conversation, even when two requests race
        Index(
            "uq_handoff_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LENGTH), index=True)
    channel: Mapped[str | None] = mapped_column(String(32))  # web, zalo, rest, …
    reason: Mapped[str] = mapped_column(String(32))
    last_message: Mapped[str | None] = mapped_column(Text)  # at most LAST_MESSAGE_LENGTH chars
    contact_phone: Mapped[str | None] = mapped_column(String(10))  # to call the citizen back
    status: Mapped[str] = mapped_column(String(20), default="open")
    taken_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rating(Base):
    """A citizen's satisfaction with a conversation: 1 (rất không hài lòng) to 5 (rất hài lòng)."""

    __tablename__ = "rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LENGTH), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)  # at most COMMENT_LENGTH chars
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
