"""Runs tests/browser/chat.mjs (playwright-core driving Debian's chromium) and reads its JSON.

The browser tests never skip: a machine without the browser fails them with what to install,
since `make setup` (scripts/setup.sh) installs both when it can.

A scenario may pause (``{"pause": name}``): the browser waits while ``on_pause(name)`` runs here
(a test stops or starts the Rasa server meanwhile), then goes on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = HERE / "chat.mjs"
WEB_CLIENT = HERE.parent.parent / "web" / "node_modules" / "socket.io-client"


def missing() -> str | None:
    """What this machine lacks to run the browser tests, said so a person can fix it."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing: the browser tests use Debian's chromium, never a downloaded "
            "browser. Run `make setup` as root (it runs `apt-get install chromium`) or install it."
        )
    if shutil.which("node") is None:
        return "node is missing: the browser tests need Node.js >= 20 and npm"
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        return (
            "playwright-core is not installed in tests/browser/node_modules: run `make setup` "
            "(npm ci of tests/browser/package-lock.json)"
        )
    if not WEB_CLIENT.is_dir():
        return "socket.io-client is not installed in web/node_modules: run `make setup`"
    return None


def run_node(
    script: Path,
    scenario: dict[str, Any],
    timeout: float,
    on_pause: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Runs one node script on ``scenario``; returns its ``result``. Raises RuntimeError with the
    script's error output when it fails or takes longer than ``timeout`` seconds."""
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            ["node", str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=HERE,
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        result: dict[str, Any] | None = None
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(scenario) + "\n")
            proc.stdin.flush()
            for line in proc.stdout:
                message = json.loads(line)
                if "pause" in message:
                    if on_pause is not None:
                        on_pause(message["pause"])
                    proc.stdin.write("\n")
                    proc.stdin.flush()
                elif "result" in message:
                    result = message["result"]
            code = proc.wait()
        finally:
            killer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code != 0 or result is None:
            stderr.seek(0)
            error = stderr.read().decode("utf-8", "replace")[-4000:]
            raise RuntimeError(f"{script.name} failed ({code}):\n{error}")
        return result


def run_chat(
    scenario: dict[str, Any],
    timeout: float = 300.0,
    on_pause: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Plays one scenario in a fresh browser profile and returns what chat.mjs observed."""
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    try:
        return run_node(SCRIPT, scenario, timeout, on_pause)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
