"""Catalogue reads: search (in-memory index keyed on the catalogue version) and detail, cached."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors.cache import Cache
from connectors.lexicon import fingerprint as lexicon_fingerprint
from connectors.procedures import passages
from connectors.procedures.dated import procedure_in_force
from connectors.procedures.models import CatalogueState, Procedure, ProcedureAlias
from connectors.procedures.resolve import Choice, names_a_paper, resolve
from connectors.procedures.schemas import (
    PassagePublic,
    ProcedurePassages,
    ProcedurePublic,
    ProcedureSummary,
    ResolvedProcedure,
    ResolveResult,
    SearchResult,
)
from connectors.procedures.search import Entry, SearchIndex, clean_name
from connectors.procedures.variants import load_variants, variants_fingerprint
from vnid.redact import redact

logger = logging.getLogger(__name__)

_Names = tuple[str, str | None, str | None, str | None]  # name, short name, domain, level


def title_of(name: str) -> str:
    cleaned = clean_name(name)
    return cleaned[:1].upper() + cleaned[1:]


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


class ProcedureRetired(Exception):
    """The procedure was withdrawn from the national catalogue: it is no longer in force."""

    def __init__(self, code: str, retired_at: datetime) -> None:
        super().__init__(code)
        self.code = code
        self.retired_at = retired_at


def _in_force(procedure: Procedure | None) -> Procedure | None:
    """The procedure, None when there is no such code; raises ``ProcedureRetired``."""
    if procedure is not None and procedure.retired_at is not None:
        raise ProcedureRetired(procedure.code, procedure.retired_at)
    return procedure


def to_public(p: Procedure) -> ProcedurePublic:
    return ProcedurePublic.model_validate(
        {
            **{
                c: getattr(p, c) for c in ProcedurePublic.model_fields
                if c not in _LISTS and c != "title"
            },
            "title": p.short_name or title_of(p.name),
            "aliases": [a.alias for a in p.aliases],
            "documents": p.documents,
            "channels": p.channels,
            "steps": [s.text for s in p.steps],
            "legal_basis": p.legal_basis,
        }
    )


_LISTS = {"aliases", "documents", "channels", "steps", "legal_basis"}


def _retired_codes(session: Session) -> frozenset[str]:
    """Withdrawn codes, for the seconds a stale index answers after a sync (it may still hold
    them); a handful of rows."""
    return frozenset(
        session.scalars(select(Procedure.code).where(Procedure.retired_at.is_not(None)))
    )


def _text_key(text: str) -> str:
    """A citizen's words never appear in a cache key, only their digest."""
    return hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()[:32]


def _cacheable(text: str) -> bool:
    """An answer to a message holding an ID number, a phone or a code is not cached: the cache
    keeps no personal data, so deleting a citizen's data never has to search it."""
    return redact(text) == text


class CatalogueService:
    """Shared by all requests of one process; the index is rebuilt when the version moves."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._index_version = -1
        self._session_factory: sessionmaker[Session] | None = None
        self._building = False
        self._names: dict[str, _Names] = {}

    @staticmethod
    def _reading_version(version: int) -> str:
        """Cached readings depend on the catalogue and on how messages are read (the lexicon,
        the variant families): a change to any of them is a new key."""
        return f"{version}.{lexicon_fingerprint()}.{variants_fingerprint()}"

    def warm(self, session_factory: sessionmaker[Session]) -> None:
        """Builds the index now (at start) rather than on the first citizen's question, and
        keeps the session factory to rebuild it in the background after catalogue writes."""
        self._session_factory = session_factory
        try:
            with session_factory() as session:
                self._ensure_index(session, catalogue_version(session))
        except SQLAlchemyError as exc:  # no schema yet: the first request builds it
            logger.warning("search index not built at start: %s", exc)

    @staticmethod
    def _build(session: Session) -> tuple[SearchIndex, dict[str, _Names]]:
        """Only the columns search needs: loading whole procedures took most of the time."""
        aliases: dict[str, list[str]] = defaultdict(list)
        for code, alias in session.execute(
            select(ProcedureAlias.procedure_code, ProcedureAlias.alias).order_by(ProcedureAlias.id)
        ):
            aliases[code].append(alias)
        rows = session.execute(
            select(Procedure.code, Procedure.name, Procedure.short_name, Procedure.domain,
                   Procedure.level, Procedure.popularity, Procedure.same_as)
            .where(Procedure.retired_at.is_(None))  # withdrawn: never offered again
        ).all()
        index = SearchIndex(
            Entry(r.code, r.name, tuple(aliases[r.code]), r.popularity, r.same_as) for r in rows
        )
        return index, {r.code: (r.name, r.short_name, r.domain, r.level) for r in rows}

    def _rebuild_in_background(self, version: int) -> None:
        """A catalogue write must not make the next citizen wait seconds for a new index: the
        previous one answers (uncached) until the new one is ready."""
        factory = self._session_factory
        if self._building or factory is None:
            return
        self._building = True

        def build() -> None:
            try:
                with factory() as session:
                    built = self._build(session)
                    current = catalogue_version(session)
                with self._lock:
                    self._index, self._names = built
                    self._index_version = current
            except SQLAlchemyError:
                logger.exception("search index not rebuilt")
            finally:
                self._building = False

        threading.Thread(target=build, name="search-index", daemon=True).start()

    def refresh(self, session: Session) -> None:
        """Rebuilds the index now, after a write this process made (the staff console): its
        next answer already reflects the write instead of the old index answering meanwhile."""
        version = catalogue_version(session)
        built = self._build(session)
        with self._lock:
            self._index, self._names = built
            self._index_version = version

    def _ensure_index(
        self, session: Session, version: int
    ) -> tuple[SearchIndex, dict[str, _Names], bool]:
        """The index with its names, and whether it is the one of ``version`` (a stale one's
        answers are not cached)."""
        with self._lock:
            if self._index is not None and self._index_version == version:
                return self._index, self._names, True
            if self._index is not None and self._session_factory is not None:
                self._rebuild_in_background(version)
                return self._index, self._names, False
        built = self._build(session)
        with self._lock:
            self._index, self._names = built
            self._index_version = version
            return self._index, self._names, True

    def search(self, session: Session, query: str, limit: int) -> bytes:
        """The search result as JSON bytes (what the API sends; cached as such)."""
        version = catalogue_version(session)
        key = self._cache.key("search", self._reading_version(version), str(limit),
                              _text_key(query))
        cached = self._cache.get_raw(key)
        if cached is not None:
            return cached
        index, names, current = self._ensure_index(session, version)
        retired = frozenset() if current else _retired_codes(session)
        items = []
        for hit in index.search(query, limit):
            if hit.code in retired:
                continue
            name, short_name, domain, level = names[hit.code]
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
        if current and _cacheable(query):
            self._cache.set_raw(key, body)
        return body

    def resolve(self, session: Session, text: str, focus: str | None) -> bytes:
        """Which procedure ``text`` means (see ``connectors.procedures.resolve``), as JSON bytes."""
        version = catalogue_version(session)
        key = self._cache.key("resolve", self._reading_version(version), focus or "-",
                              _text_key(text))
        cached = self._cache.get_raw(key)
        if cached is not None:
            return cached
        index, names, current = self._ensure_index(session, version)
        retired = frozenset() if current else _retired_codes(session)

        def exists(code: str) -> bool:
            return code in names and code not in retired

        result = resolve(index, load_variants(), text, focus=focus, exists=exists)
        titles: dict[str, str] = {}  # title (lower case) -> the code that holds it

        def public(choice: Choice) -> ResolvedProcedure | None:
            if not exists(choice.code):
                return None
            name, short_name, domain, _level = names[choice.code]
            title = short_name or title_of(name)
            # never two buttons with the same title; a weak reading lists its chosen procedure
            # among the candidates again, and that one stays
            if titles.setdefault(title.lower(), choice.code) != choice.code:
                return None
            return ResolvedProcedure(code=choice.code, name=name, title=title,
                                     short_name=short_name,
                                     domain=domain, coverage=round(choice.coverage, 3),
                                     named=choice.named)

        chosen = public(result.procedure) if result.procedure else None
        candidates = [p for p in map(public, result.candidates) if p is not None]
        reading = result.reading
        body = ResolveResult(
            query=text, decision=result.decision,
            reason=result.reason, procedure=chosen, candidates=candidates,
            aspects=list(reading.aspects) if reading else [],
            out_of_reach=list(reading.out_of_reach) if reading else [],
            menu=result.menu,
            names_a_paper=names_a_paper(
                reading, index.vocabulary(focus) if focus else frozenset()
            ) if reading else False,
        ).model_dump_json().encode()
        if current and _cacheable(text):
            self._cache.set_raw(key, body)
        return body

    def passages(
        self, session: Session, code: str, question: str, today: date
    ) -> ProcedurePassages | None:
        """The record's sentences that answer ``question`` as the record holds ``today`` (dated
        fee clauses that ended are no answer); None when there is no such code; raises
        ``ProcedureRetired`` for a withdrawn one."""
        procedure = _in_force(session.get(Procedure, code))
        if procedure is None:
            return None
        index, _names, _current = self._ensure_index(session, catalogue_version(session))
        record = procedure_in_force(to_public(procedure), today)
        found = passages.find(record, question, index.word_idf, own_words=index.vocabulary(code))
        return ProcedurePassages(code=code, question=question, passages=[
            PassagePublic(field=f.field, text=f.text, share=f.share) for f in found
        ])

    def detail(self, session: Session, code: str, today: date) -> bytes | None:
        """The procedure as it holds ``today`` (Vietnam time: dated fee clauses that ended or
        have not begun left out), as JSON bytes; None when there is no such code; raises
        ``ProcedureRetired`` for a withdrawn one (never cached: retiring bumps the version). The
        stored record stays as the catalogue published it, so the key holds the day."""
        version = catalogue_version(session)
        key = self._cache.key("procedure", str(version), today.isoformat(), code)
        cached = self._cache.get_raw(key)
        if cached is not None:
            return cached
        procedure = _in_force(session.get(Procedure, code))
        if procedure is None:
            return None
        body = procedure_in_force(to_public(procedure), today).model_dump_json().encode()
        self._cache.set_raw(key, body)
        return body
