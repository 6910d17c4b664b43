"""Dossiers (hồ sơ) received by the one-stop shops, with their status history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectors.db import Base
from connectors.procedures.models import Procedure

ApplicationStatusName = Literal[
    "received", "in_progress", "needs_supplement", "done", "returned", "overdue"
]
APPLICATION_STATUSES: tuple[ApplicationStatusName, ...] = (
    "received",  # đã tiếp nhận
    "in_progress",  # đang giải quyết
    "needs_supplement",  # cần bổ sung hồ sơ
    "done",  # đã có kết quả
    "returned",  # trả lại hồ sơ, không giải quyết (the reason is in the last event's note)
    "overdue",  # quá hạn giải quyết
)
CHANNELS = ("in_person", "online", "post")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Application(Base):
    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
    )

    # the receipt code, e.g. 000.00.30.H56-261115-0012 (agency code - yymmdd - sequence)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedure.code"), index=True)
    applicant_name: Mapped[str] = mapped_column(Text)
    id_number: Mapped[str] = mapped_column(String(12))  # CCCD / số định danh cá nhân
    phone: Mapped[str | None] = mapped_column(String(10))  # normalised 0xxxxxxxxx
    status: Mapped[str] = mapped_column(String(20), default="received")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # ngày hẹn trả
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    supplement_note: Mapped[str | None] = mapped_column(Text)  # what to bring, when to supplement
    # the deadline for the supplement: the office waits on the citizen until then
    supplement_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agency: Mapped[str] = mapped_column(Text)  # the office that received it
    channel: Mapped[str] = mapped_column(String(20), default="in_person")
    # where the row came from: "local" (entered or imported here) or "demo" (replaced on reload)
    source: Mapped[str] = mapped_column(String(20), default="local", server_default="local")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    events: Mapped[list[ApplicationEvent]] = relationship(
        cascade="all, delete-orphan",
        order_by="ApplicationEvent.position",
        lazy="selectin",
    )


class ApplicationEvent(Base):
    """One step of a dossier's history, in order."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_code: Mapped[str] = mapped_column(
        ForeignKey("application.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
