"""What reviewers decided about a citizen message of the tracker store (so it leaves the inbox).

A message is known by its sender and its position among the tracker's events (Rasa only appends
to a tracker). No message text is stored here: it stays in the tracker store, which expires it
after the retention period.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connectors.conversations.models import CONVERSATION_ID_LENGTH
from connectors.db import Base
from connectors.staff.models import USERNAME_LENGTH

Decision = Literal["intent", "alias", "out_of_scope", "test"]
DECISIONS: tuple[Decision, ...] = ("intent", "alias", "out_of_scope", "test")
# a message with one of these is dealt with; "saved as test" alone leaves it in the inbox
CLOSING: frozenset[Decision] = frozenset({"intent", "alias", "out_of_scope"})
DETAIL_LENGTH = 255


class ReviewMark(Base):
    __tablename__ = "review_mark"
    __table_args__ = (
        CheckConstraint(f"decision IN ({', '.join(repr(d) for d in DECISIONS)})",
                        name="decision"),
        # one decision of each kind per message: a second click changes nothing
        UniqueConstraint(
            "sender_id", "position", "decision", name="uq_review_mark_message_decision"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LENGTH), index=True)
    position: Mapped[int] = mapped_column(Integer)
    message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    # the intent, the procedure code, or the file written
    detail: Mapped[str | None] = mapped_column(String(DETAIL_LENGTH))
    actor: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
