"""What the connectors' benchmarks share: the connectors served by uvicorn in their own process
on a loopback port (as deployed, so the figures include HTTP), ``connectors.manage`` commands,
and percentiles."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import IO

import httpx

from scripts.stack import APP_BIN, ROOT, free_port

PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A new PostgreSQL database of the benchmark's own (its SQLAlchemy URL), dropped after."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pct(values: list[float], q: float) -> float:
    """The value at quantile ``q`` (0.5: median, 0.95: p95), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def manage(url: str, *args: str) -> None:
    """``python -m connectors.manage ARGS`` on the database at ``url``, quietly."""
    subprocess.run(
        [str(APP_BIN / "python"), "-m", "connectors.manage", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def serve_connectors(
    env: Mapping[str, str], *, output: IO[bytes] | None = None, log_level: str = "warning"
) -> Iterator[str]:
    """The connectors with ``env`` over this environment, until the block ends; yields their base
    URL once /health answers. Their output goes to ``output`` (default: this terminal)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(APP_BIN / "uvicorn"),
            "--factory",
            "connectors.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            log_level,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            with suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("the connectors did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
