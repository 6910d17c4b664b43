"""The last answer of the upstream for each dossier, in Redis (shared by every connectors
process) with an in-process copy for when Redis is down.

Nothing in it identifies a citizen: the key is a keyed digest of the dossier code, the owner's
identifiers are keyed digests (``IdentifierDigests``), the applicant's name is kept masked.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

import redis
from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.applications.models import ApplicationStatusName
from connectors.applications.sources.base import DigestOwner, DossierEvent, DossierRecord
from connectors.cache import Cache
from vnid import mask_name

logger = logging.getLogger(__name__)

# in-process copies kept when Redis is down (each a few hundred bytes)
_LOCAL_ENTRIES = 5000


class _StoredEvent(BaseModel):
    status: ApplicationStatusName
    at: datetime
    note: str | None = None


class _Stored(BaseModel):
    """The JSON kept per dossier (version 1)."""

    model_config = ConfigDict(extra="forbid")

    code: str
    status: ApplicationStatusName
    procedure_code: str
    procedure_name: str
    procedure_short_name: str | None
    applicant_name: str  # masked
    agency: str
    channel: str
    received_at: datetime
    owner: DigestOwner
    due_at: datetime | None
    completed_at: datetime | None
    supplement_note: str | None
    supplement_due_at: datetime | None
    status_note: str | None
    events: list[_StoredEvent]
    as_of: datetime


class DossierStore:
    def __init__(self, cache: Cache, key: bytes) -> None:
        self._cache = cache  # its TTL is the stale window: older copies are never shown
        self._key = key
        self._local: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def _name(self, code: str) -> str:
        digest = hmac.new(self._key, ("dossier:" + code).encode(), hashlib.sha256).hexdigest()
        return self._cache.key("dossier", digest[:32])

    def get(self, code: str) -> DossierRecord | None:
        name = self._name(code)
        raw = self._cache.get_raw(name)
        if raw is None:
            with self._lock:
                raw = self._local.get(name)
        if raw is None:
            return None
        try:
            stored = _Stored.model_validate_json(raw)
        except ValidationError:
            logger.warning("unreadable cached dossier ignored (written by another version?)")
            return None
        if stored.code != code:
            return None
        return DossierRecord(
            **{k: v for k, v in stored if k not in ("events", "as_of")},
            events=tuple(DossierEvent(e.status, e.at, e.note) for e in stored.events),
            as_of=stored.as_of,
        )

    def put(self, record: DossierRecord) -> None:
        """Only with the owner as digests and a fetch time: the caller converts."""
        if not isinstance(record.owner, DigestOwner) or record.as_of is None:
            raise ValueError("a cached dossier keeps its owner as digests and its fetch time")
        record = replace(record, applicant_name=mask_name(record.applicant_name), stale=False)
        stored = _Stored(
            code=record.code,
            status=record.status,
            procedure_code=record.procedure_code,
            procedure_name=record.procedure_name,
            procedure_short_name=record.procedure_short_name,
            applicant_name=record.applicant_name,
            agency=record.agency,
            channel=record.channel,
            received_at=record.received_at,
            owner=record.owner,
            due_at=record.due_at,
            completed_at=record.completed_at,
            supplement_note=record.supplement_note,
            supplement_due_at=record.supplement_due_at,
            status_note=record.status_note,
            events=[_StoredEvent(status=e.status, at=e.at, note=e.note) for e in record.events],
            as_of=record.as_of,
        )
        raw = stored.model_dump_json().encode()
        name = self._name(record.code)
        self._cache.set_raw(name, raw)
        with self._lock:
            self._local[name] = raw
            self._local.move_to_end(name)
            while len(self._local) > _LOCAL_ENTRIES:
                self._local.popitem(last=False)

    def forget(self, code: str) -> None:
        """The upstream no longer knows the dossier: no copy of it may be shown later."""
        name = self._name(code)
        with self._lock:
            self._local.pop(name, None)
        try:
            self._cache.client.delete(name)
        except redis.RedisError as exc:
            logger.warning("cached dossier not deleted from Redis: %s", type(exc).__name__)
