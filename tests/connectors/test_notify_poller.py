"""Status notifications for dossiers kept in the province's system (DOSSIER_SOURCE=upstream): they
change there, so the notifier's worker polls the followed ones and emits what changed, once,
however many connectors instances poll, and never again after a restart.

The connectors read the shipped example file pointed at the fake one-stop system
(tests/fakes/one_stop.py); the bot is a fake trigger endpoint (tests/fakes/bot_trigger.py).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete

from connectors.db import make_engine, make_session_factory
from connectors.deps import current_time
from connectors.main import create_app
from connectors.notifications.models import StatusSubscription
from connectors.notifications.notifier import Notifier
from connectors.notifications.poller import Poller
from connectors.notifications.stream import stream_key
from connectors.notifications.trigger import BotTrigger
from connectors.settings import Settings
from tests.connectors.conftest import (
    REDIS_TEST_URL,
    SERVICE,
    SERVICE_TOKEN,
    Clock,
    sqlite_with_demo,
)
from tests.fakes.bot_trigger import FakeBot
from tests.fakes.one_stop import (
    ID_NUMBER,
    SUPPLEMENT_CODE,
    FakeOneStop,
    province_file,
    running,
    secrets_env,
    when,
)

LOOKUP = "/api/v1/applications/lookup"
SUBSCRIBE = "/api/v1/notifications/subscriptions"
RESILIENCE = {"timeout_seconds": 2, "backoff_seconds": 0.01, "breaker_failures": 50}


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_with_demo(tmp_path_factory, "poller")


@pytest.fixture(autouse=True)
def nobody_follows(database_url: str) -> None:
    """The module shares its database: each test starts with no subscription."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        session.execute(delete(StatusSubscription))
        session.commit()
    engine.dispose()


@pytest.fixture(autouse=True)
def upstream_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in secrets_env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def fake(clock_start: datetime) -> Iterator[FakeOneStop]:
    with running(clock_start) as one_stop:
        yield one_stop


@pytest.fixture
def bot_server() -> Iterator[FakeBot]:
    with FakeBot() as fake_bot:
        yield fake_bot


def _settings(database_url: str, fake: FakeOneStop, directory: Path, **overrides: Any
              ) -> Settings:
    return Settings(
        database_url=database_url, redis_url=REDIS_TEST_URL,
        redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:", connectors_service_token=SERVICE_TOKEN,
        dossier_source="upstream",
        dossier_upstream_file=province_file(fake, directory, resilience=RESILIENCE),
        **overrides,
    )


@dataclass
class Province:
    client: TestClient
    clock: Clock
    fake: FakeOneStop
    bot: FakeBot

    @property
    def app(self) -> FastAPI:
        return cast(FastAPI, self.client.app)

    def follow(self, sender: str, code: str = SUPPLEMENT_CODE) -> None:
        found = self.client.post(LOOKUP, json={"code": code, "id_number": ID_NUMBER},
                                 headers={**SERVICE, "X-Client-Id": sender})
        assert found.status_code == 200, found.text
        followed = self.client.post(SUBSCRIBE, json={"code": code, "sender_id": sender},
                                    headers=SERVICE)
        assert followed.status_code == 201, followed.text

    def poller(self, late_seconds: float = 0) -> Poller:
        """One connectors instance's poller (a new one: as after a restart), its clock
        ``late_seconds`` behind the others' (instances never agree to the microsecond)."""
        return Poller(self.app.state.cache, self.app.state.session_factory,
                      self.app.state.dossiers.fetch_fresh,
                      lambda: self.clock.now + timedelta(seconds=late_seconds))

    def notifier(self) -> Notifier:
        notifier = Notifier(self.app.state.cache, self.app.state.session_factory,
                            BotTrigger(self.bot.url, "rasa-token"), "a", lambda: self.clock.now)
        notifier.ensure_group()
        return notifier

    def stream_length(self) -> int:
        return int(self.app.state.cache.client.xlen(stream_key(self.app.state.cache)))

    def change_upstream(self, status: str, *, with_history: bool) -> None:
        """The province's officer moves the dossier on (in the province's system)."""
        with self.fake._lock:
            dossier = self.fake.dossiers[SUPPLEMENT_CODE]
            dossier["trangThai"] = status
            if with_history:  # newest first, as the fake lists them
                dossier["quaTrinhXuLy"].insert(
                    0, {"trangThai": status, "thoiGian": when(self.clock.now)}
                )


@pytest.fixture
def province(
    database_url: str, fake: FakeOneStop, bot_server: FakeBot, tmp_path: Path,
    clock_start: datetime,
) -> Iterator[Province]:
    # no NOTIFY_TRIGGER_URL: no background worker; the test runs pollers and a notifier itself
    app = create_app(_settings(database_url, fake, tmp_path))
    clock = Clock(clock_start)
    app.dependency_overrides[current_time] = lambda: clock.now
    with TestClient(app) as client:
        yield Province(client, clock, fake, bot_server)


def _poll_together(pollers: list[Poller]) -> int:
    """Every poller's round at once (the upstream answers slowly, so each reads the known status
    before any of them moves it); how many changes they emitted in all."""
    emitted: list[int] = []
    threads = [threading.Thread(target=lambda p=p: emitted.append(p.poll_once().emitted))
               for p in pollers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sum(emitted)


@pytest.mark.parametrize(
    ("upstream_status", "with_history", "told"),
    [
        (None, False, []),  # unchanged: nothing emitted, nothing told
        ("DA_CO_KET_QUA", True, ["done"]),  # the change's time from the upstream's history
        # no time upstream: each poller dates it by its own clock, the first to move it wins
        ("DANG_XU_LY", False, ["in_progress"]),
    ],
)
def test_a_followed_upstream_dossier_that_changes_is_told_once_by_several_pollers(
    province: Province, upstream_status: str | None, with_history: bool, told: list[str],
) -> None:
    sender = f"zalo-{uuid.uuid4().hex[:12]}"
    # shown: needs_supplement, the known status from now on (a change before the first round
    # is told too)
    province.follow(sender)
    province.fake.latency = 0.3
    if upstream_status is not None:
        province.clock.tick(hours=2)
        province.change_upstream(upstream_status, with_history=with_history)
    reads_before = province.fake.calls["lookup"]

    emitted = _poll_together([province.poller(), province.poller(late_seconds=1)])
    after_restart = province.poller().poll_once()  # a new instance, the same known status
    province.notifier().run_once()

    assert emitted == len(told)
    assert province.stream_length() == len(told)
    assert after_restart.emitted == 0
    # every round read the province's system, never the look-up's copy (fresh for 60 s)
    assert province.fake.calls["lookup"] - reads_before == 3
    assert province.bot.told() == [(sender, SUPPLEMENT_CODE, status) for status in told]


def test_only_followed_dossiers_are_polled(province: Province) -> None:
    sender = f"zalo-{uuid.uuid4().hex[:12]}"
    province.follow(sender)
    assert province.client.delete(f"{SUBSCRIBE}/{sender}", headers=SERVICE).json() == {
        "cancelled": 1
    }
    province.change_upstream("DA_CO_KET_QUA", with_history=True)
    reads_before = province.fake.calls["lookup"]

    report = province.poller().poll_once()

    assert (report.checked, report.emitted) == (0, 0)
    assert province.fake.calls["lookup"] == reads_before


def test_an_unavailable_province_system_is_asked_again_next_round(province: Province) -> None:
    sender = f"zalo-{uuid.uuid4().hex[:12]}"
    province.follow(sender)
    province.change_upstream("DA_CO_KET_QUA", with_history=True)
    poller = province.poller()

    province.fake.set_mode("error")
    down = poller.poll_once()
    province.fake.set_mode("ok")
    up = poller.poll_once()

    assert (down.unavailable, down.emitted) == (1, 0)
    assert (up.unavailable, up.emitted) == (0, 1)


def test_one_connectors_instance_polls_each_interval(province: Province) -> None:
    pollers = [province.poller(), province.poller()]

    claims = [p.claim_round(interval_seconds=60) for p in pollers]

    assert claims == [True, False]


def test_the_running_connectors_poll_and_tell(
    database_url: str, fake: FakeOneStop, bot_server: FakeBot, tmp_path: Path,
) -> None:
    settings = _settings(database_url, fake, tmp_path, notify_trigger_url=bot_server.url,
                         notify_interval_seconds=0.05, notify_poll_seconds=0.05)
    sender = f"zalo-{uuid.uuid4().hex[:12]}"
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json()["notifications"]["polls_upstream"] is True
        found = client.post(LOOKUP, json={"code": SUPPLEMENT_CODE, "id_number": ID_NUMBER},
                            headers={**SERVICE, "X-Client-Id": sender})
        assert found.status_code == 200, found.text
        assert client.post(SUBSCRIBE, json={"code": SUPPLEMENT_CODE, "sender_id": sender},
                           headers=SERVICE).status_code == 201
        with fake._lock:
            fake.dossiers[SUPPLEMENT_CODE]["trangThai"] = "DA_CO_KET_QUA"
        deadline = datetime.now(timezone.utc) + timedelta(seconds=20)
        while not bot_server.told() and datetime.now(timezone.utc) < deadline:
            time.sleep(0.05)

    assert bot_server.told() == [(sender, SUPPLEMENT_CODE, "done")]
