"""The national catalogue that ships with the project, its citizen aliases and its twins.

``manage init`` calls :func:`ensure_national` on every start: it imports the shipped catalogue and
applies ``seed/aliases.yml`` only when one of them (or the importer) changed since the last time,
so a start with nothing new costs one hash of a 3 MB file.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.catalogue.importer import ImportReport, import_file
from connectors.procedures.models import CatalogueState, Procedure, ProcedureAlias
from connectors.procedures.search import clean_name
from connectors.procedures.service import bump_catalogue_version
from connectors.text import fold

SEED = Path(__file__).resolve().parent.parent / "seed"
NATIONAL_FILE = SEED / "national" / "catalogue.jsonl.gz"
ALIASES_FILE = SEED / "aliases.yml"
# Bump when the importer reads records differently: the next start imports again.
IMPORTER_VERSION = "3"

logger = logging.getLogger(__name__)


class AliasEntry(BaseModel):
    """Citizen words for one national procedure, and its near-identical twins."""

    model_config = ConfigDict(extra="forbid")

    code: str
    name: str | None = None  # the official name, for reviewers
    aliases: list[str] = Field(default_factory=list)
    same_as: list[str] = Field(default_factory=list)


def read_aliases(path: Path = ALIASES_FILE) -> list[AliasEntry]:
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [AliasEntry.model_validate(item) for item in data]


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
    *, progress: bool = False,
) -> ImportReport | None:
    """Imports the catalogue and aliases if they changed; None when nothing had to be done."""
    wanted = fingerprint(catalogue, aliases)
    if _state(session).national_fingerprint == wanted:
        return None
    report = import_file(session, catalogue, progress=progress)
    apply_aliases(session, read_aliases(aliases))
    link_twins(session)
    _state(session).national_fingerprint = wanted
    bump_catalogue_version(session)
    session.commit()
    return report


def apply_aliases(session: Session, entries: list[AliasEntry]) -> int:
    """Replaces the aliases of each listed national procedure; curated ones keep their own."""
    applied = 0
    for entry in entries:
        procedure = session.get(Procedure, entry.code)
        if procedure is None or procedure.source == "curated":
            logger.warning("aliases for %s skipped: %s", entry.code,
                           "no such procedure" if procedure is None else "curated")
            continue
        procedure.aliases = [ProcedureAlias(alias=a) for a in dict.fromkeys(entry.aliases)]
        for twin in entry.same_as:
            session.execute(
                update(Procedure)
                .where(Procedure.code == twin, Procedure.source != "curated")
                .values(same_as=entry.code)
            )
        applied += 1
    session.flush()
    return applied


_LEVEL_ORDER = ("cấp xã", "cấp tỉnh", "cấp bộ")


def _level_rank(level: str | None) -> int:
    """The lowest level that performs it serves citizens first (xã, then tỉnh, then bộ)."""
    text = (level or "").lower()
    ranks = [i for i, name in enumerate(_LEVEL_ORDER) if name in text]
    return min(ranks, default=len(_LEVEL_ORDER))


def link_twins(session: Session) -> int:
    """Procedures with the same name but for the level suffix answer as one (``same_as``)."""
    groups: dict[str, list[Procedure]] = defaultdict(list)
    for p in session.scalars(select(Procedure)):
        groups[fold(clean_name(p.name)).strip(" .")].append(p)
    linked = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        # a twin the aliases file already linked keeps its link; the others follow it
        chosen = next((p.same_as for p in members if p.same_as), None)
        head_code = chosen or min(
            members, key=lambda p: (p.source != "curated", _level_rank(p.level), p.code)
        ).code
        for p in members:
            if p.code != head_code and p.source != "curated" and p.same_as is None:
                p.same_as = head_code
                linked += 1
    session.flush()
    return linked
