"""The report of a catalogue sync: what is new, changed, restored and withdrawn, and which
curated entries staff must review. Logged by ``connectors.catalogue.summary``, written as JSON by
``manage sync-catalogue --report`` and kept with the run (``CatalogueSyncRun.report``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from connectors.catalogue.changes import Change
from connectors.catalogue.models import ReviewReasonName


class Entry(BaseModel):
    code: str
    name: str
    changes: list[Change] = []


class ReviewFlag(BaseModel):
    code: str  # the curated procedure to review
    national_code: str  # the national record that changed: the same code, or a twin's
    reason: ReviewReasonName
    changes: list[Change] = []


class Failure(BaseModel):
    line: int
    code: str | None
    reason: str


SyncStatus = Literal["applied", "dry_run", "refused", "failed"]


class SyncReport(BaseModel):
    source: str
    status: SyncStatus = "applied"
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    records: int = 0  # records read from the file
    unchanged: int = 0
    baselines: int = 0  # curated codes whose national record was seen for the first time
    partial: int = 0  # records read with a table not parsed cleanly (see the importer)
    new: list[Entry] = []
    changed: list[Entry] = []
    restored: list[Entry] = []  # retired before, in the file again
    withdrawn: list[Entry] = []
    review: list[ReviewFlag] = []
    failed: list[Failure] = []
    version: int | None = None  # the catalogue version afterwards

    def counts(self) -> dict[str, int]:
        return {
            "records": self.records, "new": len(self.new), "changed": len(self.changed),
            "restored": len(self.restored), "withdrawn": len(self.withdrawn),
            "unchanged": self.unchanged, "review": len(self.review),
            "baselines": self.baselines, "failed": len(self.failed),
        }  # fmt: skip

    @property
    def changes_catalogue(self) -> bool:
        return bool(self.new or self.changed or self.restored or self.withdrawn)
