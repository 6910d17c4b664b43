"""The last answer of a slow or failing upstream, shown with its age.

Within the fresh window a cached answer is served without calling the upstream (a citizen asking
again a minute later, the bot trying the last 4 digits as CCCD then as phone). Past it the
upstream is asked; only when it cannot answer is a copy from the stale window shown, marked
``stale`` with ``as_of`` so the citizen sees when it was true. Only dossiers the upstream found
are kept, whoever asked: the ownership check runs on every answer, cached or not, with the same
result (the owner is kept as keyed digests).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from connectors.applications.sources.base import (
    DossierRecord,
    DossierSource,
    IdentifierDigests,
    SourceUnavailable,
)
from connectors.applications.sources.store import DossierStore

logger = logging.getLogger(__name__)


class CachedSource:
    def __init__(
        self,
        inner: DossierSource,
        store: DossierStore,
        digests: IdentifierDigests,
        *,
        fresh_seconds: float,
        stale_seconds: float,
    ) -> None:
        self.name = inner.name
        self._inner = inner
        self._store = store
        self._digests = digests
        self._fresh = timedelta(seconds=fresh_seconds)
        self._stale = timedelta(seconds=stale_seconds)

    def fetch(self, session: Session, code: str, now: datetime) -> DossierRecord | None:
        copy = self._store.get(code)
        age = now - copy.as_of if copy is not None and copy.as_of is not None else None
        if copy is not None and age is not None and timedelta(0) <= age < self._fresh:
            return copy
        try:
            record = self._inner.fetch(session, code, now)
        except SourceUnavailable:
            if copy is not None and age is not None and age < self._stale:
                logger.info(
                    "upstream unavailable: answering from a copy %d s old", age.total_seconds()
                )
                return replace(copy, stale=True)
            raise
        return self._keep(code, record, now, had_copy=copy is not None)

    def refresh(self, session: Session, code: str, now: datetime) -> DossierRecord | None:
        """The upstream's answer now, never a copy (the notifications' poller), kept for the
        next look-up. Raises SourceUnavailable or SourceUnreadable."""
        return self._keep(code, self._inner.fetch(session, code, now), now, had_copy=True)

    def _keep(
        self, code: str, record: DossierRecord | None, now: datetime, *, had_copy: bool
    ) -> DossierRecord | None:
        if record is None:
            if had_copy:
                self._store.forget(code)
            return None
        fetched = replace(record, owner=self._digests.owner(record.owner), as_of=now)
        self._store.put(fetched)
        return fetched
