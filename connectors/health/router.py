from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text

from connectors.deps import CacheDep, SessionDep, SettingsDep

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health")
def health(
    session: SessionDep, cache: CacheDep, settings: SettingsDep, response: Response
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
    if not database["ok"]:
        response.status_code = 503
    return {"status": status, "database": database, "redis": redis}
