"""Catalogue reads: search (in-memory index keyed on the catalogue version) and detail, cached."""

from __future__ import annotations

import threading

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from connectors.cache import Cache
from connectors.procedures.models import CatalogueState, Procedure
from connectors.procedures.schemas import ProcedurePublic, ProcedureSummary, SearchResult
from connectors.procedures.search import Entry, SearchIndex


def catalogue_version(session: Session) -> int:
    return session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1)) or 0


def bump_catalogue_version(session: Session) -> None:
    """Call in the same transaction as any catalogue write."""
    if session.get(CatalogueState, 1) is None:
        session.add(CatalogueState(id=1, version=1))
        session.flush()
    else:
        session.execute(
            update(CatalogueState)
            .where(CatalogueState.id == 1)
            .values(version=CatalogueState.version + 1)
        )


def to_public(p: Procedure) -> ProcedurePublic:
    return ProcedurePublic.model_validate(
        {
            **{c: getattr(p, c) for c in ProcedurePublic.model_fields if c not in _LISTS},
            "aliases": [a.alias for a in p.aliases],
            "documents": p.documents,
            "channels": p.channels,
            "steps": [s.text for s in p.steps],
            "legal_basis": p.legal_basis,
        }
    )


_LISTS = {"aliases", "documents", "channels", "steps", "legal_basis"}


class CatalogueService:
    """Shared by all requests of one process; the index is rebuilt when the version moves."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._index_version = -1
        self._names: dict[str, tuple[str, str | None, str | None, str | None]] = {}

    def _ensure_index(self, session: Session, version: int) -> SearchIndex:
        with self._lock:
            if self._index is None or self._index_version != version:
                rows = session.scalars(
                    select(Procedure).options(selectinload(Procedure.aliases))
                ).all()
                self._index = SearchIndex(
                    Entry(p.code, p.name, tuple(a.alias for a in p.aliases), p.popularity)
                    for p in rows
                )
                self._names = {p.code: (p.name, p.short_name, p.domain, p.level) for p in rows}
                self._index_version = version
            return self._index

    def search(self, session: Session, query: str, limit: int) -> bytes:
        """The search result as JSON bytes (what the API sends; cached as such)."""
        version = catalogue_version(session)
        key = self._cache.key("search", str(version), str(limit), query.strip().lower())
        cached = self._cache.get_raw(key)
        if cached is not None:
            return cached
        index = self._ensure_index(session, version)
        items = []
        for hit in index.search(query, limit):
            name, short_name, domain, level = self._names[hit.code]
            items.append(
                ProcedureSummary(
                    code=hit.code,
                    name=name,
                    short_name=short_name,
                    domain=domain,
                    level=level,
                    score=hit.score,
                    match_len=hit.match_len,
                )
            )
        body = SearchResult(query=query, items=items).model_dump_json().encode()
        self._cache.set_raw(key, body)
        return body

    def detail(self, session: Session, code: str) -> bytes | None:
        """The procedure as JSON bytes, or None when there is no such code."""
        version = catalogue_version(session)
        key = self._cache.key("procedure", str(version), code)
        cached = self._cache.get_raw(key)
        if cached is not None:
            return cached
        procedure = session.get(Procedure, code)
        if procedure is None:
            return None
        body = to_public(procedure).model_dump_json().encode()
        self._cache.set_raw(key, body)
        return body
