from __future__ import annotations

import logging
from typing import Any

import redis as redis_errors
from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from connectors.deps import CacheDep, SessionDep, SettingsDep
from connectors.feedback.worker import Forwarder
from connectors.notifications.stream import backlog as notify_backlog
from connectors.upstream.client import UpstreamClient

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health")
def health(
    request: Request,
    session: SessionDep,
    cache: CacheDep,
    settings: SettingsDep,
    response: Response,
) -> dict[str, Any]:
    try:
        session.execute(text("SELECT 1"))
        database: dict[str, Any] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - health reports any database failure
        logger.error("database check failed: %s", exc)
        database = {"ok": False, "error": type(exc).__name__}
    database["backend"] = "sqlite" if settings.is_sqlite else "postgresql"
    redis_ok = cache.ping()
    redis: dict[str, Any] = {"ok": redis_ok}
    if not redis_ok:
        redis["note"] = "Redis unreachable: serving without cache, rate limits kept in memory"
    status = "ok" if database["ok"] and redis_ok else ("degraded" if database["ok"] else "down")
    # a province's upstream systems (connectors/upstream): an open circuit degrades, never 503,
    # since the bot still answers procedures
    clients: dict[str, UpstreamClient] = getattr(request.app.state, "upstreams", {})
    upstreams = {name: client.health() for name, client in clients.items()}
    if status == "ok" and any(u["state"] != "closed" for u in upstreams.values()):
        status = "degraded"
    if not database["ok"]:
        response.status_code = 503
    body: dict[str, Any] = {
        "status": status, "database": database, "redis": redis, "upstreams": upstreams
    }
    # complaints not yet in the province's feedback system (connectors/feedback/outbox.py)
    forwarder: Forwarder | None = getattr(request.app.state, "feedback_forwarder", None)
    if forwarder is not None and database["ok"]:
        body["feedback_outbox"] = forwarder.backlog().as_dict()
    # dossier status changes not yet told (connectors/notifications): configured says whether
    # this instance's notifier runs (NOTIFY_TRIGGER_URL), polls whether it also reads the
    # province's dossiers for changes
    configured = getattr(request.app.state, "notifier", None) is not None
    notifications: dict[str, Any] = {
        "configured": configured,
        "polls_upstream": configured and settings.dossier_source == "upstream",
    }
    try:
        notifications.update(notify_backlog(cache).as_dict() if redis_ok else _UNKNOWN)
    except redis_errors.RedisError as exc:
        logger.error("notification backlog not read: %s", exc)
        notifications.update(_UNKNOWN)
    body["notifications"] = notifications
    return body


# Redis unreachable: the stream cannot be read
_UNKNOWN: dict[str, Any] = {
    "stream_length": None, "pending": None, "oldest_pending_seconds": None, "given_up": None,
}
