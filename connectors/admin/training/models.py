"""Builds of candidate models, their scores, and what was published to the Rasa servers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connectors.db import Base

BUILD_STATUSES = ("running", "succeeded", "failed", "interrupted")
BUILD_STEPS = ("validate", "train", "evaluate", "done")
PUBLICATION_KINDS = ("publish", "rollback")


class ModelBuild(Base):
    """One press of "train": validate, train, evaluate; the log stays after a restart."""

    __tablename__ = "model_build"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in BUILD_STATUSES)})", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    step: Mapped[str] = mapped_column(String(20))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the runner touches it every few seconds: a stale one means the process died mid-build
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    model_file: Mapped[str | None] = mapped_column(String(255))
    scores_json: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    log: Mapped[str] = mapped_column(Text, default="")


class ModelScore(Base):
    """Scores of one model file (by content digest): each model is evaluated once."""

    __tablename__ = "model_score"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_file: Mapped[str] = mapped_column(String(255))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scores_json: Mapped[str] = mapped_column(Text)


class ModelPublication(Base):
    """One publish or rollback: the model that went live, the one before, each server's answer."""

    __tablename__ = "model_publication"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in PUBLICATION_KINDS)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    model_file: Mapped[str] = mapped_column(String(255))
    previous_model_file: Mapped[str | None] = mapped_column(String(255))
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)
    # a publication undone by a rollback is skipped by the next rollback (one step back each time)
    rolled_back: Mapped[bool] = mapped_column(Boolean, default=False)
    servers_json: Mapped[str] = mapped_column(Text)
