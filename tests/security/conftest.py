"""The security suite against the multi-instance deployment as well: a second Rasa instance joins
the session's stack (same model, action server, connectors, Redis tracker and lock stores:
``Stack.add_rasa``) behind the round-robin balancer of scripts/balancer.py, which sends consecutive
messages of one conversation to different instances.

Only the tests whose outcome a second instance could change take the ``front`` or ``instances``
fixtures: state one instance sets and the other must honour (a form's progress and a code's
lockout across instances, a web session issued by one and resumed or attacked on the other).
Stateless checks (headers, body validation, senders refused by their shape) run once, against one
instance. The connectors scale out too: the look-up brute force over HTTP also runs against two
connectors instances sharing Redis (``connectors_front``), where a lockout kept in one process
would let twice the guesses through."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from scripts.balancer import round_robin
from scripts.stack import ROOT, Stack, free_port
from tests.conftest import rest_say
from tests.e2e.conftest import Say

ONE, TWO = "one Rasa instance", "two Rasa instances"


@pytest.fixture(scope="package")
def rasa_pair(stack: Stack) -> Iterator[tuple[str, str]]:
    """The stack's Rasa URL and a second instance's, for this package's tests only."""
    replica = stack.add_rasa(free_port())
    yield stack.config.rasa_url, replica.health_url.rstrip("/")
    if any(s.name == replica.name for s in stack.services):
        # idle by now: nothing to finish, and a graceful stop takes Rasa about 10 s
        stack.remove(replica.name, kill=True)


@pytest.fixture(scope="package")
def balanced_url(rasa_pair: tuple[str, str]) -> Iterator[str]:
    with round_robin(list(rasa_pair)) as (url, _):
        yield url


@pytest.fixture(params=[ONE, TWO])
def front(request: pytest.FixtureRequest, stack: Stack) -> str:
    """Where a REST client sends its messages: the one instance, or the balancer over two."""
    if request.param == ONE:
        return stack.config.rasa_url
    url: str = request.getfixturevalue("balanced_url")
    return url


@pytest.fixture
def say_front(front: str) -> Say:
    return rest_say(front)


@dataclass(frozen=True)
class Instances:
    """Where a web chat's first socket connects, and where a second socket (the citizen after a
    reconnection, or an attacker) lands: the same instance, or the other one."""

    first: str
    second: str


@pytest.fixture(params=["same instance", "other instance"])
def instances(request: pytest.FixtureRequest, stack: Stack) -> Instances:
    if request.param == "same instance":
        return Instances(stack.config.rasa_url, stack.config.rasa_url)
    first, second = request.getfixturevalue("rasa_pair")
    return Instances(first, second)


@pytest.fixture(scope="package")
def connectors_pair(
    stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The stack's connectors URL and a second connectors process's: the same command,
    environment, database and Redis, on another port (a replica, as a deployment runs several)."""
    base = next(s for s in stack.services if s.name == "connectors")
    port = free_port()
    argv = list(base.argv)
    argv[argv.index("--port") + 1] = str(port)
    log: Path = tmp_path_factory.mktemp("connectors-2") / "connectors-2.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=base.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{stack.config.host}:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"the second connectors exited; see {log}"
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"the second connectors did not start; see {log}"
            time.sleep(0.3)
        yield stack.config.connectors_url, url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(params=["one connectors instance", "two connectors instances"])
def connectors_front(request: pytest.FixtureRequest, stack: Stack) -> Iterator[str]:
    """Where an HTTP client of the connectors goes: the one instance, or a balancer sending each
    request to the next of two."""
    if request.param == "one connectors instance":
        yield stack.config.connectors_url
        return
    pair: tuple[str, str] = request.getfixturevalue("connectors_pair")
    with round_robin(list(pair)) as (url, _):
        yield url
