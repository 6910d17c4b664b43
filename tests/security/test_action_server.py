"""Finding 4 (and the action server's part of 8), replayed as an attacker on the same network.

Before: the action server listened on 0.0.0.0 without authentication; a forged tracker POSTed to
/webhook skipped the form's attempt limit and read a dossier, and 4 of 14 malformed bodies got a
500. Now: loopback only, Rasa's token on every call, a 4xx for every malformed body.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import subprocess
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.conftest import Say

if TYPE_CHECKING:
    from scripts.stack import Stack

pytestmark = pytest.mark.e2e

# A demo dossier (connectors/seed/dossiers.yml) and what its status answer would reveal.
CODE = "000.00.30.H56-261115-0012"
CCCD = "079203001234"
REVEALS = ("khai sinh", "Khai sinh", "needs_supplement", "bổ sung", CODE)


def _non_loopback_addresses() -> list[str]:
    """This machine's addresses that are not loopback (what a neighbour would connect to)."""
    found: set[str] = set()
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5)
        found.update(out.stdout.split())
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.add(str(info[4][0]))
    except OSError:
        pass
    return sorted(
        a for a in found
        if not ipaddress.ip_address(a.split("%")[0]).is_loopback
        and not ipaddress.ip_address(a.split("%")[0]).is_link_local
    )


def _forged_lookup() -> dict[str, Any]:
    """What an attacker sends: the status look-up with the slots already filled and the
    attempt counter at zero, as if the form had passed."""
    return {
        "next_action": "action_check_status",
        "sender_id": "attacker",
        "tracker": {
            "sender_id": "attacker",
            "slots": {"application_code": CODE, "applicant_identifier": CCCD,
                      "status_attempts": 0},
            "latest_message": {"text": CCCD, "intent": {"name": "inform"}, "entities": []},
            "events": [],
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.21",
    }


def _webhook(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.config.actions_port}/webhook"


def test_the_action_server_is_not_reachable_from_the_network(stack: Stack) -> None:
    addresses = _non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback address to connect from")
    reachable = []
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            if s.connect_ex((address, stack.config.actions_port)) == 0:
                reachable.append(address)

    assert reachable == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"token": "wrong"},
        {"token": ""},
        {"token": "' OR 1=1 --"},
        {"tok": "ignored"},
    ],
    ids=["no-token", "wrong", "empty", "injection", "other-name"],
)
def test_a_forged_tracker_without_the_token_reads_nothing(
    stack: Stack, params: dict[str, str]
) -> None:
    response = httpx.post(_webhook(stack), params=params, json=_forged_lookup(), timeout=30)

    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert not [word for word in REVEALS if word in response.text]


def test_the_action_list_needs_the_token_and_health_reveals_nothing(stack: Stack) -> None:
    base = f"http://127.0.0.1:{stack.config.actions_port}"

    assert httpx.get(f"{base}/actions", timeout=10).status_code == 401
    health = httpx.get(f"{base}/health", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _call(**changes: Any) -> dict[str, Any]:
    body = _forged_lookup()
    body.update(changes)
    return body


MALFORMED: list[tuple[str, bytes]] = [
    ("not-json", b"{not json"),
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"webhook"'),
    ("number", b"5055"),
    ("no-next-action", _json({k: v for k, v in _forged_lookup().items() if k != "next_action"})),
    ("no-tracker", _json({k: v for k, v in _forged_lookup().items() if k != "tracker"})),
    ("tracker-string", _json(_call(tracker="x"))),
    ("tracker-without-sender", _json(_call(tracker={"slots": {}}))),
    ("events-not-list", _json(_call(tracker={"sender_id": "a", "events": {}}))),
    ("unknown-action", _json(_call(next_action="action_read_all_dossiers"))),
    ("not-utf8", b"\xff\xfe{}"),
    ("huge", b'{"next_action": "' + b"a" * (8 * 1024 * 1024) + b'"}'),
]


@pytest.mark.parametrize("body", [b for _, b in MALFORMED], ids=[n for n, _ in MALFORMED])
def test_malformed_bodies_get_a_4xx_never_a_500(stack: Stack, body: bytes) -> None:
    token = stack.secrets["ACTION_SERVER_TOKEN"]
    try:
        response = httpx.post(
            _webhook(stack), params={"token": token}, content=body,
            headers={"Content-Type": "application/json"}, timeout=30,
        )
    except httpx.RemoteProtocolError:
        pytest.fail("the server dropped the connection instead of answering")

    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"error"}
    assert not [word for word in REVEALS if word in response.text]


def test_rasa_sends_the_token_so_the_bot_still_reads_a_dossier(
    stack: Stack, say: Say, sender: str
) -> None:
    say(sender, f"tra cứu hồ sơ {CODE}")
    replies = say(sender, f"cccd {CCCD}")
    text = "\n".join(str(r.get("text") or "") for r in replies)

    assert "Đăng ký khai sinh" in text
    assert "bổ sung" in text
