"""Runs tests/browser/chat.mjs (playwright-core driving Debian's chromium) and reads its JSON.

The browser tests never skip: a machine without the browser fails them with what to install,
since `make setup` (scripts/setup.sh) installs both when it can.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = HERE / "chat.mjs"


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
    return None


def run_chat(scenario: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
    """Plays one scenario in a fresh browser profile and returns what chat.mjs observed."""
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(scenario),
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"chat.mjs failed ({done.returncode}):\n{done.stderr[-4000:]}", pytrace=False)
    result: dict[str, Any] = json.loads(done.stdout)
    return result
