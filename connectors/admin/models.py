"""The console's audit log: who changed what, when, with the value before and after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connectors.db import Base
from connectors.staff.models import USERNAME_LENGTH

ACTION_LENGTH = 64
TARGET_LENGTH = 255


class AuditEntry(Base):
    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # the username, not a foreign key: the trail outlives a renamed or removed account
    actor: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    action: Mapped[str] = mapped_column(String(ACTION_LENGTH))  # e.g. "intent.example.add"
    target: Mapped[str] = mapped_column(String(TARGET_LENGTH))  # e.g. "greet"
    # JSON text, so any feature's shape fits; None when there was nothing before (or after)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
