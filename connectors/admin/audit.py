"""Recording and reading the console's audit log (connectors/admin/models.py)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.admin.models import ACTION_LENGTH, TARGET_LENGTH, AuditEntry
from connectors.applications.service import as_utc
from connectors.staff.models import StaffAccount

logger = logging.getLogger(__name__)


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    session: Session,
    actor: StaffAccount | str,
    action: str,
    target: str,
    *,
    before: object = None,
    after: object = None,
    now: datetime,
    commit: bool = True,
) -> AuditEntry:
    """One audit entry. ``before``/``after`` are any JSON-able values (dicts, lists, text).

    ``commit=False`` leaves it in the caller's transaction, so a database change and its entry
    are kept or lost together.
    """
    username = actor if isinstance(actor, str) else actor.username
    entry = AuditEntry(
        at=as_utc(now), actor=username, action=action[:ACTION_LENGTH],
        target=target[:TARGET_LENGTH], before=_json(before), after=_json(after),
    )
    session.add(entry)
    if commit:
        session.commit()
    logger.info("audit: %s %s %s", username, entry.action, entry.target)
    return entry


def newest(
    session: Session, limit: int = 100, *, action_prefix: str = "", actor: str = ""
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query))
