"""Actions under test talk to the real connectors app in-process (ASGI), on a seeded database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk import Tracker

from actions import runtime
from actions.clients.portal import PortalClient
from connectors.deps import current_time
from connectors.main import create_app
from connectors.manage import demo_data
from connectors.settings import Settings
from tests.connectors.conftest import REDIS_TEST_URL, SERVICE_TOKEN, _prepare

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def portal_database(full_catalogue_url: str) -> str:
    """The actions answer from the whole catalogue, as they do in production."""
    return full_catalogue_url


@asynccontextmanager
async def _portal_on(database_url: str, now: datetime | None = None) -> AsyncIterator[PortalClient]:
    """The connectors app in-process; ``now`` moves its clock (demo data must be dated alike)."""
    app = create_app(
        Settings(
            database_url=database_url,
            redis_url=REDIS_TEST_URL,
            redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
            connectors_service_token=SERVICE_TOKEN,
        )
    )
    if now is not None:
        app.dependency_overrides[current_time] = lambda: now
    runtime._locality = None  # each test reads the locality afresh
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://connectors") as http:
            yield PortalClient(
                "http://connectors", timeout=2.0, client=http, service_token=SERVICE_TOKEN
            )
    runtime._locality = None


@pytest.fixture
async def portal(portal_database: str) -> AsyncIterator[PortalClient]:
    async with _portal_on(portal_database) as client:
        yield client


@pytest.fixture
async def portal_a_year_ahead(tmp_path: Path) -> AsyncIterator[PortalClient]:
    """Everything a year from now: the demo loaded on that day, and the connectors' clock."""
    later = datetime.now(timezone.utc) + timedelta(days=365)
    url = f"sqlite:///{tmp_path / 'later.sqlite3'}"
    _prepare(url)
    demo_data(url, now=later)
    async with _portal_on(url, now=later) as client:
        yield client


class _DownTransport(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


class _SlowTransport(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={})


@pytest.fixture
async def portal_slow() -> AsyncIterator[PortalClient]:
    """A portal that accepts connections and never answers in time."""
    runtime._locality = None
    async with httpx.AsyncClient(transport=_SlowTransport(), base_url="http://slow") as http:
        yield PortalClient("http://slow", timeout=30.0, client=http)


@pytest.fixture
async def portal_down() -> AsyncIterator[PortalClient]:
    runtime._locality = None
    async with httpx.AsyncClient(transport=_DownTransport(), base_url="http://down") as http:
        yield PortalClient("http://down", timeout=0.5, client=http)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {
        "responses": {}, "slots": {}, "forms": {}, "intents": [], "entities": [],
    }
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("responses", "slots", "forms"):
            merged[key].update(part.get(key) or {})
        for key in ("intents", "entities"):
            merged[key].extend(part.get(key) or [])
    return merged


TrackerFactory = Callable[..., Tracker]


@pytest.fixture
def tracker() -> TrackerFactory:
    def build(
        text: str = "",
        intent: str = "ask_procedure",
        entities: dict[str, str] | None = None,
        slots: dict[str, Any] | None = None,
        active_loop: str | None = None,
        events: list[dict[str, Any]] | None = None,
        ranking: list[tuple[str, float]] | None = None,
    ) -> Tracker:
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
        }
        return Tracker(
            sender_id="test-citizen",
            slots=slots or {},
            latest_message=latest,
            events=events or [],
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return build
