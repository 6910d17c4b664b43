"""What every dossier source hands the look-up: the dossier, and how to check its owner."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from connectors.applications.models import ApplicationStatusName
from vnid import LAST_DIGITS

IdentifierKind = Literal["id_number", "phone"]


@dataclass(frozen=True)
class DossierEvent:
    status: ApplicationStatusName
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class PlainOwner:
    """The applicant's identifiers as stored (the local database, a fresh upstream answer)."""

    id_number: str | None
    phone: str | None


@dataclass(frozen=True)
class DigestOwner:
    """The applicant's identifiers as keyed digests, full and last 4 digits (the cache): the
    right identifier still matches, and a leaked cache gives nobody an identifier."""

    id_number: str | None
    id_number_last: str | None
    phone: str | None
    phone_last: str | None


Owner = PlainOwner | DigestOwner


class IdentifierDigests:
    """HMAC-SHA256 under a secret of the connectors: the same value gives the same digest in
    every connectors process sharing the secret, and 4 digits cannot be reversed without it."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def owner(self, owner: Owner) -> DigestOwner:
        if isinstance(owner, DigestOwner):
            return owner

        def full(kind: IdentifierKind, value: str | None) -> str | None:
            return self(kind, value) if value else None

        def last(kind: IdentifierKind, value: str | None) -> str | None:
            return self(kind + ":last", value[-LAST_DIGITS:]) if value else None

        return DigestOwner(
            id_number=full("id_number", owner.id_number),
            id_number_last=last("id_number", owner.id_number),
            phone=full("phone", owner.phone),
            phone_last=last("phone", owner.phone),
        )


@dataclass(frozen=True)
class DossierRecord:
    """A dossier as the look-up shows it, plus its owner's identifiers for the ownership check.

    ``applicant_name`` is masked when shown (it may already be masked: the cache keeps no more).
    ``as_of`` is when an upstream answered it (None for the local database, which is the truth
    itself); ``stale`` marks a cached answer shown because the upstream is unavailable.
    """

    code: str
    status: ApplicationStatusName
    procedure_code: str
    procedure_name: str
    procedure_short_name: str | None
    applicant_name: str
    agency: str
    channel: str
    received_at: datetime
    owner: Owner
    due_at: datetime | None = None
    completed_at: datetime | None = None
    supplement_note: str | None = None
    supplement_due_at: datetime | None = None
    status_note: str | None = None  # the note of the latest step, when the source says it apart
    events: tuple[DossierEvent, ...] = field(default_factory=tuple)
    as_of: datetime | None = None
    stale: bool = False


class SourceUnavailable(Exception):
    """The source cannot answer now (upstream down, slow, circuit open): not the citizen's
    failure, so it never counts towards the per-code lockout."""


class SourceUnreadable(Exception):
    """The source answered something we cannot read (malformed body, unknown status): we never
    guess a dossier's status."""


class DossierSource(Protocol):
    name: str

    def fetch(self, session: Session, code: str, now: datetime) -> DossierRecord | None:
        """The dossier with this (normalised) code, whoever owns it; None when there is none.
        ``now`` is the connectors' clock (cache ages).

        Raises SourceUnavailable or SourceUnreadable."""
        ...
