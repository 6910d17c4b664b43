"""The connectors app served by uvicorn on loopback in a thread, with an editor account: what the
console's browser tests open (the catalogue and the intents pages)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import redis
import uvicorn

from connectors.main import create_app
from connectors.settings import Settings
from connectors.staff.schemas import StaffCreate
from connectors.staff.service import create_account
from scripts.stack import free_port
from tests.connectors.conftest import REDIS_TEST_URL, STAFF_PASSWORD

START_SECONDS = 60


@contextmanager
def serve_console(settings: Settings, editor_name: str) -> Iterator[tuple[str, str]]:
    """(base URL, username of a new editor); the app's Redis keys are removed afterwards."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        assert time.monotonic() < deadline, "the connectors did not start"
        time.sleep(0.1)
    username = f"editor-{uuid.uuid4().hex[:6]}"
    with app.state.session_factory() as session:
        create_account(session, StaffCreate(
            username=username, display_name=editor_name, role="editor",
            password=STAFF_PASSWORD), datetime.now(timezone.utc))
    try:
        yield f"http://127.0.0.1:{port}", username
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        client = redis.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter(match=settings.redis_key_prefix + "*"):
            client.delete(key)
        client.close()
