"""Dossier status notifications: who may follow a dossier, how a change is recorded, and the
notifier telling each follower once, through a bot that is a real HTTP server on loopback."""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.applications.demo import known_dossiers
from connectors.applications.models import Application
from connectors.applications.service import ApplicationRecord, upsert_application
from connectors.main import create_app
from connectors.notifications.models import StatusSubscription
from connectors.notifications.notifier import Notifier, Report
from connectors.notifications.trigger import INTENT, BotTrigger
from tests.connectors.conftest import Clock
from tests.fakes.bot_trigger import FakeBot

LOOKUP = "/api/v1/applications/lookup"
SUBSCRIBE = "/api/v1/notifications/subscriptions"
ID_NUMBER = "079203009999"  # invented (demo)
PHONE = "0900000999"  # invented (demo)
# real time between two worker rounds in the tests (the lease they use is 1 ms)
LEASE_GAP = 0.005
PROCEDURE = known_dossiers()[0].procedure_code


# --- a bot that records what the notifier asks it to say -----------------------------------------


@pytest.fixture
def bot_server() -> Iterator[FakeBot]:
    with FakeBot() as fake:
        yield fake


# --- a dossier of the test's own (the demo ones are shared by the whole session) ----------------


@pytest.fixture
def code(client: TestClient, clock: Clock) -> str:
    # the database is shared by the session: a code of its own, unlikely to be drawn twice
    day = f"26{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    code = f"000.00.99.H56-{day}-{random.randrange(10_000):04d}"
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        upsert_application(
            session,
            ApplicationRecord(
                code=code, procedure_code=PROCEDURE, applicant_name="Nguyễn Văn Thử (demo)",
                id_number=ID_NUMBER, phone=PHONE, status="in_progress",
                received_at=clock.now - timedelta(days=3), due_at=clock.now + timedelta(days=5),
                agency="UBND phường Thử Nghiệm (demo)", channel="in_person",
            ),
        )
        session.commit()
    return code


@pytest.fixture
def first() -> str:
    """A Zalo conversation of the test's own."""
    return f"zalo-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def second() -> str:
    return f"zalo-{uuid.uuid4().hex[:12]}"


def _look_up(bot: TestClient, code: str, sender: str) -> None:
    response = bot.post(LOOKUP, json={"code": code, "phone": PHONE[-4:]},
                        headers={"X-Client-Id": sender})
    assert response.status_code == 200, response.text


def _follow(bot: TestClient, code: str, sender: str) -> None:
    _look_up(bot, code, sender)
    response = bot.post(SUBSCRIBE, json={"code": code, "sender_id": sender})
    assert response.status_code == 201, response.text


def _change(bot: TestClient, code: str, status: str, at: datetime) -> Any:
    response = bot.post(f"/api/v1/applications/{code}/events",
                        json={"status": status, "at": at.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()


def _notifier(client: TestClient, bot_server: FakeBot, clock: Clock, name: str,
              lease_seconds: float = 60.0, **limits: Any) -> Notifier:
    app = cast(FastAPI, client.app)
    notifier = Notifier(app.state.cache, app.state.session_factory,
                        BotTrigger(bot_server.url, "rasa-token"), name, lambda: clock.now,
                        lease_seconds=lease_seconds, **limits)
    notifier.ensure_group()
    return notifier


def _sent(bot_server: FakeBot) -> list[tuple[str, str, str]]:
    return bot_server.told()


# --- who may follow ------------------------------------------------------------------------------


def test_a_conversation_follows_only_a_dossier_it_looked_up_itself(
    bot: TestClient, code: str,
    first: str, second: str,
) -> None:
    refused = bot.post(SUBSCRIBE, json={"code": code, "sender_id": first})
    assert refused.status_code == 403
    _look_up(bot, code, second)  # another conversation's proof is not this one's
    assert bot.post(SUBSCRIBE, json={"code": code, "sender_id": first}).status_code == 403

    _look_up(bot, code, first)
    accepted = bot.post(SUBSCRIBE, json={"code": code, "sender_id": first})

    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["code"] == code


def test_a_failed_look_up_is_no_proof(bot: TestClient, code: str, first: str) -> None:
    wrong = bot.post(LOOKUP, json={"code": code, "phone": "0000"},
                     headers={"X-Client-Id": first})
    assert wrong.status_code == 404
    assert bot.post(SUBSCRIBE, json={"code": code, "sender_id": first}).status_code == 403


@pytest.mark.parametrize("path", [SUBSCRIBE, "/api/v1/applications/x/events"])
def test_only_the_action_server_calls_these(client: TestClient, path: str) -> None:
    assert client.post(path, json={}).status_code == 401


# --- recording a change --------------------------------------------------------------------------


def test_a_change_is_recorded_once_and_queued_once(
    bot: TestClient, code: str, clock: Clock, session: Session,
) -> None:
    at = clock.now

    recorded = _change(bot, code, "done", at)
    again = _change(bot, code, "done", at)  # the office's system retries after a lost answer
    same_status = _change(bot, code, "done", at + timedelta(minutes=5))

    assert (recorded["changed"], recorded["queued"]) == (True, True)
    assert (again["changed"], again["queued"]) == (False, False)
    assert (same_status["changed"], same_status["queued"]) == (False, False)
    application = session.get(Application, code)
    assert application is not None and application.status == "done"
    assert [e.status for e in application.events] == ["done"]


# --- telling the followers -----------------------------------------------------------------------


def test_a_change_reaches_each_follower_once_with_two_workers(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str, second: str,
) -> None:
    _follow(bot, code, first)
    _follow(bot, code, second)
    workers = [_notifier(client, bot_server, clock, name) for name in ("a", "b")]

    _change(bot, code, "needs_supplement", clock.now)
    for _ in range(3):
        for worker in workers:
            worker.run_once()

    assert sorted(_sent(bot_server)) == sorted([
        (first, code, "needs_supplement"), (second, code, "needs_supplement"),
    ])
    assert {c["body"]["name"] for c in bot_server.received} == {INTENT}
    assert {c["query"]["token"][0] for c in bot_server.received} == {"rasa-token"}
    assert {c["query"]["output_channel"][0] for c in bot_server.received} == {"zalo"}


class Crash(Exception):
    pass


class CrashingBeforeAck(Notifier):
    def _ack(self, entry_id: str) -> None:
        raise Crash(entry_id)


def test_a_worker_that_crashes_between_send_and_ack_is_not_repeated(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str,
) -> None:
    _follow(bot, code, first)
    app = cast(FastAPI, client.app)
    crashing = CrashingBeforeAck(app.state.cache, app.state.session_factory,
                                 BotTrigger(bot_server.url, "rasa-token"), "a", lambda: clock.now,
                                 lease_seconds=0.001)
    crashing.ensure_group()
    survivor = _notifier(client, bot_server, clock, "b", lease_seconds=0.001)

    _change(bot, code, "done", clock.now)
    with pytest.raises(Crash):
        crashing.run_once()
    report = survivor.run_once()  # claims the unacknowledged entry

    assert _sent(bot_server) == [(first, code, "done")]
    assert (report.sent, report.skipped) == (0, 1)
    assert survivor.run_once() == type(report)()  # acknowledged: nothing left


def test_a_change_waits_while_the_bot_is_down(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str,
) -> None:
    _follow(bot, code, first)
    worker = _notifier(client, bot_server, clock, "a", lease_seconds=0.001)
    bot_server.failures = 1

    _change(bot, code, "done", clock.now)
    down = worker.run_once()
    clock.tick(seconds=1)  # past the wait after a failure (here the lease)
    up = worker.run_once()

    assert (down.failed, up.sent) == (1, 1)
    assert _sent(bot_server) == [(first, code, "done")]


def test_a_closed_window_tells_nothing_now_and_the_next_change_is_tried_again(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    session: Session, first: str, second: str,
) -> None:
    # only the bot sees the citizen's last message: it says the window is closed for ``first``
    _follow(bot, code, first)
    _follow(bot, code, second)
    worker = _notifier(client, bot_server, clock, "a", lease_seconds=0.001)
    bot_server.closed.add(first)

    _change(bot, code, "needs_supplement", clock.now)
    closed = worker.run_once()
    after = worker.run_once()  # handled: the closed window is not retried
    bot_server.closed.clear()  # the citizen wrote to the OA meanwhile
    _change(bot, code, "done", clock.tick(hours=1))
    reopened = worker.run_once()

    assert (closed.sent, closed.expired, closed.failed) == (1, 1, 0)
    assert after == Report()
    assert (reopened.sent, reopened.expired) == (2, 0)
    assert _sent(bot_server) == [
        (second, code, "needs_supplement"), (first, code, "done"), (second, code, "done"),
    ]
    followed = session.scalars(
        select(StatusSubscription).where(StatusSubscription.application_code == code)
    ).all()
    assert [(s.cancelled_at, s.expired_at) for s in followed] == [(None, None), (None, None)]


# --- a bot that keeps failing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_attempts", "give_up_hours", "minutes_between_tries", "tries"),
    [
        (3, 24, 1, 3),  # the third failure gives up
        (10, 1, 25, 4),  # 0, 25, 50 min: tried again; 75 min after the first failure: given up
        (1, 24, 1, 1),
    ],
)
def test_a_bot_that_keeps_failing_is_given_up_counted_and_acknowledged(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str, caplog: pytest.LogCaptureFixture,
    max_attempts: int, give_up_hours: float, minutes_between_tries: float, tries: int,
) -> None:
    _follow(bot, code, first)
    worker = _notifier(client, bot_server, clock, "a", lease_seconds=0.001,
                       max_attempts=max_attempts, give_up_after=timedelta(hours=give_up_hours))
    bot_server.failures = 1000

    _change(bot, code, "done", clock.now)
    reports = []
    with caplog.at_level(logging.WARNING, logger="connectors.notifications.notifier"):
        for _ in range(tries):
            reports.append(worker.run_once())
            clock.tick(minutes=minutes_between_tries)
            time.sleep(LEASE_GAP)
    refused = 1000 - bot_server.failures
    bot_server.failures = 0  # the bot is back: the given-up change stays untold
    after = worker.run_once()

    assert [(r.failed, r.given_up) for r in reports] == [(1, 0)] * (tries - 1) + [(0, 1)]
    assert refused == tries
    assert after == Report()
    assert _sent(bot_server) == []
    given_up = [r for r in caplog.records if "given up" in r.getMessage()]
    assert [(r.levelname, r.getMessage().startswith(
        f"notification given up after {tries} failed attempts")) for r in given_up
    ] == [("WARNING", True)]
    health = client.get("/health").json()["notifications"]
    assert (health["given_up"], health["pending"]) == (1, 0)


def test_huy_thong_bao_stops_the_notifications(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str, second: str,
) -> None:
    _follow(bot, code, first)
    _follow(bot, code, second)
    worker = _notifier(client, bot_server, clock, "a")

    cancelled = bot.delete(f"{SUBSCRIBE}/{first}")
    _change(bot, code, "done", clock.now)
    worker.run_once()

    assert cancelled.json() == {"cancelled": 1}
    assert _sent(bot_server) == [(second, code, "done")]


def test_forgetting_a_conversation_erases_its_subscriptions(
    bot: TestClient, code: str, staff_client: Any, session: Session,
    first: str,
) -> None:
    _follow(bot, code, first)

    erased = staff_client("admin").delete(f"/api/v1/privacy/conversations/{first}")

    assert erased.json()["subscriptions"] == 1
    assert session.scalars(
        select(StatusSubscription).where(StatusSubscription.sender_id == first)
    ).all() == []


def test_a_refused_delivery_waits_twice_as_long_each_time(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str,
) -> None:
    _follow(bot, code, first)
    worker = _notifier(client, bot_server, clock, "a", lease_seconds=0.001, max_attempts=4,
                       first_retry=timedelta(minutes=1))
    bot_server.failures = 1000
    _change(bot, code, "done", clock.now)

    tried_at, given_up_at = [], []
    for minute in range(10):  # a worker round every minute
        refused = bot_server.failures
        report = worker.run_once()
        if bot_server.failures < refused:
            tried_at.append(minute)
        if report.given_up:
            given_up_at.append(minute)
        clock.tick(minutes=1)
        # a real round is seconds apart: the entry's idle time in Redis (real time) must pass
        # the 1 ms lease before it can be claimed again, whatever the injected clock says
        time.sleep(LEASE_GAP)

    assert tried_at == [0, 1, 3, 7]  # waits of 1, 2 and 4 minutes
    assert given_up_at == [7]  # the fourth failure


# --- /health -------------------------------------------------------------------------------------


def test_health_reports_the_changes_not_yet_told(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: FakeBot,
    first: str,
) -> None:
    _follow(bot, code, first)
    worker = _notifier(client, bot_server, clock, "a")
    empty = client.get("/health").json()["notifications"]
    _change(bot, code, "needs_supplement", clock.now)
    _change(bot, code, "done", clock.tick(minutes=1))
    bot_server.failures = 1  # the first change fails: pending; the second is told
    worker.run_once()

    health = client.get("/health").json()["notifications"]

    assert empty == {
        "configured": False, "polls_upstream": False, "stream_length": 0, "pending": 0,
        "oldest_pending_seconds": None, "given_up": 0,
    }
    oldest = health.pop("oldest_pending_seconds")
    assert health == {
        "configured": False, "polls_upstream": False, "stream_length": 2, "pending": 1,
        "given_up": 0,
    }
    assert 0 <= oldest < 60  # emitted by this test, a moment ago (Redis's clock)
    assert _sent(bot_server) == [(first, code, "done")]


@pytest.mark.parametrize(
    ("trigger_url", "source", "configured", "polls"),
    [("", "local", False, False), ("bot", "local", True, False)],
)
def test_health_says_whether_the_notifier_runs(
    settings: Any, bot_server: FakeBot, trigger_url: str, source: str, configured: bool,
    polls: bool,
) -> None:
    running = settings.model_copy(update={
        "notify_trigger_url": bot_server.url if trigger_url else "",
        "notify_interval_seconds": 3600, "dossier_source": source,
    })
    with TestClient(create_app(running)) as client:
        health = client.get("/health").json()["notifications"]

    assert {k: health[k] for k in ("configured", "polls_upstream", "pending", "given_up")} == {
        "configured": configured, "polls_upstream": polls, "pending": 0, "given_up": 0,
    }
