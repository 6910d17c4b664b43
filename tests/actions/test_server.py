"""The action server launcher (actions/server.py): the token, the body checks, the defaults.

One real server (``python -m actions.server``) on a free loopback port serves the tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.server import (
    DEFAULT_HOST,
    DEFAULT_MAX_BODY_BYTES,
    MissingToken,
    parser,
    required_token,
    token_matches,
)
from scripts.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-Zx9"
MAX_BODY = 256 * 1024  # small, so that the "too large" rows stay cheap


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    # no portal: the actions used below never reach it, and nothing may hang on one
    env.update({"CONNECTORS_URL": "http://127.0.0.1:9", "PYTHONPATH": str(ROOT)}, **extra)
    return env


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port),
         "--max-body-bytes", str(MAX_BODY), "--quiet"],
        cwd=ROOT, env=_env(ACTION_SERVER_TOKEN=TOKEN),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/health", timeout=1)
            break
        except httpx.HTTPError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(stderr) from exc
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=15)


def call(action: str = "action_cancel_form", **tracker: Any) -> dict[str, Any]:
    """A well-formed action call, as Rasa sends it (an empty domain is a domain)."""
    return {
        "next_action": action,
        "sender_id": "citizen-1",
        "tracker": {
            "sender_id": "citizen-1",
            "slots": {},
            "latest_message": {"text": "thôi", "intent": {"name": "cancel"}, "entities": []},
            "events": [{"event": "action", "name": "action_listen"}],
            "active_loop": {},
            "latest_action_name": "action_listen",
            **tracker,
        },
        "domain": {},
        "version": "3.6.21",
    }


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _without(key: str) -> dict[str, Any]:
    body = call()
    del body[key]
    return body


@pytest.mark.parametrize(
    "method, path, token, status",
    [
        ("GET", "/health", None, 200),  # says only "ok"
        ("GET", "/actions", None, 401),
        ("GET", "/actions", "wrong", 401),
        ("GET", "/actions", "", 401),
        ("GET", "/actions", "mã-sai-có-dấu", 401),  # non-ASCII: refused, not a 500
        ("GET", "/actions", TOKEN + "x", 401),
        ("GET", "/actions", TOKEN, 200),
        ("POST", "/webhook", None, 401),
        ("POST", "/webhook", "wrong", 401),
        ("POST", "/webhook", TOKEN, 200),
    ],
)
def test_everything_but_health_needs_the_token(
    server: str, method: str, path: str, token: str | None, status: int
) -> None:
    params = {} if token is None else {"token": token}
    response = httpx.request(method, server + path, params=params, json=call(), timeout=10)

    assert response.status_code == status
    if status == 401:
        assert response.json() == {"error": response.json()["error"]}
        assert "citizen-1" not in response.text


@pytest.mark.parametrize(
    "body, headers, status",
    [
        (b"not json", {}, 400),
        (b"", {}, 400),
        (b"\xff\xfe\x00garbage", {}, 400),  # not UTF-8
        (b"null", {}, 400),
        (b"[]", {}, 400),
        (b'"a string"', {}, 400),
        (b"42", {}, 400),
        (b"[" * 100_000 + b"]" * 100_000, {}, 400),  # deeper than any parser goes
        (_json({}), {}, 422),
        (_json(_without("next_action")), {}, 422),
        (_json({**call(), "next_action": ""}), {}, 422),
        (_json({**call(), "next_action": 7}), {}, 422),
        (_json(_without("tracker")), {}, 422),
        (_json({**call(), "tracker": "x"}), {}, 422),
        (_json({**call(), "tracker": {}}), {}, 422),  # no sender_id
        (_json(call(events="x")), {}, 422),
        (_json(call(events=[1, 2])), {}, 422),
        (_json(call(events=[{"name": "no event key"}])), {}, 422),
        (_json(call(slots=[])), {}, 422),
        (_json(call(latest_message=[])), {}, 422),
        (_json(call(latest_message={"text": 5})), {}, 422),
        (_json({**call(), "domain": "x"}), {}, 422),
        (_json(call("action_that_does_not_exist")), {}, 404),
        (_json(_without("domain")), {}, 449),  # rasa-sdk asks Rasa for the domain
        (b"x" * (MAX_BODY + 1), {}, 413),
        (_json({**call(), "padding": "x" * MAX_BODY}), {}, 413),
        (b"not deflate", {"Content-Encoding": "deflate"}, 400),
        (zlib.compress(b" " * (MAX_BODY * 4)), {"Content-Encoding": "deflate"}, 413),
        (zlib.compress(b"[]"), {"Content-Encoding": "deflate"}, 400),
        (zlib.compress(_json(call())), {"Content-Encoding": "deflate"}, 200),
        (_json(call()), {}, 200),
    ],
)
def test_webhook_bodies_get_a_4xx_json_error_never_a_500(
    server: str, body: bytes, headers: dict[str, str], status: int
) -> None:
    response = httpx.post(
        f"{server}/webhook", params={"token": TOKEN}, content=body,
        headers={"Content-Type": "application/json", **headers}, timeout=30,
    )

    assert response.status_code == status
    answer = response.json()
    if status == 200:
        assert [r["response"] for r in answer["responses"]] == ["utter_form_cancelled"]
    else:
        assert set(answer) >= {"error"}
        assert "request_body" not in answer  # rasa-sdk's handler echoed the conversation


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", "/nope", 404), ("GET", "/webhook", 405), ("DELETE", "/actions", 405)],
)
def test_a_wrong_path_or_method_is_not_a_server_error(
    server: str, method: str, path: str, status: int
) -> None:
    response = httpx.request(method, server + path, params={"token": TOKEN}, timeout=10)

    assert response.status_code == status
    assert set(response.json()) == {"error"}


def test_the_server_refuses_to_start_without_a_token() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", str(free_port())],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == 2
    assert "ACTION_SERVER_TOKEN is not set" in done.stderr


@pytest.mark.parametrize(
    "environ, token",
    [
        ({"ACTION_SERVER_TOKEN": "abc"}, "abc"),
        ({"ACTION_SERVER_TOKEN": "  abc \n"}, "abc"),
        ({"ACTION_SERVER_TOKEN": "   "}, None),
        ({}, None),
    ],
)
def test_the_token_comes_from_the_environment(
    environ: dict[str, str], token: str | None
) -> None:
    if token is None:
        with pytest.raises(MissingToken):
            required_token(environ)
    else:
        assert required_token(environ) == token


@pytest.mark.parametrize(
    "given, matches",
    [("abc", True), ("abd", False), ("ab", False), ("", False), (None, False), ("ạbc", False)],
)
def test_token_comparison(given: str | None, matches: bool) -> None:
    assert token_matches(given, "abc") is matches


def test_loopback_and_rasa_sdk_port_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACTIONS_HOST", "ACTIONS_PORT", "ACTIONS_MAX_BODY_BYTES"):
        monkeypatch.delenv(name, raising=False)

    args = parser().parse_args([])

    assert (args.host, args.port, args.actions, args.max_body_bytes) == (
        DEFAULT_HOST, 5055, "actions", DEFAULT_MAX_BODY_BYTES
    )
    assert DEFAULT_HOST == "127.0.0.1"
