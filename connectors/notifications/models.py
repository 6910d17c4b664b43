"""Citizens who asked, in a chat channel, to be told when a dossier's status changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connectors.db import Base

NOTIFY_CHANNELS = ("zalo",)


class StatusSubscription(Base):
    """One conversation following one dossier. Not a foreign key to ``application``: with the
    upstream source the dossier lives in the province's system, not here."""

    __tablename__ = "status_subscription"
    __table_args__ = (
        CheckConstraint("channel IN ('zalo')", name="channel"),
        UniqueConstraint("application_code", "channel", "sender_id"),  # one per conversation
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_code: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    # the chat sender id (``zalo-<user id>``): what a request to forget a conversation names
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the opt-in (again, after a cancel): what the retention period counts from. Zalo's 7-day
    # window counts from the citizen's LAST message, which only the bot sees: the bot checks it
    # when told of a change (actions/notifications.py)
    last_interaction_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # no longer set (the first version stopped a subscription when the window closed); cleared
    # by subscribing again
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
