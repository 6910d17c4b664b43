"""Fixtures of the feedback-upstream tests (outbox and sync): the fake provincial feedback
system, a connectors instance's forwarder at a test clock, and a complaint to send.

``clock`` here is the forwarder's own clock, not the API's of tests/connectors/conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from connectors.db import make_engine, make_session_factory
from connectors.feedback.models import FeedbackOutbox
from connectors.feedback.schemas import FeedbackCreate
from connectors.feedback.service import create_feedback
from connectors.feedback.worker import Forwarder, build_forwarder
from connectors.settings import Settings
from tests.connectors.conftest import Clock
from tests.fakes.feedback_system import (
    API_KEY,
    API_KEY_ENV,
    FakeFeedbackSystem,
    province_file,
    running,
)

COMPLAINT = FeedbackCreate(
    topic="Đèn đường hỏng",
    description="Đèn đường trước số 12 đường Mẫu hỏng hơn một tuần, buổi tối rất tối (demo).",
    location="Số 12 đường Mẫu, phường Trung Tâm",
    contact_name="Nguyễn Văn Mẫu",
    contact_phone="0912345678",
)
# short waits for the fake's slow mode; the test never asserts on them
RESILIENCE = {"timeout_seconds": 1.0, "breaker_failures": 100}

ForwarderFactory = Callable[..., Forwarder]


@pytest.fixture
def fake() -> Iterator[FakeFeedbackSystem]:
    with running(slow_seconds=3.0) as system:
        yield system


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    with session_factory() as session:  # the outbox is shared by the session's database
        session.execute(delete(FeedbackOutbox))
        session.commit()
    yield session_factory
    engine.dispose()


@pytest.fixture
def clock(clock_start: datetime) -> Clock:
    return Clock(clock_start)


@pytest.fixture
def make_forwarder(
    fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock, tmp_path: Path,
) -> Iterator[ForwarderFactory]:
    """A connectors instance's forwarder at the test's clock (several: several instances)."""
    made: list[Forwarder] = []

    def build(**sections: dict[str, Any]) -> Forwarder:
        sections.setdefault("resilience", RESILIENCE)
        path = province_file(fake, tmp_path, **sections)
        settings = Settings(feedback_upstream_file=path)
        forwarder = build_forwarder(
            settings, factory, environ={API_KEY_ENV: API_KEY}, clock=lambda: clock.now
        )
        assert forwarder is not None
        made.append(forwarder)
        return forwarder

    yield build
    for forwarder in made:
        forwarder.close()


@pytest.fixture
def forwarder(make_forwarder: ForwarderFactory) -> Forwarder:
    return make_forwarder()


def submit(
    factory: sessionmaker[Session], clock: Clock, data: FeedbackCreate = COMPLAINT
) -> str:
    with factory() as session:
        return create_feedback(session, data, clock.now, forward=True).tracking_code


def outbox_row(factory: sessionmaker[Session], code: str) -> FeedbackOutbox:
    with factory() as session:
        row = session.get(FeedbackOutbox, code)
        assert row is not None
        return row


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Polls until ``condition`` holds (the connectors' own background task does the work)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.05)


