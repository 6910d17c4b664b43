"""Dossier look-up through a province's one-stop-shop system: what the adapter costs, and what a
citizen waits for (and gets) when that system is down.

    python -m scripts.bench_upstream [--dossiers N] [--latency MS] [--jitter MS]

Starts the fake province system of the test suite (tests/fakes/one_stop.py, a real HTTP server
on loopback) answering after LATENCY +- JITTER ms, and the connectors (uvicorn,
DOSSIER_SOURCE=upstream, the shipped example file pointed at the fake, its resilience settings as
shipped). Then, over HTTP as the action server asks:

- the fake alone (what the province's system costs), and look-ups through the adapter uncached
  (first look-up of each dossier) and cached (the same again at once, as when the bot tries the
  last 4 digits as the CCCD's and then as the phone's; the fresh window is 5 s here so that the
  copies can be shown as stale later);
- the system down, refusing connections and then not answering at all: the time of each of the
  first answers (timeout, one retry) and of those after the circuit opened, what they say, and a
  dossier looked up before (its copy, with its time).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from scripts.bench_support import manage, pct, serve_connectors
from tests.fakes.one_stop import (
    ID_NUMBER,
    VIETNAM_TZ,
    FakeOneStop,
    province_file,
    secrets_env,
    supplement_dossier,
)

LOOKUP = "/api/v1/applications/lookup"
TOKEN = secrets.token_urlsafe(24)
FIRST_ANSWERS = 8  # down: answers timed one by one (the circuit opens after the 5th failure)
FRESH_SECONDS = 5
PREFIX = f"bench{uuid.uuid4().hex[:6]}:"  # both connectors processes share the cached copies


def code(n: int) -> str:
    return f"000.00.30.H56-261120-{n:04d}"


@contextmanager
def connectors(url: str, province: Path, log: Path) -> Iterator[httpx.Client]:
    """The connectors reading dossiers from the fake; a client that asks as the action server."""
    env = {
        **secrets_env(),
        "DATABASE_URL": url,
        "REDIS_KEY_PREFIX": PREFIX,
        "DOSSIER_CACHE_SECONDS": str(FRESH_SECONDS),
        "CONNECTORS_SERVICE_TOKEN": TOKEN,
        "DOSSIER_SOURCE": "upstream",
        "DOSSIER_UPSTREAM_FILE": str(province),
        "LOOKUP_RATE_LIMIT": "100000",
    }
    # the retries' and the breaker's warnings go to the log, out of the table
    with (
        log.open("ab") as out,
        serve_connectors(env, output=out, log_level="error") as base,
        httpx.Client(base_url=base, timeout=30, headers={"X-Service-Token": TOKEN}) as http,
    ):
        yield http


def look(http: httpx.Client, n: int) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = http.post(
        LOOKUP,
        json={"code": code(n), "id_number": ID_NUMBER},
        headers={"X-Client-Id": f"bench-{uuid.uuid4().hex[:8]}"},
    )
    return (time.perf_counter() - started) * 1000, response


def said(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    if response.status_code == 200:
        when = datetime.fromisoformat(body["as_of"]).astimezone(VIETNAM_TZ)
        return f"200 {body['status']}, stale={body['stale']}, cập nhật lúc {when:%H:%M:%S}"
    return f"{response.status_code} {body.get('reason')}"


def row(label: str, values: list[float]) -> None:
    print(
        f"  {label:<34} n={len(values):<4} p50 {pct(values, 0.5):7.1f} ms   "
        f"p95 {pct(values, 0.95):7.1f} ms   max {max(values):7.1f} ms"
    )


def down_case(http: httpx.Client, fake: FakeOneStop, mode: Any, start: int, cached: int) -> None:
    fake.set_mode(mode)
    ms, response = look(http, cached)
    print(f"  a dossier looked up before, circuit closed: {ms:7.1f} ms  {said(response)}")
    for i in range(FIRST_ANSWERS):
        ms, response = look(http, start + i)
        state = http.get("/health").json()["upstreams"]["dossiers"]["state"]
        print(f"  answer {i + 1}: {ms:7.1f} ms  {said(response):<22} then circuit {state}")
    ms, response = look(http, cached)
    print(f"  a dossier looked up before, circuit open:   {ms:7.1f} ms  {said(response)}")
    fake.set_mode("ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--latency", type=float, default=80.0, help="the fake's delay, ms")
    parser.add_argument("--jitter", type=float, default=20.0, help="+- ms")
    args = parser.parse_args()
    n = args.dossiers
    now = datetime.now(VIETNAM_TZ)
    fake = FakeOneStop(latency=args.latency / 1000, jitter=args.jitter / 1000, slow_seconds=10)
    for i in range(1, n + 3 * FIRST_ANSWERS + 1):
        dossier = supplement_dossier(now)
        dossier["maHoSo"] = code(i)
        fake.add(dossier)
    fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        manage(url, "migrate")
        manage(url, "seed")
        province = province_file(fake, workdir)
        log = workdir / "connectors.log"
        print(
            f"Fake province system: {args.latency:.0f} +- {args.jitter:.0f} ms; shipped "
            "resilience: timeout 0.6 s per attempt, 1 retry after 0.1 s (+ jitter), circuit "
            "opens after 5 failed look-ups, half-open after 30 s.\n"
        )
        key = {"X-API-Key": secrets_env()["DOSSIER_UPSTREAM_API_KEY"]}
        with httpx.Client(base_url=fake.base_url, headers=key) as direct:
            alone: list[float] = []
            for i in range(1, n + 1):
                started = time.perf_counter()
                direct.get(f"/api/v1/hoso/{code(i)}").raise_for_status()
                alone.append((time.perf_counter() - started) * 1000)
        with connectors(url, province, log) as http:
            look(http, n + 3 * FIRST_ANSWERS)  # warm up (connections, token, catalogue)
            uncached: list[float] = []
            cached: list[float] = []
            for i in range(1, n + 1):
                for latencies in (uncached, cached):
                    ms, response = look(http, i)
                    response.raise_for_status()
                    latencies.append(ms)
            print("Look-up latency, sequential, over HTTP as the action server asks:")
            row("province system alone (direct)", alone)
            row("through the adapter, uncached", uncached)
            row("through the adapter, cached", cached)
            print(
                f"  adapter overhead (uncached p50 - direct p50): "
                f"{statistics.median(uncached) - statistics.median(alone):.1f} ms; upstream "
                f"calls: {fake.calls['lookup'] - n} for {2 * n + 1} look-ups"
            )
            time.sleep(FRESH_SECONDS + 1)  # past the fresh window: copies shown only as stale
            print("\nProvince system down (connection refused):")
            down_case(http, fake, "down", n + 1, cached=1)
        # a fresh connectors process: its circuit closed again
        with connectors(url, province, log) as http:
            look(http, n + 3 * FIRST_ANSWERS)  # warm up
            print("\nProvince system not answering (accepts, never replies; timeout):")
            down_case(http, fake, "slow", n + FIRST_ANSWERS + 1, cached=1)
    fake.stop()


if __name__ == "__main__":
    main()
