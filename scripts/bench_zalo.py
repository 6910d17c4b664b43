"""The Zalo webhook under a burst: how fast Zalo gets its HTTP 200, and how fast citizens get
their answers, when 100 signed events arrive at once.

    python -m scripts.bench_zalo [--events 100]

Starts the fake Zalo of the test suite (tests/fakes/zalo.py, a real HTTP server on loopback) and
the whole stack as `make run` does (scripts/stack.py: connectors, action server, Rasa with the
current model, trained if missing) on free ports, with a database of its own and the Zalo
channel pointed at the fake. Then posts EVENTS signed ``user_send_text`` events at once, one per
citizen (questions citizens ask, in turn), and prints:

- acknowledgement time (the webhook's HTTP 200; Zalo wants it within 2 s, or it retries and
  may switch the webhook off): p50, p95, max;
- answers: how many citizens got one through the fake's send API, and when (from the event to
  the first message sent to that citizen: p50, p95, max), and when the last one arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from scripts.stack import Config, Stack, free_port, redis_reachable
from tests.fakes.zalo import FakeZalo

QUESTIONS = (
    "đăng ký khai sinh cần giấy tờ gì",
    "làm căn cước cho con dưới 14 tuổi ở đâu",
    "phí làm hộ chiếu bao nhiêu",
    "đăng ký tạm trú mất mấy ngày",
    "xin chào",
    "tra cứu hồ sơ",
    "đăng ký kết hôn có làm online được không",
    "cảm ơn em",
)
ANSWER_TIMEOUT = 600.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def burst(url: str, fake: FakeZalo, users: list[str]) -> tuple[list[float], list[float]]:
    """Posts one event per user at once; (acknowledgement seconds, when each was posted)."""
    events = [fake.sign(fake.text_event(u, QUESTIONS[i % len(QUESTIONS)]))
              for i, u in enumerate(users)]
    limits = httpx.Limits(max_connections=len(users), max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        async def one(body: bytes, headers: dict[str, str]) -> tuple[float, float]:
            started = time.monotonic()
            response = await client.post(url, content=body, headers=headers)
            response.raise_for_status()
            return time.monotonic() - started, started

        results = await asyncio.gather(*(one(body, headers) for body, headers in events))
    return [r[0] for r in results], [r[1] for r in results]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_zalo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-zalo-")))
        fake = cleanup.enter_context(FakeZalo())
        config = Config(
            connectors_port=free_port(), actions_port=free_port(), rasa_port=free_port(),
            database_url=f"sqlite:///{workdir / 'portal.sqlite3'}",
            redis_key_prefix=f"bench{uuid.uuid4().hex[:6]}",
            log_dir=workdir / "log",
            extra_env={**fake.channel_env(), "ZALO_TOKEN_FILE": str(workdir / "tokens.json")},
        )
        redis = "on" if redis_reachable(config.redis_url) else "off"
        print(f"starting the stack (Redis {redis})...", flush=True)
        stack = Stack(config)
        model = stack.prepare()
        cleanup.callback(stack.stop)
        stack.start(model)
        url = f"{config.rasa_url}/webhooks/zalo/webhook"

        # one conversation first: the model and the action server warmed up, as in service
        warm = "warm-" + uuid.uuid4().hex[:8]
        body, headers = fake.sign(fake.text_event(warm, QUESTIONS[0]))
        httpx.post(url, content=body, headers=headers, timeout=30).raise_for_status()
        fake.wait_for(lambda: fake.sent_to(warm), timeout=ANSWER_TIMEOUT)

        users = [f"{8_000_000_000_000_000_000 + n}" for n in range(args.events)]
        started = time.monotonic()
        acks, posted = asyncio.run(burst(url, fake, users))
        fake.wait_for(lambda: all(fake.sent_to(u) for u in users), timeout=ANSWER_TIMEOUT,
                      interval=0.2)

    firsts = {u: fake.sent_to(u)[0].at for u in users if fake.sent_to(u)}
    waits = [firsts[u] - posted[i] for i, u in enumerate(users) if u in firsts]
    print(f"\n{args.events} signed events posted at once to {url}")
    print(f"  acknowledgement   p50 {ms(pct(acks, 0.5))}   p95 {ms(pct(acks, 0.95))}   "
          f"max {ms(max(acks))}")
    print(f"  answered          {len(firsts)} of {len(users)} citizens")
    if waits:
        print(f"  first answer      p50 {ms(pct(waits, 0.5))}   p95 {ms(pct(waits, 0.95))}   "
              f"max {ms(max(waits))}   (from its event)")
        print(f"  all answered      {max(firsts.values()) - started:.1f} s after the burst began")
    print(f"  sends to Zalo     {fake.calls['send']}, token refreshes {len(fake.refreshes)}")
    return 0 if len(firsts) == len(users) else 1


if __name__ == "__main__":
    raise SystemExit(main())
