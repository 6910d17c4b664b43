from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from connectors.deps import CacheDep, SessionDep, SettingsDep
from connectors.feedback.worker import Forwarder
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
    return body
