"""The national catalogue that ships with the project, its citizen aliases and its twins.

``manage init`` calls :func:`ensure_national` on every start: it syncs the database with the
shipped catalogue and applies ``seed/aliases.yml`` only when one of them (or the importer)
changed since the last time, so a start with nothing new costs one hash of a 3 MB file. The sync
(``connectors.catalogue.sync``) also retires the records a new release no longer ships.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from sqlalchemy.orm import Session

from connectors.catalogue.aliases import (
    ALIASES_FILE,
    AliasEntry,
    apply_aliases,
    link_twins,
    read_aliases,
)
from connectors.catalogue.report import SyncReport
from connectors.catalogue.sync import Clock, SyncOptions, read_catalogue, sync_records, utc_now
from connectors.procedures.models import CatalogueState

SEED = Path(__file__).resolve().parent.parent / "seed"
NATIONAL_FILE = SEED / "national" / "catalogue.jsonl.gz"
# Bump when the importer reads records differently: the next start syncs again.
# 4: the sync remembers the national record of each curated code (the baseline for reviews).
IMPORTER_VERSION = "4"

__all__ = [
    "ALIASES_FILE", "NATIONAL_FILE", "AliasEntry", "apply_aliases", "ensure_national",
    "fingerprint", "link_twins", "read_aliases",
]  # fmt: skip

logger = logging.getLogger(__name__)


def fingerprint(catalogue: Path = NATIONAL_FILE, aliases: Path = ALIASES_FILE) -> str:
    digest = hashlib.sha256(IMPORTER_VERSION.encode())
    for path in (catalogue, aliases):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def _state(session: Session) -> CatalogueState:
    state = session.get(CatalogueState, 1)
    if state is None:
        state = CatalogueState(id=1, version=0)
        session.add(state)
        session.flush()
    return state


def ensure_national(
    session: Session, catalogue: Path = NATIONAL_FILE, aliases: Path = ALIASES_FILE,
    *, progress: bool = False, clock: Clock = utc_now,
) -> SyncReport | None:
    """Syncs with the shipped catalogue and aliases if they changed; None when nothing had to be
    done. The shipped file is reviewed in a release, so it may withdraw many records at once."""
    wanted = fingerprint(catalogue, aliases)
    if _state(session).national_fingerprint == wanted:
        session.rollback()
        return None
    session.rollback()
    incoming = read_catalogue(catalogue, progress=progress)
    report = SyncReport(source=str(catalogue), started_at=clock())
    synced = sync_records(
        session, incoming, report, SyncOptions(allow_mass_withdrawal=True),
        read_aliases(aliases), clock=clock, all_aliases=True,
    )
    if synced is not None and synced.status == "applied":
        _state(session).national_fingerprint = wanted
        session.commit()
    return synced
