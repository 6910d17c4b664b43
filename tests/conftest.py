"""Fixtures shared by every test that runs in the app environment.

This file is also read by the Rasa environment's pytest (tests/bot), which has neither the
connectors' libraries nor needs them: imports stay inside the fixtures.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from scripts.stack import Stack


@pytest.fixture(scope="session")
def full_catalogue_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database as `make run` builds it: curated entries, the whole shipped national catalogue
    with its aliases and twins, and the demo dossiers dated for today. Built once per session."""
    from connectors import manage
    from connectors.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'portal.sqlite3'}"
    manage.migrate(url)
    manage.seed(url)
    manage.national(url, Settings().national_catalogue_file)
    manage.demo_data(url, datetime.now(timezone.utc))
    return url


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real stack (connectors, action server, Rasa with the current model) on free loopback
    ports, as `make run` starts it; the model is trained if missing."""
    from scripts.stack import Config, Stack, free_port
    from tests.e2e.conftest import REDIS_URL

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


def rest_say(rasa_url: str) -> Callable[[str, str], list[dict[str, Any]]]:
    """Sends one message over the REST channel and returns the bot's replies."""
    import httpx

    def send(sender: str, message: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        response.raise_for_status()
        body: list[dict[str, Any]] = response.json()
        return body

    return send


@pytest.fixture
def say(stack: Stack) -> Callable[[str, str], list[dict[str, Any]]]:
    return rest_say(stack.config.rasa_url)


@pytest.fixture
def sender() -> str:
    return f"citizen-{uuid.uuid4().hex[:8]}"
