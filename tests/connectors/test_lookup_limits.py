"""Dossier look-up limits that no choice of client id escapes: per dossier code and over all codes.

Each test runs with the real Redis (db 15, a per-test prefix) and with Redis down (each process's
memory), on the connectors' clock, which the tests move.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from connectors.applications.demo import known_dossiers
from connectors.applications.lockout import Attempt, LookupLockout
from connectors.applications.router import make_lookup_limiter
from connectors.cache import Cache
from connectors.deps import current_time
from connectors.main import create_app
from connectors.settings import Settings
from tests.connectors.conftest import REDIS_TEST_URL, SERVICE, Clock

LOOKUP = "/api/v1/applications/lookup"
DOSSIERS = known_dossiers()
TARGET = next(d for d in DOSSIERS if d.status == "needs_supplement")  # 000.00.30.H56-261115-0012
OTHER = next(d for d in DOSSIERS if d.status == "received")
UNKNOWN_CODE = "000.00.30.H56-261115-0999"
REDIS_DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens there: the memory fallback

# the defaults of connectors/settings.py, which these tests specify
CODE_FAILURES = 10
LOCKOUT_SECONDS = 3600
GLOBAL_FAILURES = 30


def wrong_digits(*rights: str | None) -> Iterator[str]:
    """Last-four guesses as a brute force makes them, skipping the right ones."""
    return (g for g in (f"{n:04d}" for n in range(10_000)) if g not in rights)


@dataclass
class Portal:
    client: TestClient
    clock: Clock
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def look(self, code: str, client_id: str | None = None, **identifiers: str) -> httpx.Response:
        """One look-up, from a fresh X-Client-Id unless one is given (the attacker's trick)."""
        headers = {**SERVICE, "X-Client-Id": client_id or f"attacker-{next(self._ids)}"}
        response: httpx.Response = self.client.post(
            LOOKUP, json={"code": code, **identifiers}, headers=headers
        )
        return response

    def guess(self, code: str, count: int) -> list[int]:
        """``count`` wrong last-four guesses on ``code``, each from a new client."""
        guesses = wrong_digits(TARGET.id_number[-4:], OTHER.id_number[-4:])
        return [self.look(code, id_number=next(guesses)).status_code for _ in range(count)]

    def right(self, dossier: Any = TARGET) -> httpx.Response:
        return self.look(dossier.code, id_number=dossier.id_number[-4:])


def _with_redis(settings: Settings, redis_url: str) -> Settings:
    if redis_url == REDIS_TEST_URL:
        probe = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5)
        try:
            probe.ping()
        except redis.RedisError:
            pytest.skip("Redis not reachable")
        finally:
            probe.close()
    return settings.model_copy(update={"redis_url": redis_url})


@contextmanager
def _portal(settings: Settings, start: datetime) -> Iterator[Portal]:
    app = create_app(settings)
    clock = Clock(start)
    app.dependency_overrides[current_time] = lambda: clock.now
    with TestClient(app) as client:
        yield Portal(client, clock)


@pytest.fixture(params=[REDIS_TEST_URL, REDIS_DOWN_URL], ids=["redis", "memory"])
def portal(
    request: pytest.FixtureRequest, demo_dossiers: str, settings: Settings, clock_start: datetime
) -> Iterator[Portal]:
    """The connectors with their clock at Monday 09:00 in Vietnam (on the hour)."""
    with _portal(_with_redis(settings, request.param), clock_start) as running:
        yield running


# --- per dossier code ---------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_ten_failures_lock_the_code_even_for_the_right_digits(portal: Portal, field: str) -> None:
    guesses = wrong_digits(TARGET.id_number[-4:], (TARGET.phone or "")[-4:])
    failures = [
        portal.look(TARGET.code, **{field: next(guesses)}).status_code
        for _ in range(CODE_FAILURES)
    ]

    locked = portal.right()

    assert failures == [404] * CODE_FAILURES
    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == str(LOCKOUT_SECONDS)
    assert "tạm khóa" in locked.json()["detail"]
    assert "found" not in locked.json()  # nothing of the dossier


def test_an_unknown_code_locks_exactly_like_a_real_one(portal: Portal) -> None:
    """Otherwise the lock itself would tell which codes exist."""
    portal.guess(TARGET.code, CODE_FAILURES)
    portal.guess(UNKNOWN_CODE, CODE_FAILURES)

    real = portal.look(TARGET.code, id_number="0000")
    unknown = portal.look(UNKNOWN_CODE, id_number="0000")

    assert real.status_code == unknown.status_code == 429
    assert real.json() == unknown.json()
    assert real.headers["Retry-After"] == unknown.headers["Retry-After"]


def test_other_codes_are_not_affected_by_a_locked_one(portal: Portal) -> None:
    portal.guess(TARGET.code, CODE_FAILURES)

    assert portal.right(OTHER).status_code == 200
    assert portal.look(OTHER.code, id_number="0000").status_code == 404
    assert portal.right(TARGET).status_code == 429


@pytest.mark.parametrize(
    "wait, status, retry_after",
    [
        (0, 429, "3600"),
        (1800, 429, "1800"),
        (3599, 429, "1"),
        (3600, 200, None),  # the cool-down is over: the owner's right digits work again
        (7200, 200, None),
    ],
)
def test_the_lock_lasts_the_cool_down(
    portal: Portal, wait: int, status: int, retry_after: str | None
) -> None:
    portal.guess(TARGET.code, CODE_FAILURES)
    portal.clock.tick(seconds=wait)

    response = portal.right()

    assert response.status_code == status
    assert response.headers.get("Retry-After") == retry_after


def test_after_the_cool_down_the_code_has_its_tries_again_and_no_more(portal: Portal) -> None:
    portal.guess(TARGET.code, CODE_FAILURES)
    portal.clock.tick(seconds=LOCKOUT_SECONDS)

    assert portal.guess(TARGET.code, CODE_FAILURES) == [404] * CODE_FAILURES
    assert portal.right().status_code == 429


def test_a_success_does_not_give_the_attacker_fresh_tries(portal: Portal) -> None:
    assert portal.guess(TARGET.code, CODE_FAILURES - 1) == [404] * (CODE_FAILURES - 1)
    assert portal.right().status_code == 200  # the owner looks up their dossier in between

    assert portal.guess(TARGET.code, 1) == [404]
    assert portal.right().status_code == 429


@pytest.mark.parametrize(
    "schedule, status",
    [
        # (seconds after 09:00, failures then): the last hour counts, whatever the clock hour
        ([(3599, 9), (3601, 2)], 429),  # 11 within seconds across 10:00: locked
        ([(1800, 6), (4200, 6)], 429),  # 12 within 40 minutes
        ([(0, 5), (5400, 5)], 200),  # 10 over 90 minutes
        ([(0, 9), (7200, 9)], 200),  # 9 an hour apart
    ],
    ids=["across-the-hour", "within-40-min", "over-90-min", "two-hours-apart"],
)
def test_failures_count_over_the_last_hour(
    portal: Portal, schedule: list[tuple[int, int]], status: int
) -> None:
    start = portal.clock.now
    for offset, failures in schedule:
        portal.clock.now = start
        portal.clock.tick(seconds=offset)
        portal.guess(TARGET.code, failures)

    assert portal.right().status_code == status


@pytest.mark.parametrize("redis_url", [REDIS_TEST_URL, REDIS_DOWN_URL], ids=["redis", "memory"])
def test_a_burst_of_concurrent_guesses_gets_no_more_tries_than_the_limit(
    settings: Settings, clock_start: datetime, redis_url: str
) -> None:
    """Each look-up counts as failed from the moment it is admitted: 100 guesses sent at once
    cannot all pass the check before the first failures are recorded."""
    with_redis = _with_redis(settings, redis_url)
    cache = Cache(with_redis.redis_url, with_redis.redis_key_prefix, 60)
    lockout: LookupLockout = make_lookup_limiter(with_redis, cache).lockout
    now = clock_start.timestamp()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            outcomes = list(pool.map(lambda _: lockout.admit(TARGET.code, now), range(100)))
    finally:
        cache.close()

    assert sum(isinstance(o, Attempt) for o in outcomes) == CODE_FAILURES


# --- over every code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "probed, status", [(GLOBAL_FAILURES - 1, 200), (GLOBAL_FAILURES, 429)]
)
def test_the_global_ceiling_trips_when_many_codes_are_probed(
    portal: Portal, probed: int, status: int
) -> None:
    # one failure on each of many codes: no code reaches its own limit
    codes = [f"000.00.30.H56-261115-{n:04d}" for n in range(1000, 1000 + probed)]
    assert [portal.look(code, id_number="0000").status_code for code in codes] == [404] * probed

    response = portal.right(OTHER)

    assert response.status_code == status
    if status == 429:
        assert response.headers["Retry-After"] == "60"  # 09:00:00: the whole minute
        assert "tạm dừng" in response.json()["detail"]


def test_the_global_ceiling_lifts_with_the_next_minute(portal: Portal) -> None:
    for n in range(GLOBAL_FAILURES):
        portal.look(f"000.00.30.H56-261115-{1000 + n:04d}", id_number="0000")
    portal.clock.tick(seconds=30)
    assert portal.right(OTHER).headers.get("Retry-After") == "30"

    portal.clock.tick(seconds=30)

    assert portal.right(OTHER).status_code == 200


# --- per client: as before ----------------------------------------------------------------------


def test_the_per_client_limit_counts_successes_too(portal: Portal) -> None:
    right = {"id_number": TARGET.id_number[-4:]}
    statuses = [
        portal.look(TARGET.code, client_id="conversation-1", **right).status_code
        for _ in range(10)
    ]

    blocked = portal.look(TARGET.code, client_id="conversation-1", **right)
    other = portal.look(TARGET.code, client_id="conversation-2", **right)
    portal.clock.tick(seconds=60)
    later = portal.look(TARGET.code, client_id="conversation-1", **right)

    assert statuses == [200] * 10
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.json()["detail"]
    assert other.status_code == 200
    assert later.status_code == 200


# --- what Redis holds ---------------------------------------------------------------------------


def test_redis_keys_hold_no_dossier_code(
    demo_dossiers: str, settings: Settings, clock_start: datetime
) -> None:
    with_redis = _with_redis(settings, REDIS_TEST_URL)
    with _portal(with_redis, clock_start) as portal:
        portal.guess(TARGET.code, CODE_FAILURES)
    client = redis.Redis.from_url(with_redis.redis_url, decode_responses=True)
    try:
        keys = list(client.scan_iter(match=f"{with_redis.redis_key_prefix}*"))
    finally:
        client.close()

    assert any("lookup-lock" in key for key in keys)
    for key in keys:
        assert "H56" not in key and "261115" not in key and "0012" not in key

