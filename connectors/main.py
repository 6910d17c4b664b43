"""The connectors API: the bot's single source of truth about the service portal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from connectors.admin.router import mount_admin
from connectors.applications.router import make_lookup_limiter
from connectors.applications.router import router as applications_router
from connectors.applications.sources.build import build_dossiers
from connectors.cache import Cache
from connectors.catalogue.schedule import sync_periodically
from connectors.conversations.router import router as conversations_router
from connectors.db import make_engine, make_session_factory
from connectors.errors import document_errors
from connectors.feedback.router import router as feedback_router
from connectors.feedback.worker import build_forwarder, forward_periodically
from connectors.health.router import router as health_router
from connectors.locality.router import router as locality_router
from connectors.notifications.router import router as notifications_router
from connectors.notifications.worker import (
    build_notifier,
    build_poller,
    notify_periodically,
)
from connectors.observability import Metrics, Observability, configure_logging
from connectors.observability import router as metrics_router
from connectors.privacy.retention import purge_periodically
from connectors.privacy.router import router as privacy_router
from connectors.procedures.router import router as procedures_router
from connectors.procedures.service import CatalogueService
from connectors.settings import Settings, get_settings
from connectors.staff.router import router as staff_router
from connectors.web.headers import SecurityHeaders
from connectors.web.router import router as web_router
from vnid import redact, request_id

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    redact.install()  # no citizen's ID number, phone or dossier code in a log line
    request_id.install()  # a request's log lines end with its id
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        cache = Cache(settings.redis_url, settings.redis_key_prefix, settings.cache_ttl_seconds)
        if not cache.ping():
            logger.warning(
                "Redis is not reachable at %s: running without cache", settings.redis_url
            )
        app.state.settings = settings
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.cache = cache
        app.state.catalogue = CatalogueService(cache)
        app.state.lookup_limiter = make_lookup_limiter(settings, cache)
        # dossier statuses: the local database or the province's system (DOSSIER_SOURCE); a
        # wrong file or a missing secret stops the start here, with the reason
        dossiers = build_dossiers(settings)
        app.state.dossiers = dossiers
        app.state.upstreams = {}  # the province's systems by name, for /health
        if dossiers.upstream is not None:
            app.state.upstreams[dossiers.upstream.name] = dossiers.upstream
        # the search index takes seconds to build for the whole catalogue: not on a citizen's turn
        app.state.catalogue.warm(app.state.session_factory)
        purging = asyncio.create_task(purge_periodically(app.state.session_factory, settings))
        # a newer national catalogue, when CATALOGUE_SYNC_URL and an interval are set
        catalogue_sync = asyncio.create_task(
            sync_periodically(app.state.session_factory, settings)
        )
        # complaints forwarded to the province's feedback system, when FEEDBACK_UPSTREAM_FILE says
        forwarder = build_forwarder(settings, app.state.session_factory)
        app.state.feedback_forwarder = forwarder
        forwarding: asyncio.Task[None] | None = None
        if forwarder is not None:
            app.state.upstreams["feedback"] = forwarder.client
            forwarding = asyncio.create_task(forward_periodically(forwarder, settings))
        # dossier status changes told to the citizens who follow them (NOTIFY_TRIGGER_URL)
        notifier = build_notifier(settings, cache, app.state.session_factory)
        app.state.notifier = notifier
        # with the province's dossiers, their changes are polled (NOTIFY_POLL_SECONDS)
        poller = build_poller(settings, cache, app.state.session_factory, dossiers)
        notifying = (
            asyncio.create_task(notify_periodically(notifier, settings, poller))
            if notifier else None
        )
        yield
        if notifying is not None:
            notifying.cancel()  # an entry in flight is acknowledged by nobody: retried later
        if forwarding is not None:
            forwarding.cancel()  # a send in flight finishes in its thread or is retried later
        if forwarder is not None:
            forwarder.close()
        purging.cancel()
        catalogue_sync.cancel()  # a sync in flight finishes in its thread, in one transaction
        dossiers.close()
        cache.close()
        engine.dispose()

    app = FastAPI(
        title="Trợ lý Dịch vụ công: connectors",
        version="0.1.0",
        description="Procedure catalogue, dossier status and feedback for the citizen-service bot.",
        lifespan=lifespan,
    )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse(
            status_code=422, content={"detail": "Dữ liệu gửi lên không hợp lệ.", "errors": errors}
        )

    app.add_middleware(SecurityHeaders, rasa_public_url=settings.rasa_public_url)
    # outermost: the id and the timing cover the other middleware too
    app.state.metrics = Metrics()
    app.add_middleware(Observability, metrics=app.state.metrics)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(locality_router)
    app.include_router(procedures_router)
    app.include_router(web_router)
    app.include_router(applications_router)
    app.include_router(feedback_router)
    app.include_router(conversations_router)
    app.include_router(privacy_router)
    app.include_router(notifications_router)
    app.include_router(staff_router)
    mount_admin(app)  # the staff console, /admin (its sign-in uses the staff router's limits)
    document_errors(app)  # the 422 body and the guards' 401/403 as really sent
    return app
