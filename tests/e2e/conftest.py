"""The real stack (connectors, action server, Rasa with the current model) on free loopback ports.

The model is the one `make train` builds for the current data; it is trained here if missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import Config, Stack, free_port

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir: Path = tmp_path_factory.mktemp("stack")
    config = Config(
        connectors_port=free_port(),
        actions_port=free_port(),
        rasa_port=free_port(),
        database_url=f"sqlite:///{workdir / 'portal.sqlite3'}",
        redis_url=REDIS_URL,
        redis_key_prefix=f"e2e{uuid.uuid4().hex[:8]}",
        log_dir=workdir / "log",
    )
    running = Stack(config)
    model = running.prepare()
    running.start(model)
    yield running
    running.stop()


Say = Callable[[str, str], list[dict[str, Any]]]


@pytest.fixture
def say(stack: Stack) -> Say:
    def send(sender: str, message: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{stack.config.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        response.raise_for_status()
        body: list[dict[str, Any]] = response.json()
        return body

    return send


@pytest.fixture
def sender() -> str:
    return f"citizen-{uuid.uuid4().hex[:8]}"
