"""Rasa over HTTP (its token-secured API), and a temporary Rasa server to score a candidate with.

The connectors never import Rasa: the temporary server is the Rasa environment's own command
(``training_serve_command``), on a free loopback port with a token of its own.
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from connectors.admin.training.commands import StepFailed, TrainingConfig
from connectors.settings import ROOT

# Loading a model (PUT /model) unpacks it and builds its graph: seconds to a minute on 2 cores.
LOAD_TIMEOUT = 300.0


class RasaError(RuntimeError):
    """A Rasa server did not answer, refused the token, or answered something unexpected."""


class RasaClient:
    def __init__(self, url: str, token: str, http: httpx.Client) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._http = http

    @property
    def token(self) -> str:
        return self._token

    def _call(self, method: str, path: str, timeout: float = 10.0, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(
                method, f"{self.url}{path}", params={"token": self._token}, timeout=timeout,
                **kwargs,
            )
        except httpx.HTTPError as exc:
            raise RasaError(f"{self.url} không trả lời ({exc.__class__.__name__})") from exc
        if response.status_code in (401, 403):
            raise RasaError(f"{self.url} từ chối mã truy cập (HTTP {response.status_code})")
        if response.status_code >= 400:
            raise RasaError(
                f"{self.url} trả lời HTTP {response.status_code}: {response.text[:200]}"
            )
        return response

    def status(self) -> dict[str, Any]:
        # short: the console page asks it on every load, and must not hang on a Rasa that is down
        body: dict[str, Any] = self._call("GET", "/status", timeout=3.0).json()
        return body

    def model_file(self) -> str | None:
        """The file name of the model this server runs (Rasa reports the base name)."""
        name = self.status().get("model_file")
        return str(name) if name else None

    def load_model(self, model: Path) -> None:
        self._call("PUT", "/model", timeout=LOAD_TIMEOUT, json={"model_file": str(model)})

    def parse(self, text: str) -> str:
        body = self._call("POST", "/model/parse", json={"text": text}).json()
        intent = body.get("intent") or {}
        return str(intent.get("name") or "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


class TemporaryRasa:
    """A Rasa server of its own with ``model``, talking to the running action server.
    Conversations stay in its memory, never in the live tracker store. It starts at once;
    ``ready()`` waits for it, so that a build can train meanwhile."""

    def __init__(
        self, config: TrainingConfig, model: Path, log: Callable[[str], None], log_file: Path
    ) -> None:
        self.port = free_port()
        self._token = secrets.token_urlsafe(24)
        self._log, self._log_file = log, log_file
        self._started = time.monotonic()
        env = config.subprocess_env(
            {
                "RASA_AUTH_TOKEN": self._token,
                "ACTION_ENDPOINT_URL": config.settings.training_action_endpoint_url,
                "ACTION_SERVER_TOKEN": config.action_server_token,
            }
        )
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log(f"khởi động Rasa tạm thời với {model.name}, cổng {self.port} (nhật ký: {log_file})")
        with log_file.open("ab") as out:
            self._proc = subprocess.Popen(
                config.serve_argv(model, self.port), cwd=ROOT, env=env, stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # in the connectors' process group, as the build's commands (commands.py)
        self._http = httpx.Client()

    def ready(self, timeout: float = 300.0) -> RasaClient:
        client = RasaClient(f"http://127.0.0.1:{self.port}", self._token, self._http)
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                raise StepFailed(
                    f"Rasa tạm thời dừng với mã {self._proc.returncode}:\n{_tail(self._log_file)}"
                )
            try:
                if client.model_file():
                    break
            except RasaError:
                pass
            if time.monotonic() > deadline:
                raise StepFailed(f"Rasa tạm thời chưa sẵn sàng sau {timeout:.0f} giây")
            time.sleep(0.5)
        self._log(f"Rasa tạm thời sẵn sàng ({time.monotonic() - self._started:.0f} giây "
                  "sau khi khởi động)")
        return client

    def stop(self) -> None:
        self._http.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


@contextmanager
def temporary_rasa(
    config: TrainingConfig, model: Path, log: Callable[[str], None], *, log_file: Path
) -> Iterator[TemporaryRasa]:
    server = TemporaryRasa(config, model, log, log_file)
    try:
        yield server
    finally:
        server.stop()
