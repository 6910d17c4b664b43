"""Trains the model when its inputs changed and runs the three services together.

    python -m scripts.stack train      # train if no model matches the current data and config
    python -m scripts.stack run        # migrate + seed, train if needed, start everything, wait
    python -m scripts.stack env        # print the environment the services get (secrets masked)

`make run` and the end-to-end tests use this module, so what the tests start is what users run.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
APP_BIN = Path(os.environ.get("APP_VENV", ROOT / ".venv-app")) / "bin"
RASA_BIN = Path(os.environ.get("RASA_VENV", ROOT / ".venv-rasa")) / "bin"
MODELS = ROOT / "models"
VAR = ROOT / "var"
# Everything a trained model depends on: change any of these and the model is rebuilt.
MODEL_INPUTS = ("config.yml", "bot", "data", "lexicon", "requirements/rasa.lock.txt")

logger = logging.getLogger("stack")


def say(message: str) -> None:
    print(f"[run] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- training


def _input_files() -> Iterator[Path]:
    for name in MODEL_INPUTS:
        path = ROOT / name
        if path.is_file():
            yield path
        else:
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            )


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _input_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_path() -> Path:
    return MODELS / f"vi-{fingerprint()}.tar.gz"


def rasa_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",  # no machine here reaches the internet
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra or {})
    return env


def train(force: bool = False) -> Path:
    target = model_path()
    if target.exists() and not force:
        say(f"model is current: {target.relative_to(ROOT)}")
        return target
    say(f"training {target.name} (data or config changed)...")
    started = time.monotonic()
    subprocess.run(
        [
            str(RASA_BIN / "rasa"),
            "train",
            "--config",
            "config.yml",
            "--domain",
            "bot/domain",
            "--data",
            "data",
            "--out",
            str(MODELS),
            "--fixed-model-name",
            target.name.removesuffix(".tar.gz"),
        ],
        cwd=ROOT,
        env=rasa_env(),
        check=True,
    )
    say(f"trained in {time.monotonic() - started:.0f} s")
    # older models of this checkout are dead weight
    for old in MODELS.glob("vi-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


# ----------------------------------------------------------------------------- services


def free_port() -> int:
    """A loopback port nobody listens on right now (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), 0.5
        ) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


# Every secret the services share: the environment variable that sets it, and what it protects.
SECRETS = {
    "RASA_AUTH_TOKEN": "Rasa's HTTP API (staff console, QA replay)",
    "ACTION_SERVER_TOKEN": "calls from Rasa to the action server",
    "CONNECTORS_SERVICE_TOKEN": "connectors endpoints that only the action server calls",
    "SESSION_SECRET": "signs the web chat's session ids",
}


class MissingSecrets(RuntimeError):
    """ENVIRONMENT=production and a secret is not set: generated secrets are for development."""


def production() -> bool:
    return os.environ.get("ENVIRONMENT", "development").strip().lower() == "production"


def secret(name: str) -> str:
    """The secret from the environment, else one generated once into var/secrets/ (0600).

    In production a generated secret is refused: it would differ between hosts and live on disk.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if production():
        raise MissingSecrets(name)
    path = VAR / "secrets" / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


# a secret anyone can forge offline (SESSION_SECRET signs web sessions) must be long and random
MIN_SECRET_CHARS = 32


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """What ENVIRONMENT=production refuses: missing, short or shared secrets, Redis without a
    password (anyone on the host could read every conversation and lift the look-up locks)."""
    values = {name: environ.get(name, "").strip() for name in SECRETS}
    problems = [f"{n} is not set ({SECRETS[n]})" for n, v in values.items() if not v]
    problems += [
        f"{n} is shorter than {MIN_SECRET_CHARS} characters"
        for n, v in values.items() if v and len(v) < MIN_SECRET_CHARS
    ]
    set_values = [v for v in values.values() if v]
    if len(set(set_values)) < len(set_values):
        problems.append("two secrets have the same value: each must be its own")
    redis_url = environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not urlparse(redis_url).password:
        problems.append("REDIS_URL has no password (redis://:PASSWORD@host:6379/0)")
    return problems + zalo_problems(environ)


# The Zalo OA channel is optional (a province without Zalo sets none of these); set at all, it
# needs all three, or its webhook answers 503 to Zalo while the province believes it connected.
ZALO_SETTINGS = ("ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET_KEY")


def zalo_problems(environ: Mapping[str, str]) -> list[str]:
    unset = [name for name in ZALO_SETTINGS if not environ.get(name, "").strip()]
    if not unset or len(unset) == len(ZALO_SETTINGS):
        return []
    return [f"Zalo is half configured: {', '.join(unset)} not set (README: Zalo OA)"]


def all_secrets() -> dict[str, str]:
    if production():
        problems = production_problems(os.environ)
        if problems:
            raise MissingSecrets("ENVIRONMENT=production refuses to start: " + "; ".join(problems))
    return {name: secret(name) for name in SECRETS}


def auth_token() -> str:
    return secret("RASA_AUTH_TOKEN")


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def load_dotenv(path: Path = ROOT / ".env") -> None:
    """`make run` honours a .env file; the process environment wins over it."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#") and value.strip():
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


@dataclass
class Config:
    """Ports and URLs of one running stack (defaults from the environment, see .env.example)."""

    host: str = field(default_factory=lambda: _env("BIND_HOST", "127.0.0.1"))
    connectors_port: int = field(default_factory=lambda: int(_env("CONNECTORS_PORT", "8000")))
    actions_port: int = field(default_factory=lambda: int(_env("ACTIONS_PORT", "5055")))
    rasa_port: int = field(default_factory=lambda: int(_env("RASA_PORT", "5005")))
    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", f"sqlite:///{VAR / 'portal.sqlite3'}")
    )
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", "redis://127.0.0.1:6379/0"))
    redis_key_prefix: str = field(default_factory=lambda: _env("REDIS_KEY_PREFIX", "tldvc"))
    log_dir: Path = VAR / "log"
    retention_days: int = field(
        default_factory=lambda: int(_env("RETENTION_DAYS", str(_default_retention_days())))
    )
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def connectors_url(self) -> str:
        return f"http://{self.host}:{self.connectors_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"


def _tracker_prefix(config: Config) -> str:
    # Rasa accepts only alphanumeric prefixes
    return "".join(ch for ch in config.redis_key_prefix if ch.isalnum())


def rasa_redis_env(config: Config) -> dict[str, str]:
    """Where Rasa keeps trackers and locks (endpoints.yml reads these), and for how long."""
    parsed = urlparse(config.redis_url)
    prefix = _tracker_prefix(config)
    return {
        "REDIS_HOST": parsed.hostname or "127.0.0.1",
        "REDIS_PORT": str(parsed.port or 6379),
        "REDIS_DB": (parsed.path or "/0").lstrip("/") or "0",
        "REDIS_PASSWORD": parsed.password or "",
        "RASA_TRACKER_KEY_PREFIX": prefix + "tracker",
        "RASA_LOCK_KEY_PREFIX": prefix + "lock",
        # a conversation untouched for the retention period expires from Redis
        "TRACKER_RETENTION_SECONDS": str(config.retention_days * 86_400),
    }


def tracker_keys(config: Config, sender_id: str) -> list[str]:
    """The Redis keys of one conversation: its tracker and its lock (Rasa's key layout)."""
    prefix = _tracker_prefix(config)
    return [f"{prefix}tracker:tracker:{sender_id}", f"{prefix}lock:lock:{sender_id}"]


def _default_retention_days() -> int:
    from connectors.settings import Settings  # one default for the connectors and the trackers

    return int(Settings.model_fields["retention_days"].default)


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    process: subprocess.Popen[bytes] | None = None


class Stack:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.services: list[Service] = []
        self.redis_ok = redis_reachable(config.redis_url)
        self.secrets = all_secrets()
        self.token = self.secrets["RASA_AUTH_TOKEN"]

    def _common_env(self) -> dict[str, str]:
        c = self.config
        env = rasa_env(c.extra_env)
        env.update(
            {
                "DATABASE_URL": c.database_url,
                "REDIS_URL": c.redis_url,
                "REDIS_KEY_PREFIX": c.redis_key_prefix + ":",
                "CONNECTORS_URL": c.connectors_url,
                "RASA_PUBLIC_URL": c.rasa_url,
                "RETENTION_DAYS": str(c.retention_days),
            }
        )
        return env

    def _rasa_redis_env(self) -> dict[str, str]:
        return rasa_redis_env(self.config)

    def prepare(self) -> Path:
        """Database schema and curated data, then the model: all that precedes the services."""
        env = self._common_env()
        subprocess.run(
            [str(APP_BIN / "python"), "-m", "connectors.manage", "init"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        return train()

    def _secrets(self, *names: str) -> dict[str, str]:
        """Each service gets only the secrets it uses."""
        return {name: self.secrets[name] for name in names}

    def endpoints(self) -> str:
        """Redis tracker and lock stores when Redis answers; in-memory (with a notice) when not."""
        return "endpoints.yml" if self.redis_ok else "bot/endpoints.inmemory.yml"

    def start(self, model: Path) -> None:
        c = self.config
        env = self._common_env()
        endpoints = self.endpoints()
        if not self.redis_ok:
            say(
                f"NOTICE: Redis is not reachable at {c.redis_url}. Conversations are kept in "
                "memory "
                "(lost on restart, not shared between Rasa instances) and the connectors run "
                "without cache. Start Redis for the production set-up."
            )
        connectors_env = {**env, **self._secrets("CONNECTORS_SERVICE_TOKEN")}
        # dossier status notifications reach Zalo through Rasa's API (connectors/notifications)
        connectors_env.setdefault(
            "NOTIFY_TRIGGER_URL",
            # include_events=NONE: the answer carries the slots (the action's outcome), not
            # the whole conversation
            f"{c.rasa_url}/conversations/{{sender}}/trigger_intent"
            "?output_channel=zalo&include_events=NONE",
        )
        connectors_env["NOTIFY_TRIGGER_TOKEN"] = self._secrets("RASA_AUTH_TOKEN")["RASA_AUTH_TOKEN"]
        # the staff console publishes models through Rasa's API, and scores a candidate on a
        # temporary Rasa that calls this stack's action server (connectors/admin/training)
        connectors_env.update(self._secrets("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN"))
        connectors_env.setdefault(
            "TRAINING_ACTION_ENDPOINT_URL", f"http://{c.host}:{c.actions_port}/webhook"
        )
        actions_env = {**env, **self._secrets("ACTION_SERVER_TOKEN", "CONNECTORS_SERVICE_TOKEN")}
        rasa_env_ = {
            **env,
            **self._rasa_redis_env(),
            **self._secrets("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "SESSION_SECRET"),
            "ACTION_ENDPOINT_URL": f"http://{c.host}:{c.actions_port}/webhook",
        }
        self.services = [
            Service(
                "connectors",
                [
                    str(APP_BIN / "uvicorn"),
                    "--factory",
                    "connectors.main:create_app",
                    "--host",
                    c.host,
                    "--port",
                    str(c.connectors_port),
                    "--no-access-log",
                ],
                connectors_env,
                f"{c.connectors_url}/health",
            ),
            Service(
                "actions",
                [
                    str(APP_BIN / "python"),
                    "-m",
                    "actions.server",
                    "--host",
                    c.host,
                    "--port",
                    str(c.actions_port),
                ],
                actions_env,
                f"http://{c.host}:{c.actions_port}/health",
            ),
            Service(
                "rasa",
                [
                    # like `rasa run`, but the API token comes from RASA_AUTH_TOKEN: never in argv
                    str(RASA_BIN / "python"),
                    "-m",
                    "bot.serve",
                    "--model",
                    str(model),
                    "--endpoints",
                    endpoints,
                    "--credentials",
                    "credentials.yml",
                    "--interface",
                    c.host,
                    "--port",
                    str(c.rasa_port),
                    "--enable-api",
                    "--cors",
                    c.connectors_url,
                    f"http://localhost:{c.connectors_port}",
                ],
                {
                    **rasa_env_,
                    # pages allowed to open a socket.io chat, and sites allowed to embed the
                    # bubble: by default only the chat page Rasa serves (web/, at /chat/)
                    "ALLOWED_ORIGINS": rasa_env_.get("ALLOWED_ORIGINS")
                    or f"{c.rasa_url},http://localhost:{c.rasa_port}",
                },
                f"{c.rasa_url}/",
            ),
        ]
        for service in self.services:
            self._spawn(service)
        self.wait_healthy()

    def add_rasa(self, port: int, env: Mapping[str, str] | None = None) -> Service:
        """Another Rasa instance on ``port`` with the same model, action server, connectors and
        Redis tracker and lock stores: a scale-out replica, as a deployment runs several
        (``env`` adds to its environment)."""
        base = next(s for s in self.services if s.name == "rasa")
        argv = list(base.argv)
        argv[argv.index("--port") + 1] = str(port)
        replicas = sum(s.name.startswith("rasa") for s in self.services)
        replica = Service(
            f"rasa-{replicas + 1}", argv, {**base.env, **(env or {})},
            f"http://{self.config.host}:{port}/",
        )
        self.services.append(replica)
        self._spawn(replica)
        self.wait_healthy()
        return replica

    def stop_service(self, name: str) -> None:
        """Stops one service until ``restart(name)`` (a test takes it down for a while)."""
        self._terminate(next(s for s in self.services if s.name == name))

    def remove(self, name: str, *, kill: bool = False) -> None:
        """Stops one service for good (SIGKILL with ``kill``: a crash, not a shutdown) and
        forgets it, so that the health checks of the others no longer wait for it."""
        service = next(s for s in self.services if s.name == name)
        proc = service.process
        if kill and proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self._terminate(service)
        self.services.remove(service)

    def _spawn(self, service: Service) -> None:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.config.log_dir / f"{service.name}.log").open("ab")
        service.process = subprocess.Popen(
            service.argv,
            cwd=ROOT,
            env=service.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def restart(self, name: str) -> None:
        """Starts one stopped service again (tests take the connectors down and back up)."""
        service = next(s for s in self.services if s.name == name)
        if service.process and service.process.poll() is None:
            return
        self._spawn(service)
        self.wait_healthy()

    def _terminate(self, service: Service) -> None:
        proc = service.process
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    @contextmanager
    def reconfigured(self, name: str, env: Mapping[str, str]) -> Iterator[Service]:
        """One service restarted with extra environment (a test points the connectors at a fake
        upstream system), then restarted as it was; the other services keep running."""
        service = next(s for s in self.services if s.name == name)
        original = dict(service.env)
        self._terminate(service)
        service.env = {**original, **env}
        self._spawn(service)
        try:
            self.wait_healthy()
            yield service
        finally:
            self._terminate(service)
            service.env = original
            self._spawn(service)
            self.wait_healthy()

    def wait_healthy(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        while pending:
            for service in list(pending):
                assert service.process is not None
                if service.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(
                        f"{service.name} exited with {service.process.returncode}; "
                        f"see {self.config.log_dir / (service.name + '.log')}"
                    )
                try:
                    if httpx.get(service.health_url, timeout=1.0).status_code < 500:
                        pending.remove(service)
                        say(f"{service.name} is up ({service.health_url})")
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                names = ", ".join(s.name for s in pending)
                raise TimeoutError(f"not healthy after {timeout:.0f} s: {names}")
            time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(self.services):
            proc = service.process
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for service in self.services:
            proc = service.process
            if proc:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def _banner(stack: Stack) -> None:
    c = stack.config
    print(
        f"""
  Trợ lý Dịch vụ công is running.
    chat page        {c.rasa_url}/chat/   (what citizens open)
    chat bubble      <script src="{c.rasa_url}/chat/widget.js" defer></script>
                     on any site listed in ALLOWED_ORIGINS (web/README.md)
    REST channel     curl -s {c.rasa_url}/webhooks/rest/webhook \\
                       -H 'Content-Type: application/json' \\
                       -d '{{"sender":"a","message":"đăng ký khai sinh cần giấy tờ gì"}}'
    connectors API   {c.connectors_url}/docs
    Rasa HTTP API    {c.rasa_url}  (token in var/secrets/rasa_auth_token or $RASA_AUTH_TOKEN)
    logs             {c.log_dir}/
  Press Ctrl+C to stop all services.
""",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["train", "run", "fingerprint"])
    parser.add_argument("--force", action="store_true", help="train even if the model is current")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command == "fingerprint":
        print(fingerprint())
        return 0
    if args.command == "train":
        train(force=args.force)
        return 0
    load_dotenv()
    # staff edits of curated procedures in the console are written back to their seed files, so
    # the `init` of the next start loads them instead of undoing them (tests leave this unset)
    os.environ.setdefault("CATALOGUE_SEED_DIR", str(ROOT / "connectors" / "seed" / "procedures"))
    try:
        stack = Stack(Config())
    except MissingSecrets as exc:
        say(f"ERROR: {exc}")
        return 2
    model = stack.prepare()
    stop = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    stack.start(model)
    _banner(stack)
    try:
        while not stop:
            for service in stack.services:
                if service.process and service.process.poll() is not None:
                    say(f"{service.name} stopped unexpectedly (exit {service.process.returncode})")
                    stop = True
            time.sleep(1)
    finally:
        say("stopping...")
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
