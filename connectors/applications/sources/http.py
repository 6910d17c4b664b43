"""Dossiers read from a province's one-stop-shop system over HTTP, as its file describes them."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.applications.sources.base import (
    DossierRecord,
    SourceUnavailable,
    SourceUnreadable,
)
from connectors.applications.sources.mapping import (
    DossierUpstreamFile,
    MappingError,
    UnknownStatus,
    is_not_found,
    parse_dossier,
)
from connectors.procedures.models import Procedure
from connectors.upstream.client import UpstreamBadResponse, UpstreamClient, UpstreamUnavailable

logger = logging.getLogger(__name__)

# a provincial procedure code often extends the national one: 1.001193.000.00.00.H56 -> 1.001193
_NATIONAL_CODE = re.compile(r"^(\d\.\d{6})\b")
# the upstream refused our credentials: an operator's problem, shown to citizens as "busy"
_REFUSED = frozenset({401, 403})


class HttpSource:
    name = "upstream"

    def __init__(self, client: UpstreamClient, mapping: DossierUpstreamFile) -> None:
        self._client = client
        self._mapping = mapping

    def fetch(self, session: Session, code: str, now: datetime) -> DossierRecord | None:
        shape = self._mapping.request
        try:
            response = self._client.request(
                shape.method,
                shape.path.replace("{code}", quote(code, safe="")),
                idempotent=shape.idempotent,
                json=_fill(shape.body, code) if shape.method == "POST" else None,
                params={k: v.replace("{code}", code) for k, v in shape.params.items()} or None,
                headers={k: v.replace("{code}", code) for k, v in shape.headers.items()} or None,
            )
        except UpstreamUnavailable as exc:
            raise SourceUnavailable(str(exc)) from exc
        name = self._client.name
        if response.status_code in self._mapping.response.not_found.http_status:
            return None
        if response.status_code in _REFUSED:
            logger.error(
                "upstream %s refused our credentials (HTTP %d): check the key or client secret "
                "named in its file",
                name,
                response.status_code,
            )
            raise SourceUnavailable(f"HTTP {response.status_code}")
        if not 200 <= response.status_code < 300:
            logger.warning("upstream %s answered HTTP %d to a look-up", name, response.status_code)
            raise SourceUnreadable(f"HTTP {response.status_code}")
        try:
            body = self._client.json(response)
        except UpstreamBadResponse as exc:
            logger.warning("upstream %s: %s", name, exc)
            raise SourceUnreadable(str(exc)) from exc
        if is_not_found(self._mapping, body):
            return None
        try:
            record = parse_dossier(self._mapping, body, code)
        except UnknownStatus as exc:
            # never guessed: the operator adds the value to `statuses:` in the province's file
            logger.warning(
                "upstream %s: status %r (in %s) is not in the file's statuses: answering "
                "'cannot read'; add it to the mapping",
                name,
                exc.raw,
                exc.where,
            )
            raise SourceUnreadable(str(exc)) from exc
        except MappingError as exc:
            logger.warning("upstream %s: answer does not fit the mapping: %s", name, exc)
            raise SourceUnreadable(str(exc)) from exc
        return _named(session, record)


def _fill(template: Any, code: str) -> Any:
    if isinstance(template, str):
        return template.replace("{code}", code)
    if isinstance(template, dict):
        return {k: _fill(v, code) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, code) for v in template]
    return template


def _named(session: Session, record: DossierRecord) -> DossierRecord:
    """Our catalogue's name for the procedure when we know its code (the bot can then answer
    "thủ tục này phí bao nhiêu?"), else the upstream's."""
    upstream_code = record.procedure_code
    candidates = [upstream_code] if upstream_code else []
    national = _NATIONAL_CODE.match(upstream_code)
    if national and national[1] != upstream_code:
        candidates.append(national[1])
    rows = (
        {
            row.code: row
            for row in session.execute(
                select(Procedure.code, Procedure.name, Procedure.short_name).where(
                    Procedure.code.in_(candidates)
                )
            )
        }
        if candidates
        else {}
    )
    for candidate in candidates:
        row = rows.get(candidate)
        if row is not None:
            return replace(
                record,
                procedure_code=row.code,
                procedure_name=row.name,
                procedure_short_name=row.short_name,
            )
    return replace(record, procedure_name=record.procedure_name or upstream_code)
