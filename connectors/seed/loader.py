"""Loads the curated procedures (plain-Vietnamese, checked facts) from ``seed/procedures/*.yml``."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from connectors.catalogue.store import ProcedureRecord, upsert_procedure
from connectors.procedures.service import bump_catalogue_version

SEED_DIR = Path(__file__).parent / "procedures"


def read_curated(directory: Path = SEED_DIR) -> list[ProcedureRecord]:
    records: list[ProcedureRecord] = []
    for path in sorted(directory.glob("*.yml")):
        with path.open(encoding="utf-8") as f:
            for item in yaml.safe_load(f) or []:
                records.append(ProcedureRecord.model_validate({"source": "curated", **item}))
    return records


def load_curated(session: Session, directory: Path = SEED_DIR) -> tuple[int, int]:
    """Upserts every curated procedure; returns (created, updated)."""
    created = updated = 0
    for record in read_curated(directory):
        if upsert_procedure(session, record):
            created += 1
        else:
            updated += 1
    bump_catalogue_version(session)
    session.commit()
    return created, updated
