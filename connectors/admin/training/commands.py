"""The commands a build runs, from the settings' templates, and how one is run with its log.

Templates are split like a shell would (shlex) and each word's {placeholders} filled in; a word
that is exactly ``{paths}`` or ``{tags}`` becomes several words (or none).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from connectors.settings import ROOT, Settings

LIST_PLACEHOLDERS = ("{paths}", "{tags}")


def expand(template: str, values: Mapping[str, str | Sequence[str]]) -> list[str]:
    argv: list[str] = []
    for word in shlex.split(template):
        if word in LIST_PLACEHOLDERS:
            value = values[word[1:-1]]
            argv.extend([value] if isinstance(value, str) else list(value))
        else:
            argv.append(word.format_map({k: v for k, v in values.items() if isinstance(v, str)}))
    return argv


def _secret(value: str, name: str) -> str:
    """The setting, else the development secret `make run` generated into var/secrets/."""
    if value.strip():
        return value.strip()
    path = ROOT / "var" / "secrets" / name
    return path.read_text().strip() if path.exists() else ""


@dataclass(frozen=True)
class TrainingConfig:
    """Everything a build and a publication need, resolved from the settings once."""

    settings: Settings

    @property
    def rasa_urls(self) -> list[str]:
        urls = [u.strip().rstrip("/") for u in self.settings.training_rasa_urls.split(",")]
        return [u for u in urls if u] or [self.settings.rasa_public_url.rstrip("/")]

    @property
    def rasa_token(self) -> str:
        return _secret(self.settings.rasa_auth_token, "rasa_auth_token")

    @property
    def action_server_token(self) -> str:
        return _secret(self.settings.action_server_token, "action_server_token")

    @property
    def models_dir(self) -> Path:
        return self.settings.training_models_dir

    def _base(self) -> dict[str, str | Sequence[str]]:
        s = self.settings
        return {
            "rasa": str(s.training_rasa_bin / "rasa"),
            "rasa_python": str(s.training_rasa_bin / "python"),
            "app_python": sys.executable,
            "root": str(ROOT),
            "config": str(s.training_config_file),
            "domain": str(s.training_domain_dir),
            "data": str(s.training_data_dir),
        }

    def validate_argv(self) -> list[str]:
        return expand(self.settings.training_validate_command, self._base())

    def train_argv(self, name: str) -> list[str]:
        values = {**self._base(), "out": str(self.models_dir), "name": name}
        return expand(self.settings.training_train_command, values)

    def serve_argv(self, model: Path, port: int) -> list[str]:
        values = {**self._base(), "model": str(model), "port": str(port)}
        return expand(self.settings.training_serve_command, values)

    def replay_argv(self, url: str, out: Path) -> list[str]:
        s = self.settings
        paths = [p.strip() for p in s.training_replay_paths.split(",") if p.strip()]
        tags = [t.strip() for t in s.training_replay_tags.split(",") if t.strip()]
        values = {
            **self._base(),
            "url": url,
            "out": str(out),
            "paths": paths,
            "tags": [w for tag in tags for w in ("--tag", tag)],
        }
        return expand(s.training_replay_command, values)

    def subprocess_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
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


class StepFailed(RuntimeError):
    """A command of a build exited with an error, timed out, or its result is unusable."""


def run_logged(
    argv: list[str],
    *,
    env: Mapping[str, str],
    log: Callable[[str], None],
    timeout: float,
    cwd: Path = ROOT,
) -> None:
    """Runs one command to its end, each output line handed to ``log`` as it comes."""
    log("$ " + " ".join(shlex.quote(a) for a in argv))
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # in the connectors' process group: stopping the service (`make run` stops each
            # service's group) stops a build's command too, never leaving it to run orphaned
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        raise StepFailed(f"không chạy được lệnh {argv[0]}: {exc}") from exc
    assert proc.stdout is not None
    # a watchdog, since a command may hang without printing anything
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        proc.kill()

    watchdog = threading.Timer(timeout, expire)
    watchdog.start()
    try:
        for raw in proc.stdout:
            log(raw.decode("utf-8", "replace").rstrip("\n"))
        code = proc.wait()
    finally:
        watchdog.cancel()
    if expired.is_set():
        raise StepFailed(f"quá thời gian cho phép ({timeout:.0f} giây)")
    if code != 0:
        raise StepFailed(f"lệnh kết thúc với mã lỗi {code}")
    log(f"(xong trong {time.monotonic() - started:.0f} giây)")
