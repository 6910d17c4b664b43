"""Dossier status notifications: who may follow a dossier, how a change is recorded, and the
notifier telling each follower once, through a bot that is a real HTTP server on loopback."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.applications.demo import known_dossiers
from connectors.applications.models import Application
from connectors.applications.service import ApplicationRecord, upsert_application
from connectors.notifications.models import StatusSubscription
from connectors.notifications.notifier import Notifier
from connectors.notifications.trigger import INTENT, BotTrigger
from tests.connectors.conftest import Clock

LOOKUP = "/api/v1/applications/lookup"
SUBSCRIBE = "/api/v1/notifications/subscriptions"
ID_NUMBER = "079203009999"  # invented (demo)
PHONE = "0900000999"  # invented (demo)
PROCEDURE = known_dossiers()[0].procedure_code


# --- a bot that records what the notifier asks it to say -----------------------------------------


@dataclass
class RecordingBot:
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: int = 0  # answer HTTP 500 to this many calls first
    url: str = ""


@pytest.fixture
def bot_server() -> Iterator[RecordingBot]:
    state = RecordingBot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.failures:
                state.failures -= 1
                self.send_response(500)
            else:
                parts = urlsplit(self.path)
                state.calls.append(
                    {"path": parts.path, "query": parse_qs(parts.query), "body": body}
                )
                self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = (
        f"http://127.0.0.1:{server.server_port}/conversations/{{sender}}/trigger_intent"
        "?output_channel=zalo"
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


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


def _notifier(client: TestClient, bot_server: RecordingBot, clock: Clock, name: str,
              lease_seconds: float = 60.0) -> Notifier:
    app = cast(FastAPI, client.app)
    notifier = Notifier(app.state.cache, app.state.session_factory,
                        BotTrigger(bot_server.url, "rasa-token"), name, lambda: clock.now,
                        lease_seconds=lease_seconds)
    notifier.ensure_group()
    return notifier


def _sent(bot_server: RecordingBot) -> list[tuple[str, str, str]]:
    return [
        (c["path"].split("/")[2], c["body"]["entities"]["notified_code"],
         c["body"]["entities"]["notified_status"])
        for c in bot_server.calls
    ]


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
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: RecordingBot,
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
    assert {c["body"]["name"] for c in bot_server.calls} == {INTENT}
    assert {c["query"]["token"][0] for c in bot_server.calls} == {"rasa-token"}
    assert {c["query"]["output_channel"][0] for c in bot_server.calls} == {"zalo"}


class Crash(Exception):
    pass


class CrashingBeforeAck(Notifier):
    def _ack(self, entry_id: str) -> None:
        raise Crash(entry_id)


def test_a_worker_that_crashes_between_send_and_ack_is_not_repeated(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: RecordingBot,
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
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: RecordingBot,
    first: str,
) -> None:
    _follow(bot, code, first)
    worker = _notifier(client, bot_server, clock, "a", lease_seconds=0.001)
    bot_server.failures = 1

    _change(bot, code, "done", clock.now)
    down = worker.run_once()
    up = worker.run_once()

    assert (down.failed, up.sent) == (1, 1)
    assert _sent(bot_server) == [(first, code, "done")]


@pytest.mark.parametrize(
    ("days_since_last_message", "told"), [(0, True), (6.9, True), (7, False), (30, False)]
)
def test_only_within_zalos_seven_day_window(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: RecordingBot,
    session: Session, days_since_last_message: float, told: bool,
    first: str,
) -> None:
    _follow(bot, code, first)
    worker = _notifier(client, bot_server, clock, "a")

    clock.tick(days=days_since_last_message)
    _change(bot, code, "done", clock.now)
    worker.run_once()

    assert bool(bot_server.calls) is told
    subscription = session.scalars(
        select(StatusSubscription).where(StatusSubscription.application_code == code)
    ).one()
    assert (subscription.expired_at is None) is told


def test_huy_thong_bao_stops_the_notifications(
    bot: TestClient, client: TestClient, code: str, clock: Clock, bot_server: RecordingBot,
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
