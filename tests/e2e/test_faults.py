"""Faults a deployment meets, each with the real processes: the action server down then
restarted, the connectors slow, Redis (the tracker and lock stores) restarted and down. The
citizen always gets a polite answer, never silence or an error, and the conversation goes on
where it was once the fault is over."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from scripts.balancer import round_robin
from scripts.stack import Stack, free_port
from tests.conftest import rest_say
from tests.e2e.conftest import Say, domain_text
from tests.e2e.tcp_proxy import CuttableProxy, cuttable

pytestmark = pytest.mark.e2e

DOCUMENTS = "đăng ký khai sinh cần giấy tờ gì"
FEE = "lệ phí bao nhiêu?"


def texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def test_with_the_action_server_down_the_citizen_is_told_and_goes_on_after_its_restart(
    stack: Stack, say: Say, sender: str
) -> None:
    assert "Giấy chứng sinh" in texts(say(sender, DOCUMENTS))

    stack.stop_service("actions")
    try:
        answer = texts(say(sender, FEE))
    finally:
        stack.restart("actions")

    assert answer == domain_text("utter_not_answered")
    assert "Lệ phí Đăng ký khai sinh" in texts(say(sender, FEE))  # the focus survived


def test_slow_connectors_get_the_apology_not_a_hang(stack: Stack, say: Say, sender: str) -> None:
    """The connectors answer after 5 s, past the action server's 1.5 s time-out."""
    with (
        round_robin([stack.config.connectors_url], delay_seconds=5.0) as (slow, _),
        stack.reconfigured("actions", {"CONNECTORS_URL": slow}),
    ):
        answer = texts(say(sender, "làm hộ chiếu cần giấy tờ gì"))

    assert "tạm gián đoạn" in answer
    assert "Giấy chứng sinh" in texts(say(sender, DOCUMENTS))  # and back to normal after


class PrivateRedis:
    """A Redis server of this test only (append-only file on disk, as production keeps it), so
    that restarting it disturbs nothing else on the machine."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        raise TimeoutError("redis-server not answering")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def on_private_redis(stack: Stack, private_redis: PrivateRedis) -> Iterator[Say]:
    """A Rasa instance of the stack whose trackers and locks live in the private Redis."""
    replica = stack.add_rasa(
        free_port(), env={"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(private_redis.port),
                          "REDIS_DB": "0", "REDIS_PASSWORD": ""},
    )
    yield rest_say(replica.health_url.rstrip("/"))
    stack.remove(replica.name)


def test_a_conversation_goes_on_across_a_redis_restart(
    private_redis: PrivateRedis, on_private_redis: Say, sender: str
) -> None:
    assert "Giấy chứng sinh" in texts(on_private_redis(sender, DOCUMENTS))

    private_redis.stop()
    private_redis.start()

    assert "Lệ phí Đăng ký khai sinh" in texts(on_private_redis(sender, FEE))


def test_with_redis_down_the_citizen_is_told_and_the_bot_lives_on(
    stack: Stack, private_redis: PrivateRedis, on_private_redis: Say, sender: str
) -> None:
    assert "Giấy chứng sinh" in texts(on_private_redis(sender, DOCUMENTS))

    private_redis.stop()
    try:
        answers = [texts(on_private_redis(sender, FEE)) for _ in range(2)]
    finally:
        private_redis.start()

    assert answers == [domain_text("utter_not_answered")] * 2
    replica = next(s for s in stack.services if s.name.startswith("rasa-"))
    assert replica.process is not None and replica.process.poll() is None  # never crashed
    assert "Lệ phí Đăng ký khai sinh" in texts(on_private_redis(sender, FEE))


CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs supplement; CCCD 079203001234


@pytest.fixture
def postgres_via_proxy() -> Iterator[tuple[str, CuttableProxy]]:
    """A fresh PostgreSQL database with the curated procedures and the demo dossiers, reached
    through a proxy the test can cut as a database restart would."""
    from connectors import manage
    from tests.connectors.conftest import _postgres_database

    for direct in _postgres_database():
        manage.migrate(direct)
        manage.seed(direct)
        manage.demo_data(direct)
        with cuttable(("127.0.0.1", 5432)) as proxy:
            yield direct.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/"), proxy


def test_a_database_restart_gets_the_apology_then_the_dossier_again(
    stack: Stack, say: Say, sender: str, postgres_via_proxy: tuple[str, CuttableProxy]
) -> None:
    url, proxy = postgres_via_proxy

    def look_up(citizen: str) -> str:
        return texts(say(citizen, f"tra cứu hồ sơ {CODE}")) + texts(say(citizen, "079203001234"))

    with stack.reconfigured("connectors", {"DATABASE_URL": url}):
        assert "Cần bổ sung" in look_up(f"{sender}-before")
        proxy.cut()  # PostgreSQL restarting: pooled connections reset, new ones refused
        try:
            during = look_up(f"{sender}-during")
        finally:
            proxy.restore()
        after = look_up(f"{sender}-after")

    assert "tạm gián đoạn" in during
    assert "Cần bổ sung" not in during
    assert "Cần bổ sung" in after  # the pool let go of the dead connections
