"""The dossier source the settings ask for, checked at start-up: a province that chose its
upstream system and gave no readable file or no secret learns it then, not from a citizen."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from pydantic import ValidationError
from sqlalchemy.orm import Session

from connectors.applications.sources.base import (
    DossierRecord,
    DossierSource,
    IdentifierDigests,
)
from connectors.applications.sources.cached import CachedSource
from connectors.applications.sources.http import HttpSource
from connectors.applications.sources.local import LocalSource
from connectors.applications.sources.mapping import DossierUpstreamFile
from connectors.applications.sources.store import DossierStore
from connectors.cache import Cache
from connectors.settings import Settings
from connectors.upstream.client import UpstreamClient, UpstreamConfigError
from connectors.upstream.config import UpstreamFileError, read_yaml

logger = logging.getLogger(__name__)


class DossierSourceError(RuntimeError):
    """The dossier source cannot start; the message says what to fix."""


@dataclass
class Dossiers:
    """What the look-up endpoint needs (``app.state.dossiers``)."""

    source: DossierSource
    digests: IdentifierDigests
    upstream: UpstreamClient | None = None
    cache: Cache | None = None

    def fetch_fresh(self, session: Session, code: str, now: datetime) -> DossierRecord | None:
        """The source's answer now, bypassing the cache (the notifications' poller).
        Raises SourceUnavailable or SourceUnreadable."""
        if isinstance(self.source, CachedSource):
            return self.source.refresh(session, code, now)
        return self.source.fetch(session, code, now)

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
        if self.cache is not None:
            self.cache.close()


def read_mapping(file: Path) -> DossierUpstreamFile:
    try:
        return DossierUpstreamFile.model_validate(read_yaml(file))
    except UpstreamFileError as exc:
        raise DossierSourceError(str(exc)) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise DossierSourceError(f"upstream file {file} does not fit: {problems}") from exc


def digests_key(settings: Settings) -> bytes:
    secret = settings.dossier_cache_secret or settings.connectors_service_token
    if not secret:
        # digests then differ per process and per restart: cached answers are not shared, but
        # still need the right identifier
        logger.warning(
            "DOSSIER_CACHE_SECRET and CONNECTORS_SERVICE_TOKEN are empty: cached dossiers are "
            "keyed with a random secret of this process"
        )
        return secrets.token_bytes(32)
    return hashlib.sha256(("dossier-cache:" + secret).encode()).digest()


def build_dossiers(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Dossiers:
    """``environ``, ``transport`` and ``clock`` (the circuit breaker's) are for tests."""
    key = digests_key(settings)
    digests = IdentifierDigests(key)
    if settings.dossier_source == "local":
        return Dossiers(LocalSource(), digests)
    if settings.dossier_upstream_file is None:
        raise DossierSourceError(
            "DOSSIER_SOURCE=upstream needs DOSSIER_UPSTREAM_FILE, the province's file "
            "(example: connectors/upstream/examples/one-stop-dossiers.yml)"
        )
    mapping = read_mapping(settings.dossier_upstream_file)
    try:
        client = UpstreamClient(mapping.upstream, environ=environ, transport=transport, clock=clock)
    except UpstreamConfigError as exc:
        raise DossierSourceError(f"{settings.dossier_upstream_file}: {exc}") from exc
    # its TTL is the stale window: Redis forgets what may no longer be shown
    cache = Cache(
        settings.redis_url, settings.redis_key_prefix, max(1, settings.dossier_stale_seconds)
    )
    source = CachedSource(
        HttpSource(client, mapping),
        DossierStore(cache, key),
        digests,
        fresh_seconds=settings.dossier_cache_seconds,
        stale_seconds=settings.dossier_stale_seconds,
    )
    logger.info(
        "dossier statuses from upstream %r at %s (file %s); the local dossiers are not read",
        mapping.upstream.name,
        mapping.upstream.base_url,
        settings.dossier_upstream_file,
    )
    return Dossiers(source, digests, client, cache)
