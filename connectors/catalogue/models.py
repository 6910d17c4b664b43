"""What a catalogue sync leaves behind: its runs, the curated entries staff must review, and the
national version of each curated procedure that the next sync compares with."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connectors.db import Base

SyncStatusName = Literal["applied", "refused", "failed"]
SYNC_STATUSES: tuple[SyncStatusName, ...] = (
    "applied",  # the catalogue now matches the source (also when nothing changed)
    "refused",  # the guard stopped it (too many withdrawals): nothing written
    "failed",  # the source could not be read, or the database refused: nothing written
)
ReviewReasonName = Literal["changed", "withdrawn", "restored"]
REVIEW_REASONS: tuple[ReviewReasonName, ...] = ("changed", "withdrawn", "restored")


class CatalogueSyncRun(Base):
    """One sync (the CLI's, the schedule's or `init`'s), with its whole report for the console.
    A dry run is not recorded: it writes nothing."""

    __tablename__ = "catalogue_sync_run"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in SYNC_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text)  # the file or URL (a URL without its query)
    status: Mapped[str] = mapped_column(String(20))
    # {"new": 1, "changed": 5, ...}: what a list of runs shows without reading each report
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class CatalogueReview(Base):
    """A curated procedure whose national record changed (same code, or a twin that answers as
    it) or was withdrawn: its checked facts may be out of date. Never changed by the sync itself;
    staff read the national before/after, fix the curated entry and mark it resolved."""

    __tablename__ = "catalogue_review"
    __table_args__ = (
        CheckConstraint(
            "reason IN (" + ", ".join(repr(r) for r in REVIEW_REASONS) + ")", name="reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedure.code", ondelete="CASCADE"), index=True
    )
    national_code: Mapped[str] = mapped_column(String(32))  # the record that changed
    reason: Mapped[str] = mapped_column(String(20))
    # [{"field": "fee", "item": "in_person", "before": "...", "after": "..."}] of the NATIONAL
    # record (the curated entry is unchanged)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sync_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_sync_run.id", ondelete="SET NULL"), index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(100))  # staff username


class CuratedNational(Base):
    """The national record of a curated procedure's code as the last sync saw it. The curated
    entry replaces that record in ``procedure``, so without this there would be nothing to
    compare the next catalogue with."""

    __tablename__ = "catalogue_curated_national"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # a ProcedureRecord
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
