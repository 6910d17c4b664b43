"""End-to-end load over the REST channel: the whole chain (Rasa, action server, connectors, Redis,
the database) against a stock `rasa init` bot in the same run, so the cost of what we add shows.

    python -m scripts.bench_load [--quick] [--rate 20] [--duration 60] [--think 10]
                                 [--concurrency 1,10,50,200] [--no-stock] [--no-write]

Starts its own stack on free ports (scripts/stack.py, as `make run` and the end-to-end tests do):
PostgreSQL at 127.0.0.1:5432 when it answers (a database of its own, dropped at the end), else
SQLite; Redis database 15 with a key prefix of its own (its keys deleted at the end). Then:

- one Rasa instance: realistic 4-turn Vietnamese conversations (greeting, a procedure's documents,
  its fee, where to file; a quarter look up the demo dossier's status, one look-up per citizen),
  closed loop at 1, 10, 50 and 200 concurrent conversations (p50/p95/p99, msg/s), and open loop:
  messages arriving at RATE msg/s for DURATION s, RATE x THINK citizens each sending the next turn
  THINK s after the previous one was due (latency counted from when a message was due, so a slow
  reply delays the next: no coordinated omission), p50/p95/p99 and how many took over 150 ms;
- where a message's time goes, measured alone on the idle stack: NLU (POST /model/parse), the
  policies (POST /conversations/<id>/predict), one action server call (the documents answer, with
  the connectors calls it makes), the connectors calls it makes, a Redis round trip and a GET of
  one conversation's tracker;
- a second Rasa instance sharing Redis, behind scripts/balancer.py (consecutive messages of one
  conversation to different instances): the same closed and open loop;
- stock Rasa (`rasa init --no-prompt`: default pipeline and policies, in-memory stores, no action
  server; the trained model cached under var/bench-load/ per Rasa version) with 4-turn moodbot
  conversations under the same loads, each right after ours (one then the other at each level,
  so that what else the machine does weighs on both alike); the ratios one conversation p50
  (ours / stock, target <= 1.5) and saturation msg/s per Rasa process (ours / stock, target
  >= 0.8).

CPU seconds and peak RSS of each service's processes are read from /proc. Prints a table and
writes docs/benchmarks.md (figures, machine, date, command, targets met or not). `--quick` (fewer
conversations, shorter open loop, concurrency 1 and 10 only) is for checking the script.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from scripts.bench_support import PG_ADMIN, pct, postgres_database
from scripts.stack import (
    APP_BIN,
    RASA_BIN,
    ROOT,
    VAR,
    Config,
    Stack,
    free_port,
    rasa_env,
    tracker_keys,
)

REDIS_URL = "redis://127.0.0.1:6379/15"  # the test stacks' database; our keys carry a prefix
CACHE = VAR / "bench-load"
REPORT = ROOT / "docs" / "benchmarks.md"
SLOW_MS = 150.0  # the open-loop target: p95 <= 150 ms at 20 msg/s
TARGET_P50_RATIO = 1.5
TARGET_SATURATION_RATIO = 0.8
TARGET_RSS_MB = 1536.0
REQUEST_TIMEOUT = 120.0

CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs a supplement; CCCD 079203001234
ID_NUMBER = "079203001234"

# A conversation: (what the citizen says, a fact the answer must hold). Every script has TURNS
# turns; the fee and office turns are follow-ups answered only with the procedure in focus.
Turn = tuple[str, str]
TURNS = 4
OURS: tuple[tuple[Turn, ...], ...] = (
    (
        ("xin chào", "trợ lý ảo"),
        ("đăng ký khai sinh cần giấy tờ gì", "Giấy chứng sinh"),
        ("lệ phí bao nhiêu?", "Miễn phí"),
        ("nộp ở đâu", "Ủy ban nhân dân cấp xã"),
    ),
    (
        ("chào em", "trợ lý ảo"),
        ("đăng ký khai tử cần giấy tờ gì", "Giấy báo tử"),
        ("phí bao nhiêu", "Miễn lệ phí"),
        ("nộp ở đâu", "Ủy ban nhân dân cấp xã"),
    ),
    (
        ("xin chào", "trợ lý ảo"),
        ("tra cứu hồ sơ", "mã hồ sơ"),
        (CODE, "CCCD"),
        (ID_NUMBER, "Cần bổ sung"),
    ),
    (
        ("chào em", "trợ lý ảo"),
        ("làm hộ chiếu cần giấy tờ gì", "TK01"),
        ("lệ phí bao nhiêu?", "200.000 đồng"),
        ("làm online được không", "dichvucong.gov.vn"),
    ),
)
# `rasa init`'s moodbot (data/stories.yml, domain.yml of Rasa 3.6)
STOCK: tuple[tuple[Turn, ...], ...] = (
    (
        ("hello", "How are you?"),
        ("I am sad", "cheer you up"),
        ("yes", "carry on"),
        ("bye", "Bye"),
    ),
    (
        ("hi", "How are you?"),
        ("I am great", "carry on"),
        ("are you a bot?", "I am a bot"),
        ("goodbye", "Bye"),
    ),
)
# the procedure documents turn of OURS[0], for the breakdown
DOCUMENTS_ACTION = "action_answer_procedure"


def say(message: str) -> None:
    print(f"[bench-load] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- /proc

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class ProcStat:
    pid: int
    pgrp: int
    cpu_ticks: int  # user + system time of the process itself


def parse_stat(text: str) -> ProcStat:
    """One /proc/<pid>/stat line. The command name (2nd field, in parentheses) may hold spaces
    and parentheses: the fields are counted after its last ')'."""
    pid = int(text.split(" ", 1)[0])
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): pgrp is field 5, utime 14, stime 15
    return ProcStat(pid=pid, pgrp=int(rest[2]), cpu_ticks=int(rest[11]) + int(rest[12]))


def parse_peak_rss_kb(status: str) -> int:
    """VmHWM (the peak resident set size, kB) of a /proc/<pid>/status text; 0 if absent."""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True)
class GroupUsage:
    cpu_seconds: float
    peak_rss_mb: dict[int, float]  # pid -> MB


def group_usage(pgid: int, proc: Path = Path("/proc")) -> GroupUsage:
    """CPU seconds and peak RSS of the live processes of one process group (a service started
    in its own session: the server and any workers it forks)."""
    ticks = 0
    peaks: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = parse_stat((entry / "stat").read_text())
            if stat.pgrp != pgid:
                continue
            peak = parse_peak_rss_kb((entry / "status").read_text())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or a kernel thread
        ticks += stat.cpu_ticks
        peaks[stat.pid] = peak / 1024
    return GroupUsage(cpu_seconds=ticks / CLOCK_TICKS, peak_rss_mb=peaks)


class Meter:
    """CPU seconds of each named process group between ``mark`` calls, and peak RSS."""

    def __init__(self) -> None:
        self.groups: dict[str, int] = {}
        self.cpu: dict[str, dict[str, float]] = {}  # phase -> service -> CPU s
        self.peak_rss_mb: dict[str, float] = {}  # service -> largest process's peak
        self._last: dict[str, float] = {}

    def watch(self, name: str, pgid: int) -> None:
        self.groups[name] = pgid
        self._last[name] = group_usage(pgid).cpu_seconds

    def forget(self, name: str) -> None:
        self.sample()
        self.groups.pop(name, None)

    def sample(self) -> dict[str, float]:
        used: dict[str, float] = {}
        for name, pgid in self.groups.items():
            usage = group_usage(pgid)
            used[name] = max(0.0, usage.cpu_seconds - self._last.get(name, 0.0))
            self._last[name] = usage.cpu_seconds
            if usage.peak_rss_mb:
                peak = max(usage.peak_rss_mb.values())
                self.peak_rss_mb[name] = max(self.peak_rss_mb.get(name, 0.0), peak)
        return used

    def mark(self, phase: str | None) -> None:
        """Ends the current phase: the CPU used since the last mark is booked to ``phase``."""
        used = self.sample()
        if phase is not None:
            self.cpu[phase] = used


# ----------------------------------------------------------------------------- load


@dataclass
class Result:
    label: str
    latencies: list[float] = field(default_factory=list)  # seconds
    elapsed: float = 0.0
    errors: int = 0
    busy: int = 0  # refused at once under overload (bot/channels/overload.py), not timed
    wrong: list[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.messages / self.elapsed if self.elapsed else 0.0

    def ms(self, q: float) -> float:
        return pct(self.latencies, q) * 1000 if self.latencies else float("nan")

    def over(self, limit_ms: float) -> int:
        return sum(1 for s in self.latencies if s * 1000 > limit_ms)


def texts(body: Any) -> str:
    if not isinstance(body, list):
        return ""
    return "\n".join(str(m.get("text", "")) for m in body if isinstance(m, dict))


async def send(
    client: httpx.AsyncClient, url: str, sender: str, turn: Turn, result: Result, due: float
) -> None:
    """One message; its latency from ``due`` (when it should have been sent)."""
    message, fact = turn
    try:
        response = await client.post(url, json={"sender": sender, "message": message})
        done = time.perf_counter()
        if response.status_code != 200:
            result.errors += 1
            return
        if "Retry-After" in response.headers:  # "em đang bận...": the message was not handled
            result.busy += 1
            return
        answer = texts(response.json())
    except (httpx.HTTPError, ValueError):
        result.errors += 1
        return
    result.latencies.append(done - due)
    if fact not in answer:
        result.wrong.append(f"{sender} {message!r}: {answer[:100]!r}")


def webhook(base: str) -> str:
    return f"{base}/webhooks/rest/webhook"


def client(connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits)


async def closed_loop(
    base: str, scripts: Sequence[Sequence[Turn]], concurrency: int, conversations: int, run: str
) -> Result:
    """CONCURRENCY citizens each send a turn as soon as the previous one is answered, until
    CONVERSATIONS conversations (scripts in turn) are done."""
    result = Result(f"closed {concurrency}")
    pending = list(range(conversations))
    url = webhook(base)
    async with client(concurrency) as http:

        async def citizen() -> None:
            while pending:
                n = pending.pop(0)
                sender = f"{run}-c{concurrency}-{n}"
                for turn in scripts[n % len(scripts)]:
                    await send(http, url, sender, turn, result, time.perf_counter())

        started = time.perf_counter()
        await asyncio.gather(*(citizen() for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - started
    return result


def slot_of(message: int, citizens: int, turns: int) -> tuple[int, int, int]:
    """Open loop: the ``message``-th arrival belongs to citizen slot ``message % citizens``; each
    slot sends one turn per round of CITIZENS arrivals and starts a new conversation after
    TURNS rounds. Returns (slot, conversation number of that slot, turn)."""
    slot, round_ = message % citizens, message // citizens
    return slot, round_ // turns, round_ % turns


async def open_loop(
    base: str, scripts: Sequence[Sequence[Turn]], rate: float, duration: float, think: float,
    run: str,
) -> Result:
    """Messages due at a fixed RATE for DURATION s, from RATE x THINK citizens: each sends its
    next turn THINK s after the previous one was due (after its answer, if that came later)."""
    citizens = max(1, round(rate * think))
    total = max(1, int(rate * duration))
    result = Result(f"open {rate:g}/s")
    locks = [asyncio.Lock() for _ in range(citizens)]
    url = webhook(base)
    async with client(citizens) as http:

        async def one(due: float, slot: int, sender: str, turn: Turn) -> None:
            async with locks[slot]:  # a citizen waits for the answer before the next turn
                await send(http, url, sender, turn, result, due)

        tasks = []
        started = time.perf_counter()
        for n in range(total):
            due = started + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            slot, conversation, turn = slot_of(n, citizens, TURNS)
            script = scripts[(slot + conversation) % len(scripts)]
            sender = f"{run}-o{slot}-{conversation}"
            tasks.append(asyncio.create_task(one(due, slot, sender, script[turn])))
        await asyncio.gather(*tasks)
        result.elapsed = time.perf_counter() - started
    return result


async def warm_up(base: str, scripts: Sequence[Sequence[Turn]], run: str) -> Result:
    """Each script once, in turn: the models loaded, the caches filled, the answers checked."""
    return await closed_loop(base, scripts, 1, len(scripts), f"{run}-warm")


# ----------------------------------------------------------------------------- breakdown


def timed(call: Any, repeat: int) -> list[float]:
    """Seconds of ``repeat`` calls of ``call()`` (each must succeed), one after the other."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        seconds.append(time.perf_counter() - started)
        if isinstance(response, httpx.Response):
            response.raise_for_status()
    return seconds


def breakdown(stack: Stack, repeat: int, run: str) -> dict[str, list[float]]:
    """Where a message's time goes, each part alone on the idle stack, one call after another."""
    import redis

    c = stack.config
    token = {"token": stack.token}
    sender = f"{run}-parts"
    parts: dict[str, list[float]] = {}
    messages = [turn[0] for script in OURS for turn in script]
    with httpx.Client(timeout=30) as http:
        # a conversation with the documents question answered: the tracker the parts work on
        for message, _ in OURS[0][:2]:
            http.post(webhook(c.rasa_url), json={"sender": sender, "message": message})
        n = iter(range(10**6))
        parts["NLU (POST /model/parse)"] = timed(
            lambda: http.post(
                f"{c.rasa_url}/model/parse", params=token,
                json={"text": messages[next(n) % len(messages)]},
            ),
            repeat,
        )
        parts["policies (POST /conversations/<id>/predict)"] = timed(
            lambda: http.post(f"{c.rasa_url}/conversations/{sender}/predict", params=token),
            repeat,
        )
        tracker = http.get(
            f"{c.rasa_url}/conversations/{sender}/tracker", params=token
        ).json()
        domain = http.get(
            f"{c.rasa_url}/domain", params=token, headers={"Accept": "application/json"}
        ).json()
        call = {"next_action": DOCUMENTS_ACTION, "sender_id": sender, "tracker": tracker,
                "domain": domain, "version": "3.6"}
        actions = f"http://{c.host}:{c.actions_port}/webhook"
        secret = {"token": stack.secrets["ACTION_SERVER_TOKEN"]}
        parts[f"one action server call ({DOCUMENTS_ACTION}, with its connectors calls)"] = timed(
            lambda: http.post(actions, params=secret, json=call), repeat
        )
        question = OURS[0][1][0]
        parts["connectors: resolve the procedure (GET /procedures/resolve)"] = timed(
            lambda: http.get(f"{c.connectors_url}/api/v1/procedures/resolve",
                             params={"q": question}),
            repeat,
        )
        code = http.get(f"{c.connectors_url}/api/v1/procedures/resolve",
                        params={"q": question}).json()["procedure"]["code"]
        parts["connectors: the procedure (GET /procedures/<code>)"] = timed(
            lambda: http.get(f"{c.connectors_url}/api/v1/procedures/{code}"), repeat
        )
    if stack.redis_ok:
        db = redis.Redis.from_url(c.redis_url)
        try:
            key = tracker_keys(c, sender)[0]
            size = len(db.get(key) or b"")
            parts["Redis round trip (PING)"] = timed(db.ping, repeat)
            parts[f"Redis GET of one tracker ({size / 1024:.0f} kB)"] = timed(
                lambda: db.get(key), repeat
            )
        finally:
            db.close()
    return parts


# ----------------------------------------------------------------------------- services


@contextlib.contextmanager
def database(workdir: Path) -> Iterator[str]:
    """A PostgreSQL database of our own when 127.0.0.1:5432 answers (dropped after), else SQLite."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=2)
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL here
        yield f"sqlite:///{workdir / 'portal.sqlite3'}"
        return
    admin.close()
    with postgres_database("benchload") as url:
        yield url


def forget_redis_keys(url: str, prefix: str) -> None:
    import redis

    db = redis.Redis.from_url(url)
    try:
        keys = list(db.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            db.delete(*keys[start : start + 500])
    finally:
        db.close()


@contextlib.contextmanager
def balancer(upstreams: list[str], log: Path) -> Iterator[tuple[str, int]]:
    """scripts/balancer.py in a process of its own (its CPU counted apart from the load
    client's); yields its URL and process group."""
    code = (
        "import sys\n"
        "from scripts.balancer import round_robin\n"
        "with round_robin(sys.argv[1:]) as (url, _):\n"
        "    print(url, flush=True)\n"
        "    sys.stdin.read()\n"
    )
    with log.open("ab") as err:
        proc = subprocess.Popen(
            [str(APP_BIN / "python"), "-c", code, *upstreams],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, start_new_session=True,
        )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        if not url:
            raise RuntimeError(f"the balancer did not start; see {log}")
        yield url, proc.pid
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def rasa_version() -> str:
    out = subprocess.run(
        [str(RASA_BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
        capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


def stock_model(version: str) -> Path:
    """`rasa init --no-prompt` trained once per Rasa version, kept in var/bench-load/."""
    target = CACHE / f"stock-rasa-{version}.tar.gz"
    if target.exists():
        say(f"stock model cached: {target.relative_to(ROOT)}")
        return target
    say("training the stock `rasa init` bot (minutes; cached for the next runs)...")
    with tempfile.TemporaryDirectory(prefix="bench-load-stock-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        subprocess.run(
            [str(RASA_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
            cwd=tmp, env=rasa_env(), check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        trained = sorted((project / "models").glob("*.tar.gz"))
        if not trained:
            raise RuntimeError("rasa init trained no model")
        CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(trained[-1], target.with_suffix(".part"))
        target.with_suffix(".part").rename(target)
    return target


@contextlib.contextmanager
def stock_rasa(model: Path, workdir: Path) -> Iterator[tuple[str, int]]:
    """Stock `rasa run`: default (in-memory) tracker and lock stores, no action server, the REST
    channel, the HTTP API open on loopback. Yields its URL and process group."""
    port = free_port()
    (workdir / "credentials.yml").write_text("rest:\n")
    with (workdir / "stock-rasa.log").open("ab") as log:
        proc = subprocess.Popen(
            [str(RASA_BIN / "rasa"), "run", "--model", str(model), "--enable-api",
             "--interface", "127.0.0.1", "--port", str(port),
             "--credentials", str(workdir / "credentials.yml")],
            cwd=workdir, env={**rasa_env(), "PYTHONPATH": ""}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"stock Rasa exited; see {workdir / 'stock-rasa.log'}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/status", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("stock Rasa did not start")
            time.sleep(0.5)
        yield url, proc.pid
    finally:
        stop_group(proc)


# ----------------------------------------------------------------------------- the run


@dataclass
class Settings:
    levels: tuple[int, ...]
    rate: float
    duration: float
    think: float
    repeat: int
    quick: bool

    def conversations(self, concurrency: int) -> int:
        """Closed loop: each citizen runs at least 2 conversations (1 when quick), at least 10
        conversations (5 when quick) in all."""
        return max(concurrency * (1 if self.quick else 2), 5 if self.quick else 10)


@dataclass
class System:
    name: str
    instances: int
    warm: Result
    closed: list[Result]
    open: Result | None

    @property
    def saturation(self) -> float:
        return max(r.throughput for r in self.closed)

    @property
    def per_process(self) -> float:
        return self.saturation / self.instances

    @property
    def one(self) -> Result:
        return next(r for r in self.closed if r.label == "closed 1")


@dataclass(frozen=True)
class Target:
    """A bot under load: where its REST channel is, what citizens say to it."""

    name: str
    base: str
    scripts: Sequence[Sequence[Turn]]
    instances: int


async def measure(
    targets: list[Target], settings: Settings, meter: Meter, run: str
) -> list[System]:
    """Each load on each target in turn (ours, then stock, at each level), so that a change in
    what else the machine does weighs on both alike."""
    systems = []
    for target in targets:
        warm = await warm_up(target.base, target.scripts, f"{run}-{target.name}")
        for wrong in warm.wrong:
            say(f"{target.name} warm-up: unexpected answer {wrong}")
        systems.append(System(target.name, target.instances, warm, [], None))
    meter.mark(None)
    for level in settings.levels:
        for target, system in zip(targets, systems, strict=True):
            result = await closed_loop(
                target.base, target.scripts, level, settings.conversations(level),
                f"{run}-{target.name}",
            )
            meter.mark(f"{target.name}: {result.label}")
            say(f"{target.name}: {row(result)}")
            system.closed.append(result)
    for target, system in zip(targets, systems, strict=True):
        system.open = await open_loop(
            target.base, target.scripts, settings.rate, settings.duration, settings.think,
            f"{run}-{target.name}",
        )
        meter.mark(f"{target.name}: {system.open.label}")
        say(f"{target.name}: {row(system.open)}")
    return systems


def row(result: Result) -> str:
    return (
        f"{result.label:<12} {result.messages:>5} msgs  p50 {result.ms(0.5):7.0f}  "
        f"p95 {result.ms(0.95):7.0f}  p99 {result.ms(0.99):7.0f} ms  "
        f"{result.throughput:6.1f} msg/s  >150ms {result.over(SLOW_MS):>5}  "
        f"busy {result.busy}  errors {result.errors}  wrong {len(result.wrong)}"
    )


@dataclass
class Report:
    settings: Settings
    command: str
    database: str
    systems: list[System]
    parts: dict[str, list[float]]
    stock_parse: list[float]
    meter: Meter
    started: datetime
    seconds: float
    load: str


def ours_stack(workdir: Path, database_url: str, prefix: str) -> Stack:
    config = Config(
        connectors_port=free_port(), actions_port=free_port(), rasa_port=free_port(),
        database_url=database_url, redis_url=REDIS_URL, redis_key_prefix=prefix,
        log_dir=workdir / "log",
    )
    return Stack(config)


def run(settings: Settings, with_stock: bool, command: str) -> Report:
    started = datetime.now(timezone.utc)
    load_average = busy_machine()
    t0 = time.monotonic()
    tag = uuid.uuid4().hex[:6]
    prefix = f"benchload{tag}"
    meter = Meter()
    systems: list[System] = []
    parts: dict[str, list[float]] = {}
    stock_parse: list[float] = []
    with contextlib.ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        url = cleanup.enter_context(database(workdir))
        db_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        targets: list[Target] = []
        if with_stock:
            model = stock_model(rasa_version())
            stock_url, stock_pgid = cleanup.enter_context(stock_rasa(model, workdir))
            meter.watch("stock rasa", stock_pgid)
            targets.append(Target("stock Rasa", stock_url, STOCK, 1))
        stack = ours_stack(workdir, url, prefix)
        if not stack.redis_ok:
            raise SystemExit(f"Redis is not reachable at {REDIS_URL}: the benchmark needs it")
        cleanup.callback(forget_redis_keys, REDIS_URL, prefix)
        say(f"starting the stack ({db_name}, Redis db 15, prefix {prefix})...")
        ours_model = stack.prepare()
        cleanup.callback(stack.stop)
        stack.start(ours_model)
        for service in stack.services:
            assert service.process is not None
            meter.watch(service.name, service.process.pid)
        targets.insert(0, Target("ours, 1 Rasa", stack.config.rasa_url, OURS, 1))
        systems += asyncio.run(measure(targets, settings, meter, tag))
        parts = breakdown(stack, settings.repeat, tag)
        if with_stock:
            stock_parse = parse_times(targets[1].base, settings.repeat)
        meter.mark(None)
        replica = stack.add_rasa(free_port())
        assert replica.process is not None
        meter.watch(replica.name, replica.process.pid)
        upstreams = [stack.config.rasa_url, replica.health_url.rstrip("/")]
        with balancer(upstreams, workdir / "balancer.log") as (lb_url, lb_pgid):
            meter.watch("balancer", lb_pgid)
            parts.update(balancer_hop(lb_url, stack.config.rasa_url, settings.repeat))
            meter.mark(None)
            two = Target("ours, 2 Rasa", lb_url, OURS, 2)
            systems += asyncio.run(measure([two], settings, meter, tag))
        meter.sample()  # the last peaks, before anything stops
    order = ["ours, 1 Rasa", "ours, 2 Rasa", "stock Rasa"]
    systems.sort(key=lambda x: order.index(x.name))
    return Report(settings, command, db_name, systems, parts, stock_parse, meter, started,
                  time.monotonic() - t0, load_average)


def balancer_hop(lb_url: str, rasa_url: str, repeat: int) -> dict[str, list[float]]:
    """What the balancer adds: Rasa's GET / (\"Hello from Rasa\") directly and through it."""
    with httpx.Client(timeout=30) as http:
        return {
            "Rasa's GET / directly": timed(lambda: http.get(f"{rasa_url}/"), repeat),
            "Rasa's GET / through scripts/balancer.py (2 Rasa)": timed(
                lambda: http.get(f"{lb_url}/"), repeat
            ),
        }


def parse_times(base: str, repeat: int) -> list[float]:
    """Stock Rasa's NLU alone (its API is open: no token)."""
    messages = [turn[0] for script in STOCK for turn in script]
    n = iter(range(10**6))
    with httpx.Client(timeout=30) as http:
        return timed(
            lambda: http.post(f"{base}/model/parse",
                              json={"text": messages[next(n) % len(messages)]}),
            repeat,
        )


# ----------------------------------------------------------------------------- the report


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024**2:.0f} GB RAM"
    return (f"{os.cpu_count()} cores ({model}){memory}, Linux {platform.release()}, "
            f"Python {platform.python_version()}")


def busy_machine() -> str:
    """The load average when the run began: a shared machine shows in the figures."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) when the run began"



def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def targets(report: Report) -> list[tuple[str, str, str]]:
    """(target, figure, met or not) for each target the issue sets."""
    out: list[tuple[str, str, str]] = []
    by_name = {s.name: s for s in report.systems}
    ours, two = by_name.get("ours, 1 Rasa"), by_name.get("ours, 2 Rasa")
    stock = by_name.get("stock Rasa")
    rate = f"{report.settings.rate:g} msg/s"
    for system in (ours, two):
        if system and system.open:
            p95 = system.open.ms(0.95)
            out.append((f"open loop p95 <= {SLOW_MS:.0f} ms at {rate} ({system.name})",
                        f"{p95:.0f} ms", verdict(p95 <= SLOW_MS)))
    if ours and stock:
        ratio = ours.one.ms(0.5) / stock.one.ms(0.5)
        out.append((f"one conversation p50 <= {TARGET_P50_RATIO}x stock",
                    f"{ours.one.ms(0.5):.0f} / {stock.one.ms(0.5):.0f} ms = {ratio:.2f}x",
                    verdict(ratio <= TARGET_P50_RATIO)))
        for system in (ours, two):
            if system:
                ratio = system.per_process / stock.per_process
                out.append((
                    f"saturation per Rasa process >= {TARGET_SATURATION_RATIO}x stock "
                    f"({system.name})",
                    f"{system.per_process:.1f} / {stock.per_process:.1f} msg/s = {ratio:.2f}x",
                    verdict(ratio >= TARGET_SATURATION_RATIO),
                ))
    rasa = {k: v for k, v in report.meter.peak_rss_mb.items() if k.startswith("rasa")}
    if rasa:
        peak = max(rasa.values())
        out.append((f"memory per Rasa process < {TARGET_RSS_MB / 1024:.1f} GB",
                    f"{peak:.0f} MB peak RSS", verdict(peak < TARGET_RSS_MB)))
    return out


def markdown(report: Report) -> str:
    s = report.settings
    lines = [
        "# Benchmarks: end-to-end load",
        "",
    ]
    if s.quick:
        lines += [
            "> **QUICK RUN (`--quick`): a check of the script, not the benchmark.** Few "
            "conversations, a short open loop, concurrency 1 and 10 only, on a machine shared "
            "with other work. Figures to be replaced by a full run on a quiet machine "
            "(`make bench-load`).",
            "",
        ]
    lines += [
        f"- date: {report.started:%Y-%m-%d %H:%M} UTC; run time {report.seconds / 60:.1f} min",
        f"- machine: {machine()}; the load client on the same machine; {report.load}",
        f"- command: `{report.command}`",
        f"- stack: connectors on {report.database}, Redis tracker and lock stores (db 15), "
        "action server, Rasa (`bot.serve`, the current model); two instances behind "
        "`scripts/balancer.py` (round robin, consecutive messages of one conversation on "
        "different instances)",
        "- stock: `rasa init --no-prompt` (default pipeline and policies, in-memory stores, no "
        "action server), moodbot conversations of 4 turns",
        f"- conversations: 4 turns over the REST channel; ours: greeting, documents, fee, office "
        f"(birth, death, passport) and 1 in 4 a status look-up of the demo dossier; closed loop "
        f"at {', '.join(map(str, s.levels))} concurrent conversations; open loop "
        f"{s.rate:g} msg/s for {s.duration:g} s from {max(1, round(s.rate * s.think))} citizens "
        f"(next turn {s.think:g} s after the previous was due; latency from when it was due)",
        "",
        "## Targets",
        "",
        "| target | figure | |",
        "|---|---|---|",
    ]
    lines += [f"| {t} | {f} | {v} |" for t, f, v in targets(report)]
    lines += [
        "",
        "## Latency and throughput",
        "",
        "| system | load | messages | p50 ms | p95 ms | p99 ms | msg/s | > 150 ms | busy "
        "| errors | wrong answers |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for system in report.systems:
        for r in [*system.closed, *([system.open] if system.open else [])]:
            lines.append(
                f"| {system.name} | {r.label} | {r.messages} | {r.ms(0.5):.0f} | "
                f"{r.ms(0.95):.0f} | {r.ms(0.99):.0f} | {r.throughput:.1f} | "
                f"{r.over(SLOW_MS)} | {r.busy} | {r.errors} | {len(r.wrong)} |"
            )
    lines += [
        "",
        "Latency is from when a message was sent (closed loop) or due (open loop) to its "
        "answer; busy: answered at once with \"em đang bận...\" by the overload gate "
        "(`RASA_MAX_IN_FLIGHT`), not timed; wrong answers: the expected fact missing.",
        "",
        "Saturation (the best closed-loop msg/s): "
        + "; ".join(f"{x.name} {x.saturation:.1f} msg/s ({x.per_process:.1f} per Rasa process)"
                    for x in report.systems),
        "",
        "## Where a message's time goes",
        "",
        "Each part alone on the idle stack, one call after another, "
        f"{s.repeat} calls each; next to the end-to-end p50 of one conversation.",
        "",
        "| part | p50 ms | p95 ms |",
        "|---|---|---|",
    ]
    by_name = {x.name: x for x in report.systems}
    if "ours, 1 Rasa" in by_name:
        one = by_name["ours, 1 Rasa"].one
        lines.append(f"| **end to end, one message (closed loop 1)** | **{one.ms(0.5):.0f}** | "
                     f"{one.ms(0.95):.0f} |")
    for part, values in report.parts.items():
        lines.append(f"| {part} | {pct(values, 0.5) * 1000:.2f} | "
                     f"{pct(values, 0.95) * 1000:.2f} |")
    if report.stock_parse:
        lines.append(f"| stock Rasa NLU (POST /model/parse) | "
                     f"{pct(report.stock_parse, 0.5) * 1000:.2f} | "
                     f"{pct(report.stock_parse, 0.95) * 1000:.2f} |")
        if "stock Rasa" in by_name:
            one = by_name["stock Rasa"].one
            lines.append(f"| stock Rasa end to end, one message (closed loop 1) | "
                         f"{one.ms(0.5):.0f} | {one.ms(0.95):.0f} |")
    lines += [
        "",
        "## CPU and memory per process",
        "",
        "CPU seconds of each service's processes (its process group, /proc/<pid>/stat) during "
        "each load (CPU s / elapsed s: how busy it kept a core); peak RSS (VmHWM of "
        "/proc/<pid>/status) of its largest process over the run.",
        "",
    ]
    services = list(report.meter.peak_rss_mb)
    phases = list(report.meter.cpu)
    loads = {f"{x.name}: {r.label}": r
             for x in report.systems for r in [*x.closed, *([x.open] if x.open else [])]}
    lines += [
        "| load | messages | elapsed s | " + " | ".join(f"{n} CPU s" for n in services) + " |",
        "|---|---|---|" + "---|" * len(services),
    ]
    for phase in phases:
        used = report.meter.cpu[phase]
        measured = loads.get(phase)
        done = f"{measured.messages} | {measured.elapsed:.1f}" if measured else " | "
        lines.append(f"| {phase} | {done} | " + " | ".join(
            f"{used[n]:.1f}" if n in used else "" for n in services) + " |")
    lines.append("| **peak RSS MB** | | | " + " | ".join(
        f"**{report.meter.peak_rss_mb[n]:.0f}**" for n in services) + " |")
    wrong = [w for x in report.systems
             for r in [x.warm, *x.closed, *([x.open] if x.open else [])] for w in r.wrong[:3]]
    if wrong:
        lines += ["", "## Unexpected answers (first few)", ""]
        lines += [f"- `{w}`" for w in wrong[:10]]
    lines += [
        "",
        "On one machine the load client, the balancer and every service share the same cores: "
        "two Rasa instances there show what the shared stores and the extra hop cost, not "
        "scale-out, which needs the instances on cores (or hosts) of their own. "
        "`scripts/balancer.py` is the test suite's Python stand-in for nginx; its CPU is "
        "counted apart above.",
        "",
        "Reproduce: `make bench-load` (full) or `make bench-load ARGS=--quick`; "
        "`python -m scripts.bench_load --help` for the options.",
        "",
    ]
    return "\n".join(lines)


def print_table(report: Report) -> None:
    print()
    for system in report.systems:
        print(system.name)
        for r in [*system.closed, *([system.open] if system.open else [])]:
            print("  " + row(r))
    print("\nwhere a message's time goes (idle stack, p50):")
    for part, values in report.parts.items():
        print(f"  {part:<72} {pct(values, 0.5) * 1000:7.1f} ms")
    if report.stock_parse:
        print(f"  {'stock Rasa NLU (POST /model/parse)':<72} "
              f"{pct(report.stock_parse, 0.5) * 1000:7.1f} ms")
    print("\npeak RSS (MB): " + ", ".join(
        f"{n} {v:.0f}" for n, v in report.meter.peak_rss_mb.items()))
    print("\ntargets:")
    for target, figure, met in targets(report):
        print(f"  {target:<64} {figure:<34} {met}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench_load", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true",
                        help="few conversations, a 15 s open loop, concurrency 1 and 10")
    parser.add_argument("--concurrency", help="closed-loop levels, e.g. 1,10,50,200")
    parser.add_argument("--rate", type=float, default=20.0, help="open loop msg/s (default 20)")
    parser.add_argument("--duration", type=float, help="open loop seconds (60; quick 15)")
    parser.add_argument("--think", type=float,
                        help="seconds between a citizen's turns in the open loop (10; quick 3)")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock Rasa run")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    levels: tuple[int, ...] = (1, 10) if args.quick else (1, 10, 50, 200)
    if args.concurrency:
        levels = tuple(int(x) for x in args.concurrency.split(","))
    if 1 not in levels:
        levels = (1, *levels)  # the one-conversation p50 is a target
    settings = Settings(
        levels=levels,
        rate=args.rate,
        duration=args.duration or (15.0 if args.quick else 60.0),
        think=args.think or (3.0 if args.quick else 10.0),
        repeat=20 if args.quick else 100,
        quick=args.quick,
    )
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    command = f"python -m scripts.bench_load {shown}".strip()
    # a SIGTERM unwinds like Ctrl+C: every process and database this run started is stopped
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    report = run(settings, not args.no_stock, command)
    print_table(report)
    if not args.no_write:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(markdown(report), encoding="utf-8")
        say(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
