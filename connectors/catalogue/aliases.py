"""Citizen aliases of national procedures (``seed/aliases.yml``) and their twins (``same_as``).

Both are the project's, not the catalogue's: every import or sync applies them again to what it
wrote, and a procedure that was retired stops being any twin's head.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session, lazyload

from connectors.procedures.models import Procedure, ProcedureAlias
from connectors.procedures.search import clean_name
from connectors.text import fold

ALIASES_FILE = Path(__file__).resolve().parent.parent / "seed" / "aliases.yml"

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


def apply_aliases(session: Session, entries: list[AliasEntry]) -> int:
    """Replaces the aliases of each listed national procedure; curated ones keep their own.
    Aliases that are already right are left as they are (no rows rewritten)."""
    applied = 0
    for entry in entries:
        procedure = session.get(Procedure, entry.code)
        if procedure is None or procedure.source == "curated":
            logger.warning("aliases for %s skipped: %s", entry.code,
                           "no such procedure" if procedure is None else "curated")
            continue
        wanted = list(dict.fromkeys(entry.aliases))
        if [a.alias for a in procedure.aliases] != wanted:
            procedure.aliases = [ProcedureAlias(alias=a) for a in wanted]
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
    """Procedures with the same name but for the level suffix answer as one (``same_as``).

    Retired procedures take no part: a twin whose head was retired is linked again among the
    procedures still in force (or answers for itself)."""
    procedures = session.scalars(select(Procedure).options(lazyload("*"))).all()
    in_force = {p.code for p in procedures if p.retired_at is None}
    groups: dict[str, list[Procedure]] = defaultdict(list)
    for p in procedures:
        if p.retired_at is not None:
            continue
        if p.source != "curated" and p.same_as is not None and p.same_as not in in_force:
            p.same_as = None
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
