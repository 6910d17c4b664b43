"""Connectors benchmark: latency and throughput of search and detail, and search quality.

    python -m scripts.bench_connectors [--catalogue PATH] [--requests N] [--backends sqlite,...]

For each backend: a fresh database, the national catalogue (2,642 procedures) plus the
curated seed, the real API served by uvicorn on a loopback port, then 1, 10 and 50 concurrent
clients.
Search quality: benchmarks/search_queries.yml (citizen phrasings → expected code), top-1 and top-3.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

from scripts.bench_support import manage, pct, postgres_database, serve_connectors
from scripts.stack import ROOT

DEFAULT_CATALOGUE = ROOT.parent / "shared" / "data" / "procedures" / "catalogue.jsonl.gz"
QUERIES = ROOT / "benchmarks" / "search_queries.yml"
CONCURRENCY = (1, 10, 50)


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    with postgres_database("bench") as url:
        yield url


async def load(base: str, paths: list[str], concurrency: int) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue = list(paths)

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            path = queue.pop()
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, len(latencies) / elapsed


def quality(base: str, cases: list[dict[str, str]]) -> tuple[float, float, list[str]]:
    top1 = top3 = 0
    misses = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for case in cases:
            items = client.get(
                "/api/v1/procedures/search", params={"q": case["q"], "limit": 5}
            ).json()["items"]
            codes = [i["code"] for i in items]
            top1 += bool(codes) and codes[0] == case["code"]
            top3 += case["code"] in codes[:3]
            if not codes or codes[0] != case["code"]:
                misses.append(f"  {case['q']!r}: expected {case['code']}, got {codes[:3]}")
    return top1 / len(cases), top3 / len(cases), misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--requests", type=int, default=400, help="requests per measurement")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    if not args.catalogue.exists():
        print(f"catalogue not found: {args.catalogue} (pass --catalogue PATH)", file=sys.stderr)
        return 2
    cases = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    search_paths = [
        f"/api/v1/procedures/search?q={httpx.QueryParams({'x': c['q']})['x']}&limit=5"
        for c in cases
    ]
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-{uuid.uuid4().hex[:6]}"
    workdir.mkdir(parents=True)
    for backend in args.backends.split(","):
        with database(backend, workdir) as url:
            started = time.monotonic()
            manage(url, "migrate")
            manage(url, "import-catalogue", str(args.catalogue))
            manage(url, "seed")
            print(f"\n== {backend}: catalogue imported in {time.monotonic() - started:.1f} s")
            env = {"DATABASE_URL": url, "REDIS_KEY_PREFIX": f"bench{uuid.uuid4().hex[:6]}:"}
            with serve_connectors(env) as base:
                count = httpx.get(f"{base}/api/v1/procedures/search", params={"q": "a"}).status_code
                assert count == 200
                detail_codes = [
                    i["code"]
                    for c in cases[:40]
                    for i in httpx.get(
                        f"{base}/api/v1/procedures/search", params={"q": c["q"], "limit": 3}
                    ).json()["items"]
                ]
                print(
                    f"{'what':<28}{'clients':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}"
                )
                for label, paths in (
                    ("search (first pass)", search_paths),
                    ("search (cached)", search_paths),
                    ("detail (cached)", [f"/api/v1/procedures/{c}" for c in detail_codes]),
                ):
                    for concurrency in CONCURRENCY:
                        batch = (paths * (args.requests // len(paths) + 1))[: args.requests]
                        latencies, rps = asyncio.run(load(base, batch, concurrency))
                        print(
                            f"{label:<28}{concurrency:>8}{pct(latencies, 0.5):>9.1f}"
                            f"{pct(latencies, 0.95):>9.1f}{pct(latencies, 0.99):>9.1f}{rps:>9.0f}"
                        )
                # uncached: Redis keys carry the catalogue version; bypass by unique queries
                uncached = [
                    f"/api/v1/procedures/search?q=khai+sinh+{i}&limit=5"
                    for i in range(args.requests)
                ]
                latencies, rps = asyncio.run(load(base, uncached, 1))
                print(
                    f"{'search (never cached)':<28}{1:>8}{pct(latencies, 0.5):>9.1f}"
                    f"{pct(latencies, 0.95):>9.1f}{pct(latencies, 0.99):>9.1f}{rps:>9.0f}"
                )
                top1, top3, misses = quality(base, cases)
                print(
                    f"search quality on {len(cases)} phrasings: top-1 {top1:.3f}, top-3 {top3:.3f}"
                )
                if misses and backend == args.backends.split(",")[0]:
                    print("top-1 misses:\n" + "\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
