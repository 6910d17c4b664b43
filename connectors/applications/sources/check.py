"""`manage check-upstream`: a province's dossier file tried before citizens use it.

A file whose path, status words or field names do not fit the vendor's API shows up as 404s
(which count towards the lockout) or as "cannot read" answers. This reads the file, checks the
secrets it names, and looks up one test dossier, showing what the bot would take from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from connectors.applications.schemas import STATUS_LABELS
from connectors.applications.sources.base import (
    DossierRecord,
    PlainOwner,
    SourceUnavailable,
    SourceUnreadable,
)
from connectors.applications.sources.build import DossierSourceError, read_mapping
from connectors.applications.sources.http import HttpSource
from connectors.upstream.client import UpstreamClient, UpstreamConfigError
from vnid import mask_digits, mask_name


@dataclass
class UpstreamCheck:
    """What the operator reads: one line per finding; ``ok`` when the file is ready."""

    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def good(self, line: str) -> None:
        self.lines.append("OK    " + line)

    def bad(self, line: str) -> None:
        self.ok = False
        self.lines.append("FAIL  " + line)


def check_upstream(
    file: Path,
    session: Session,
    code: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> UpstreamCheck:
    check = UpstreamCheck()
    try:
        mapping = read_mapping(file)
    except DossierSourceError as exc:
        check.bad(str(exc))
        return check
    upstream = mapping.upstream
    check.good(f"{file}: upstream {upstream.name!r} at {upstream.base_url}, "
               f"auth {upstream.auth.kind}, {len(mapping.statuses)} status words mapped")
    try:
        client = UpstreamClient(upstream, environ=environ, transport=transport)
    except UpstreamConfigError as exc:
        check.bad(str(exc))
        return check
    check.good("every secret the file names is set")
    if code is None:
        check.lines.append("      (give --code with a test dossier's code to try a look-up)")
        client.close()
        return check
    try:
        record = HttpSource(client, mapping).fetch(session, code, now())
    except SourceUnavailable as exc:
        check.bad(f"look-up of {code}: the system did not answer ({exc})")
    except SourceUnreadable as exc:
        check.bad(f"look-up of {code}: the answer does not fit the file ({exc})")
    else:
        if record is None:
            check.bad(f"look-up of {code}: not found. If the dossier exists, the request path or "
                      "the not-found rule of the file is wrong (a citizen would hear 'không tìm "
                      "thấy', and the code would count towards its lockout)")
        else:
            _describe(check, record)
    finally:
        client.close()
    return check


def _describe(check: UpstreamCheck, record: DossierRecord) -> None:
    check.good(f"look-up of {record.code}: {record.status} ({STATUS_LABELS[record.status]})")
    owner = record.owner
    if isinstance(owner, PlainOwner):
        identifiers = f"CCCD {mask_digits(owner.id_number)}, phone {mask_digits(owner.phone)}"
        if not owner.id_number and not owner.phone:
            check.bad("no CCCD and no phone in the answer: nobody could ever prove ownership "
                      "(fields.id_number / fields.phone)")
    else:
        identifiers = "digests only"
    procedure = record.procedure_short_name or record.procedure_name
    for label, value in (
        ("procedure", f"{record.procedure_code} {procedure}"),
        ("applicant", f"{mask_name(record.applicant_name)} ({identifiers})"),
        ("agency", record.agency),
        ("received", record.received_at.isoformat()),
        ("due", record.due_at.isoformat() if record.due_at else "-"),
        ("supplement", record.supplement_note or "-"),
        ("history", f"{len(record.events)} steps"),
    ):
        check.lines.append(f"      {label}: {value}")
