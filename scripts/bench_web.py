"""Time to the first bot message on the web chat page: navigation start -> the greeting on screen.

    python -m scripts.bench_web                                   # starts its own stack
    python -m scripts.bench_web --url http://127.0.0.1:5005/chat/ # against `make run`'s bot

Each load is a fresh browser profile (Debian's chromium through tests/browser/bench.mjs: no cache,
no stored session), as a citizen's first visit: the page, its script and the socket.io client
load, the socket opens, the server issues a session, the page sends the greeting payload and Rasa
answers it. The page marks its milestones itself (User Timing in web/assets/chat.js). Prints
p50/p95 over the loads, after a few warm-up loads that are not counted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.stack import ROOT, Config, Stack, free_port

BENCH = ROOT / "tests" / "browser" / "bench.mjs"
MILESTONES = {  # in the order they happen
    "firstContentfulPaint": "first contentful paint",
    "domContentLoaded": "DOMContentLoaded",
    "connected": "socket connected",
    "firstBotMessage": "greeting on screen (first bot message)",
}


def pct(values: list[float], q: float) -> float:
    """The value at quantile ``q`` (0.5: median, 0.95: p95), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@contextmanager
def own_stack() -> Iterator[str]:
    """The whole stack on free loopback ports (as the end-to-end tests start it); yields the
    chat page's URL."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = Config(
            connectors_port=free_port(),
            actions_port=free_port(),
            rasa_port=free_port(),
            database_url=f"sqlite:///{workdir / 'portal.sqlite3'}",
            redis_url="redis://127.0.0.1:6379/15",
            redis_key_prefix=f"bench{uuid.uuid4().hex[:8]}",
            log_dir=workdir / "log",
        )
        stack = Stack(config)
        model = stack.prepare()
        stack.start(model)
        try:
            yield f"{config.rasa_url}/chat/"
        finally:
            stack.stop()


def measure(url: str, loads: int, warmup: int) -> list[dict[str, float | None]]:
    done = subprocess.run(
        ["node", str(BENCH)],
        input=json.dumps({"url": url, "loads": loads, "warmup": warmup}) + "\n",
        capture_output=True,
        text=True,
        cwd=BENCH.parent,
        timeout=60 + 30 * (loads + warmup),
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.mjs failed ({done.returncode}):\n{done.stderr[-4000:]}")
    timings: list[dict[str, float | None]] = json.loads(done.stdout)["result"]["timings"]
    return timings


def report(url: str, timings: list[dict[str, float | None]]) -> str:
    lines = [
        f"Web chat page {url}: {len(timings)} fresh loads (headless chromium, loopback)",
        "",
        "| milestone (ms from navigation start) | p50 | p95 | min | max |",
        "|---|---|---|---|---|",
    ]
    for key, label in MILESTONES.items():
        found = [float(value) for t in timings if (value := t.get(key)) is not None]
        if not found:
            continue
        lines.append(
            f"| {label} | {pct(found, 0.5):.0f} | {pct(found, 0.95):.0f} | "
            f"{min(found):.0f} | {max(found):.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running chat page (default: start a stack for this run)")
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)
    if args.url:
        timings = measure(args.url, args.loads, args.warmup)
        print(report(args.url, timings))
        return 0
    with own_stack() as url:
        timings = measure(url, args.loads, args.warmup)
    print(report(url, timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
