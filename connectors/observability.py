"""Request ids and Prometheus metrics for the connectors.

Each request takes the caller's ``X-Request-ID`` (the action server passes on the id of the
citizen's message) or gets one, answers with it, and every log line made while it is handled ends
with it; one access line per request gives the route *template* (never a path that holds a
dossier code), the status and the time. ``GET /metrics`` exposes, in Prometheus' text format,
requests by route template, method and status, and their duration.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vnid import request_id

logger = logging.getLogger("connectors.access")

# seconds: a cached answer takes milliseconds, the province's system up to its time-out
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def configure_logging() -> None:
    """The connectors' own INFO lines (the access line included) on stderr, next to uvicorn's;
    without it only warnings would show (Python's last-resort handler). Idempotent."""
    package = logging.getLogger("connectors")
    if package.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
    package.addHandler(handler)
    package.setLevel(logging.INFO)


class Metrics:
    """The connectors' metrics, in a registry of their own (one per app: tests build many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tldvc_connectors_requests_total", "HTTP requests answered",
            ["method", "route", "status"], registry=self.registry,
        )
        self.seconds = Histogram(
            "tldvc_connectors_request_seconds", "Time to answer an HTTP request",
            ["route"], buckets=BUCKETS, registry=self.registry,
        )


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class Observability:
    """Pure ASGI middleware (no buffering of bodies, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        rid = request_id.accept(headers.get(request_id.HEADER.lower()))
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"], (request_id.HEADER.encode(), rid.encode())
                ]
            await send(message)

        context = request_id.current.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_of(scope)
            method = str(scope.get("method", "?"))
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.seconds.labels(route).observe(elapsed)
            logger.info("%s %s %d %.1f ms", method, route, status, elapsed * 1000)
            request_id.current.reset(context)


router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus' text format; no personal data (route templates, counts, durations)."""
    registry: Any = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
