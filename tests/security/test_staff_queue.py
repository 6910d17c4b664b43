"""Finding 2 of issue 10: the staff queue had no login.

Replayed as an attacker on the same network, against the real stack: read the queue (what
citizens typed, their phone numbers), take or close a handoff, plant one, overwrite a
conversation's rating, read the ratings summary. All refused. And the action server, which holds
the service token, still flags a conversation that an admin (created with the operator command)
then sees in the queue and takes under their own name.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from typing import Any

import httpx
import pytest

from scripts.stack import APP_BIN, ROOT, Stack
from tests.e2e.conftest import Say

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "mật khẩu quản trị tỉnh 2026"

CREDENTIALS: dict[str, dict[str, str]] = {
    "nothing": {},
    "guessed service token": {"X-Service-Token": "changeme"},
    "forged staff token": {"Authorization": "Bearer " + "A" * 43},
    "staff name as token": {"Authorization": "Bearer admin"},
}


def _attacks(victim: str) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    return {
        "read the queue": ("GET", "/api/v1/handoffs?status=open&limit=200", None),
        "take a handoff": ("PATCH", "/api/v1/handoffs/1", {"status": "taken",
                                                           "taken_by": "Cán bộ giả"}),
        "close a handoff": ("PATCH", "/api/v1/handoffs/1", {"status": "closed"}),
        "plant a handoff": ("POST", "/api/v1/handoffs",
                            {"conversation_id": f"planted-{uuid.uuid4()}",
                             "reason": "request_human", "last_message": "gọi lại số này"}),
        "overwrite a rating": ("POST", "/api/v1/ratings",
                               {"conversation_id": victim, "score": 1}),
        "read the ratings summary": ("GET", "/api/v1/ratings/summary", None),
    }


@pytest.mark.parametrize("credentials", list(CREDENTIALS))
def test_the_staff_queue_refuses_an_attacker(
    stack: Stack, say: Say, sender: str, credentials: str
) -> None:
    say(sender, "cho tôi gặp cán bộ, sđt 0912 345 678")  # a victim waiting in the queue

    with httpx.Client(base_url=stack.config.connectors_url, timeout=10,
                      headers=CREDENTIALS[credentials]) as attacker:
        seen = {
            name: attacker.request(method, path, json=body).status_code
            for name, (method, path, body) in _attacks(sender).items()
        }

    assert seen == dict.fromkeys(_attacks(sender), 401)


def _add_admin(stack: Stack, username: str) -> None:
    """As the operator does it: the password in the environment, never on the command line."""
    env = {**os.environ, "DATABASE_URL": stack.config.database_url,
           "STAFF_PASSWORD": ADMIN_PASSWORD}
    subprocess.run(
        [str(APP_BIN / "python"), "-m", "connectors.manage", "staff-add", username,
         "--role", "admin", "--name", "Quản trị viên"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
    )


def test_the_action_server_still_flags_conversations_that_staff_then_see(
    stack: Stack, say: Say, sender: str
) -> None:
    answer = " ".join(str(m.get("text", "")) for m in say(sender, "cho tôi gặp cán bộ"))
    assert re.search(r"chuyển cuộc trò chuyện cho cán bộ|ghi nhận yêu cầu gặp cán bộ", answer)
    username = f"admin-{uuid.uuid4().hex[:6]}"
    _add_admin(stack, username)

    with httpx.Client(base_url=stack.config.connectors_url, timeout=10) as console:
        login = console.post("/api/v1/staff/login",
                             json={"username": username, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        console.headers["Authorization"] = f"Bearer {login.json()['token']}"
        queue = console.get("/api/v1/handoffs", params={"status": "open", "limit": 200})
        assert queue.status_code == 200, queue.text
        mine = [h for h in queue.json() if h["conversation_id"] == sender]
        assert [h["reason"] for h in mine] == ["request_human"]
        taken = console.patch(f"/api/v1/handoffs/{mine[0]['id']}", json={"status": "taken"})
        assert taken.status_code == 200, taken.text
        assert taken.json()["taken_by"] == username
        assert console.post("/api/v1/staff/logout").status_code == 204
        assert console.get("/api/v1/handoffs").status_code == 401
