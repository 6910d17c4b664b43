"""Findings 6, 7 and the Rasa parts of 8 of issue 10, replayed over HTTP against the running stack.

6: one long message stalled Rasa for everyone: it is now answered at once with a polite reply, and
   neither NLU nor the tracker ever sees it.
7: messages without a sender shared one conversation ("default"): refused.
8: the webhook took ``text/plain`` (a request any web page can make a visitor's browser send),
   answered malformed bodies with 500, sent no security headers; the Rasa token was in ``ps``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.limits import DEFAULT_MAX_MESSAGE_CHARS
from scripts.stack import Stack
from tests.e2e.conftest import Say, domain_text, user_texts

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


def webhook(stack: Stack) -> str:
    return f"{stack.config.rasa_url}/webhooks/rest/webhook"


def test_a_200_kb_message_gets_the_polite_too_long_reply(stack: Stack, sender: str) -> None:
    long_message = "đăng ký khai sinh cần giấy tờ gì " * 6_100  # about 200,000 characters

    response = httpx.post(
        webhook(stack), json={"sender": sender, "message": long_message}, timeout=120
    )

    assert response.status_code == 200
    assert [m.get("text") for m in response.json()] == [domain_text("utter_message_too_long")]
    # NLU never read it; the tracker holds the payload, not the 200 kB
    assert user_texts(stack, sender) == ["/message_too_long"]


@pytest.mark.parametrize(
    "opening, question",
    [
        ("tra cứu hồ sơ", "utter_ask_application_code"),
        ("tôi muốn gửi phản ánh", "utter_ask_feedback_description"),
    ],
)
def test_a_too_long_message_inside_a_form_is_declined_and_the_form_asks_again(
    say_front: Say, sender: str, opening: str, question: str
) -> None:
    """With two instances the form begins on one and the long message reaches the other, which
    must know the form is active (tracker store) to ask its question again."""
    say_front(sender, opening)

    answer = [m.get("text") for m in say_front(sender, "đèn đường hỏng " * 1_000)]

    assert answer == [domain_text("utter_message_too_long"), domain_text(question)]


def test_a_message_at_the_limit_is_read_as_usual(stack: Stack, sender: str) -> None:
    message = ("đăng ký khai sinh cần giấy tờ gì " * 140)[: DEFAULT_MAX_MESSAGE_CHARS - 1] + "?"
    assert len(message) == DEFAULT_MAX_MESSAGE_CHARS

    response = httpx.post(webhook(stack), json={"sender": sender, "message": message}, timeout=60)

    assert response.status_code == 200
    assert domain_text("utter_message_too_long") not in [m.get("text") for m in response.json()]
    assert user_texts(stack, sender) == [message]


@pytest.mark.parametrize(
    "body",
    [
        {"message": "xin chào"},
        {"sender": "", "message": "xin chào"},
        {"sender": "   ", "message": "xin chào"},
        {"sender": None, "message": "xin chào"},
    ],
)
def test_a_message_without_a_sender_is_refused(stack: Stack, body: dict[str, Any]) -> None:
    response = httpx.post(webhook(stack), json=body, timeout=30)

    assert response.status_code == 400
    assert response.json()["detail"] == "Thiếu mã người gửi (sender)."


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        None,
    ],
)
def test_only_json_is_accepted(stack: Stack, sender: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = httpx.post(
        webhook(stack),
        content=json.dumps({"sender": sender, "message": "xin chào"}).encode(),
        headers=headers,
        timeout=30,
    )

    assert response.status_code == 415
    assert response.json()["detail"] == "Chỉ nhận nội dung dạng application/json."


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[]",
        b'"xin chao"',
        b"{not json",
        b'{"sender": "a", "message": 5}',
        b'{"sender": "a", "message": null}',
        b'{"sender": "a"}',
        b'{"sender": "a", "message": "x", "metadata": "page"}',
    ],
)
def test_malformed_bodies_get_400_not_500(stack: Stack, body: bytes) -> None:
    response = httpx.post(
        webhook(stack), content=body, headers={"Content-Type": "application/json"}, timeout=30
    )

    assert response.status_code == 400
    assert not response.json()["detail"].isascii()  # a Vietnamese explanation


def test_a_browser_preflight_from_an_unknown_origin_is_not_allowed(stack: Stack) -> None:
    response = httpx.options(
        webhook(stack),
        headers={
            "Origin": "http://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )

    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("GET", "/", None, 200),
        ("POST", "/webhooks/rest/webhook", {"sender": "headers", "message": "xin chào"}, 200),
        ("POST", "/webhooks/rest/webhook", {"message": "xin chào"}, 400),
        ("GET", "/webhooks/rest/", None, 200),
        ("GET", "/conversations/headers/tracker", None, 401),
        ("GET", "/status", None, 401),
        ("GET", "/socket.io/?EIO=4&transport=polling", None, 200),
    ],
)
def test_every_response_carries_the_security_headers(
    stack: Stack, method: str, path: str, body: dict[str, str] | None, status: int
) -> None:
    response = httpx.request(method, f"{stack.config.rasa_url}{path}", json=body, timeout=30)

    assert response.status_code == status
    assert {k: response.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS


def _process_group(leader: int) -> list[int]:
    """Every live process of the group ``leader`` started (the stack starts each service in a
    new session, so children and grandchildren stay in it)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == leader:  # pgrp
            members.append(int(stat.parent.name))
    return members


def test_no_secret_is_in_the_command_line_of_any_process_of_the_stack(stack: Stack) -> None:
    pids = [
        pid
        for service in stack.services
        if service.process is not None
        for pid in _process_group(service.process.pid)
    ]
    assert len(pids) >= len(stack.services)

    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        for name, value in stack.secrets.items():
            assert value not in argv, f"{name} in the command line of process {pid}: {argv[:80]}"
        assert "--auth-token" not in argv


@pytest.mark.parametrize(
    ("metadata_chars", "status"),
    [(5_000, 413), (3 * 1024 * 1024, 413)],  # the second is over the 2 MiB request cap as well
)
def test_large_metadata_is_refused_and_never_stored(
    stack: Stack, sender: str, metadata_chars: int, status: int
) -> None:
    """Found by the second probe: 20 MB of metadata per turn went into the tracker (140 MB in
    Redis after three turns) and slowed every other conversation."""
    response = httpx.post(
        webhook(stack),
        json={"sender": sender, "message": "xin chào", "metadata": {"x": "A" * metadata_chars}},
        timeout=60,
    )

    assert response.status_code == status
    assert user_texts(stack, sender) == []


def test_a_rest_caller_cannot_speak_in_a_zalo_users_conversation(stack: Stack) -> None:
    """Zalo conversations belong to ``zalo-<user id>``; only Zalo's signed events speak there
    (the ids are not secret: they appear in logs and exports of the OA)."""
    sender = "zalo-6142494823615430163"

    response = httpx.post(
        webhook(stack), json={"sender": sender, "message": "tra cứu hồ sơ"}, timeout=30
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Mã người gửi (sender) này thuộc một người dùng Zalo."
    assert user_texts(stack, sender) == []
