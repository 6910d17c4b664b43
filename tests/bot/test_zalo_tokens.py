"""The OA's tokens against a fake Zalo token endpoint (a real HTTP server on loopback): the first
pair from the environment, single-use refresh tokens rotated and stored whole, never replaced by
an error, refreshed ahead of expiry, and one refresh at a time across processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import redis
from redis.asyncio import Redis

from bot.channels.zalo_http import LazySession
from bot.channels.zalo_token_store import FileTokenStore, RedisTokenStore, TokenPair, TokenStore
from bot.channels.zalo_tokens import (
    REFRESH_AHEAD_SECONDS,
    TokenEndpoint,
    TokenManager,
    TokenRefused,
    TokenUnavailable,
)
from tests.fakes.zalo import FakeZalo

ROOT = Path(__file__).resolve().parents[2]
REDIS = {"host": "127.0.0.1", "port": 6379, "db": 15}
SEED = "seed-1"
T = TypeVar("T")


def redis_up() -> bool:
    try:
        return bool(redis.Redis(**REDIS, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as zalo:
        yield zalo


@pytest.fixture(params=["file", "redis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "redis" and not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return str(request.param)


@pytest.fixture
def store_at(store_kind: str, tmp_path: Path) -> Iterator[str]:
    """Where the store lives: a file path, or a Redis key (removed afterwards)."""
    if store_kind == "file":
        yield str(tmp_path / "zalo" / "tokens.json")
        return
    key = f"test{uuid.uuid4().hex[:8]}:zalo:app:tokens"
    yield key
    redis.Redis(**REDIS).delete(key, f"{key}:lock")


def make_store(kind: str, where: str) -> TokenStore:
    if kind == "file":
        return FileTokenStore(Path(where))
    return RedisTokenStore(Redis(**REDIS), where)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def run(
    fake: FakeZalo, kind: str, where: str,
    use: Callable[[TokenManager, TokenStore], Awaitable[T]],
    *, first: TokenPair | None = None, clock: Clock | None = None,
) -> T:
    """``use`` with a token manager on a fresh event loop (as one Rasa process would have)."""
    async def main() -> T:
        http = LazySession()
        store = make_store(kind, where)
        endpoint = TokenEndpoint(http, fake.origin, fake.app_id, fake.app_secret_key)
        seed = first if first is not None else TokenPair(
            fake.first_access_token, fake.first_refresh_token, None, SEED
        )
        manager = TokenManager(store, endpoint, seed, clock=clock or Clock())
        try:
            return await use(manager, store)
        finally:
            await http.close()

    return asyncio.run(main())


def stored(kind: str, where: str) -> TokenPair | None:
    return asyncio.run(make_store(kind, where).load())


def test_the_first_pair_from_the_environment_is_used_as_it_is(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    token = run(fake, store_kind, store_at, lambda m, _s: m.access_token())

    assert token == fake.first_access_token
    assert fake.refreshes == []  # its expiry is not known: used until Zalo refuses it
    kept = stored(store_kind, store_at)
    assert kept is not None and kept.refresh_token == fake.first_refresh_token


def test_a_refresh_rotates_the_pair_and_stores_the_new_one_whole(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    clock = Clock()

    async def twice(m: TokenManager, _s: TokenStore) -> list[str]:
        first = await m.refresh(stale=fake.first_access_token)
        second = await m.refresh(stale=first)
        return [first, second]

    tokens = run(fake, store_kind, store_at, twice, clock=clock)

    assert [r.accepted for r in fake.refreshes] == [True, True]
    # each refresh used the refresh token the one before brought: the spent one never again
    assert fake.refreshes[1].refresh_token != fake.refreshes[0].refresh_token
    assert fake.first_refresh_token in fake.spent
    kept = stored(store_kind, store_at)
    assert kept == TokenPair(tokens[1], fake.refresh_token, clock.now + fake.token_lifetime, SEED)
    assert tokens[1] in fake.access_tokens


def test_a_refused_refresh_keeps_the_stored_pair(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    spent = TokenPair("old-access", "spent-refresh", None, SEED)

    with pytest.raises(TokenRefused):
        run(fake, store_kind, store_at, lambda m, _s: m.refresh(stale="old-access"), first=spent)

    assert [r.accepted for r in fake.refreshes] == [False]
    assert stored(store_kind, store_at) == spent


@pytest.mark.parametrize("mode", ["down", "error"])
def test_a_token_endpoint_that_fails_keeps_the_stored_pair(
    fake: FakeZalo, store_kind: str, store_at: str, mode: str
) -> None:
    run(fake, store_kind, store_at, lambda m, _s: m.access_token())  # stores the first pair
    before = stored(store_kind, store_at)
    fake.set_mode(mode)  # type: ignore[arg-type]

    with pytest.raises(TokenUnavailable):
        run(fake, store_kind, store_at, lambda m, _s: m.refresh(stale=fake.first_access_token))

    assert stored(store_kind, store_at) == before


@pytest.mark.parametrize(
    "seconds_left, refreshed",
    [
        (REFRESH_AHEAD_SECONDS + 60, False),
        (REFRESH_AHEAD_SECONDS - 60, True),
        (-60, True),  # already expired
    ],
)
def test_a_token_is_refreshed_ahead_of_its_expiry(
    fake: FakeZalo, store_kind: str, store_at: str, seconds_left: float, refreshed: bool
) -> None:
    clock = Clock()
    first = TokenPair(fake.first_access_token, fake.first_refresh_token,
                      clock.now + seconds_left, SEED)

    token = run(fake, store_kind, store_at, lambda m, _s: m.access_token(), first=first,
                clock=clock)

    assert len(fake.refreshes) == int(refreshed)
    assert (token != fake.first_access_token) is refreshed


def test_when_refreshing_ahead_fails_the_token_still_valid_is_used(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    clock = Clock()
    first = TokenPair(fake.first_access_token, fake.first_refresh_token, clock.now + 600, SEED)
    fake.set_mode("error")

    token = run(fake, store_kind, store_at, lambda m, _s: m.access_token(), first=first,
                clock=clock)

    assert token == fake.first_access_token


def test_a_new_refresh_token_in_the_environment_starts_the_chain_again(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    run(fake, store_kind, store_at, lambda m, _s: m.refresh(stale=fake.first_access_token))
    rotated = stored(store_kind, store_at)
    assert rotated is not None

    # a restart with the same environment keeps the rotated pair (the first one is spent)
    same = run(fake, store_kind, store_at, lambda m, _s: m.access_token())
    assert same == rotated.access_token

    # the operator issued a new pair on Zalo's site and set it: it replaces the stored one
    access, refresh = fake._issue()
    new_seed = TokenPair(access, refresh, None, "seed-2")
    token = run(fake, store_kind, store_at, lambda m, _s: m.access_token(), first=new_seed)
    assert token == access
    assert stored(store_kind, store_at) == new_seed


def test_tasks_refreshing_together_refresh_once(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    async def together(m: TokenManager, _s: TokenStore) -> set[str]:
        got = await asyncio.gather(*(m.refresh(stale=fake.first_access_token) for _ in range(20)))
        return set(got)

    tokens = run(fake, store_kind, store_at, together)

    assert [r.accepted for r in fake.refreshes] == [True]
    assert len(tokens) == 1 and tokens <= fake.access_tokens


PROCESS = """
import asyncio, json, sys, time
from pathlib import Path
from redis.asyncio import Redis
from bot.channels.zalo_http import LazySession
from bot.channels.zalo_token_store import FileTokenStore, RedisTokenStore, TokenPair
from bot.channels.zalo_tokens import TokenEndpoint, TokenManager

kind, where, origin, app_id, secret, access, refresh, start = sys.argv[1:]

async def main():
    http = LazySession()
    store = FileTokenStore(Path(where)) if kind == "file" else RedisTokenStore(
        Redis(host="127.0.0.1", port=6379, db=15), where)
    manager = TokenManager(store, TokenEndpoint(http, origin, app_id, secret),
                           TokenPair(access, refresh, None, "seed-1"))
    await asyncio.sleep(max(0.0, float(start) - time.time()))
    try:
        print(json.dumps(await manager.refresh(stale=access)))
    finally:
        await http.close()

asyncio.run(main())
"""


def test_processes_refreshing_together_spend_the_refresh_token_once(
    fake: FakeZalo, store_kind: str, store_at: str
) -> None:
    """Four Rasa processes find Zalo refusing the same access token at the same moment."""
    start = time.time() + 3  # after every interpreter has started
    argv = [store_kind, store_at, fake.origin, fake.app_id, fake.app_secret_key,
            fake.first_access_token, fake.first_refresh_token, str(start)]
    processes = [
        subprocess.Popen([sys.executable, "-c", PROCESS, *argv], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=60)[0] for p in processes]

    assert [p.returncode for p in processes] == [0, 0, 0, 0]
    assert [r.accepted for r in fake.refreshes] == [True]  # one refresh, none refused
    tokens = {json.loads(out) for out in outputs}
    assert len(tokens) == 1 and tokens <= fake.access_tokens
    kept = stored(store_kind, store_at)
    assert kept is not None and kept.refresh_token == fake.refresh_token


def test_the_token_file_is_private_and_replaced_whole(fake: FakeZalo, tmp_path: Path) -> None:
    where = str(tmp_path / "zalo" / "tokens.json")

    run(fake, "file", where, lambda m, _s: m.refresh(stale=fake.first_access_token))

    path = Path(where)
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["refresh_token"] == fake.refresh_token
    # no temporary file left beside it
    assert sorted(p.name for p in path.parent.iterdir()) == ["tokens.json", "tokens.json.lock"]


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[]", b'{"access_token": 1, "refresh_token": "r"}',
     b'{"access_token": "a", "refresh_token": "r", "expires_at": "soon"}'],
)
def test_an_unreadable_stored_pair_is_not_used(raw: bytes) -> None:
    assert TokenPair.from_json(raw) is None
