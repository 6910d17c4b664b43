"""Pure parts of the web chat's channels: the history a resumed session is shown, which pages may
open a socket or frame the chat, the page's security headers. The page itself is driven in a real
browser in tests/browser."""

from __future__ import annotations

from typing import Any

import pytest
from sanic.response import HTTPResponse

from bot.channels.headers import add_security_headers, page_policy
from bot.channels.history import MAX_HISTORY_MESSAGES, conversation_history
from bot.channels.origins import page_origin, socket_origins

MENU = [
    {"title": "Hướng dẫn thủ tục", "payload": "/ask_procedure"},
    {"title": "Tra cứu hồ sơ", "payload": "/check_status"},
]
REPLIES = [{"content_type": "text", **button} for button in MENU]


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "x"}}}


def bot(text: str | None, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons} if buttons else {}}


SESSION_START = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
]


@pytest.mark.parametrize(
    ("events", "shown"),
    [
        pytest.param(
            [*SESSION_START, user("/greet"), bot("Em chào anh/chị!", MENU)],
            [{"sender": "bot", "text": "Em chào anh/chị!", "quick_replies": REPLIES}],
            id="the page's own greeting payload is not shown as the citizen's words",
        ),
        pytest.param(
            [*SESSION_START, bot("Chào", MENU), user("/check_status"), bot("Mã hồ sơ?")],
            [
                {"sender": "bot", "text": "Chào", "quick_replies": REPLIES},
                {"sender": "user", "text": "Tra cứu hồ sơ"},
                {"sender": "bot", "text": "Mã hồ sơ?"},
            ],
            id="a tapped button shows as its title, as when it was tapped",
        ),
        pytest.param(
            [*SESSION_START, bot("Chào", MENU), user("xin chào"), user("/check_status")],
            [
                {"sender": "bot", "text": "Chào", "quick_replies": REPLIES},
                {"sender": "user", "text": "xin chào"},
            ],
            id="a payload after the buttons were answered matches none: not shown",
        ),
        pytest.param(
            [*SESSION_START, user("/message_too_long"), bot("Tin nhắn dài quá ạ.")],
            [{"sender": "bot", "text": "Tin nhắn dài quá ạ."}],
            id="a payload no button offered is not shown",
        ),
        pytest.param(
            [*SESSION_START, bot("  Hồ sơ A\n\nTình trạng: xong\n\nCòn gì nữa ạ?  ", MENU)],
            [
                {"sender": "bot", "text": "Hồ sơ A"},
                {"sender": "bot", "text": "Tình trạng: xong"},
                {"sender": "bot", "text": "Còn gì nữa ạ?", "quick_replies": REPLIES},
            ],
            id="bot text split on blank lines as Rasa's socket.io output splits it",
        ),
        pytest.param(
            [*SESSION_START, bot(None), bot("", MENU), bot(None, [{"title": "x"}])],
            [{"sender": "bot", "text": "", "quick_replies": REPLIES}],
            id="no text: buttons only; nothing at all: nothing",
        ),
        pytest.param(
            [*SESSION_START, user("cũ"), bot("cũ"), *SESSION_START, user("mới"), bot("mới")],
            [{"sender": "user", "text": "mới"}, {"sender": "bot", "text": "mới"}],
            id="only the latest Rasa session",
        ),
        pytest.param(
            [
                *SESSION_START,
                user("<img src=x onerror=alert(1)>"),
                {"event": "slot", "name": "dossier_code", "value": "x"},
                {"event": "user_featurization"},
                bot('https://x/"onmouseover="alert(1)'),
            ],
            [
                {"sender": "user", "text": "<img src=x onerror=alert(1)>"},
                {"sender": "bot", "text": 'https://x/"onmouseover="alert(1)'},
            ],
            id="texts as they were (the page renders them as text); other events skipped",
        ),
    ],
)
def test_the_history_is_what_the_page_showed(
    events: list[dict[str, Any]], shown: list[dict[str, Any]]
) -> None:
    assert conversation_history(events) == shown


def test_a_long_history_keeps_its_newest_messages() -> None:
    events = [*SESSION_START, *(user(f"câu {i}") for i in range(MAX_HISTORY_MESSAGES + 20))]

    shown = conversation_history(events)

    assert len(shown) == MAX_HISTORY_MESSAGES
    assert shown[-1] == {"sender": "user", "text": f"câu {MAX_HISTORY_MESSAGES + 19}"}


@pytest.mark.parametrize(
    ("environ", "own", "origins"),
    [
        ({}, None, set()),
        (
            {"RASA_PUBLIC_URL": "http://127.0.0.1:5005"},
            "http://127.0.0.1:5005",
            {"http://127.0.0.1:5005"},
        ),
        (
            {"RASA_PUBLIC_URL": "https://Chat.Tinh.Gov.VN:443/rasa/"},
            "https://chat.tinh.gov.vn",
            {"https://chat.tinh.gov.vn"},
        ),
        ({"RASA_PUBLIC_URL": "/rasa"}, None, set()),  # relative: behind a proxy, listed by hand
        ({"RASA_PUBLIC_URL": "https://user:pw@chat.tinh.gov.vn"}, None, set()),
        (
            {
                "RASA_PUBLIC_URL": "https://chat.tinh.gov.vn",
                "ALLOWED_ORIGINS": "https://tinh.gov.vn",
            },
            "https://chat.tinh.gov.vn",
            {"https://chat.tinh.gov.vn", "https://tinh.gov.vn"},
        ),
    ],
)
def test_the_chat_pages_own_origin_may_always_open_a_socket(
    environ: dict[str, str], own: str | None, origins: set[str]
) -> None:
    assert page_origin(environ) == own
    assert socket_origins(environ) == origins


@pytest.mark.parametrize(
    ("embedders", "ancestors"),
    [
        ((), "frame-ancestors 'none'"),
        (
            frozenset({"https://tinh.gov.vn", "https://phuong1.tinh.gov.vn"}),
            "frame-ancestors 'self' https://phuong1.tinh.gov.vn https://tinh.gov.vn",
        ),
    ],
)
def test_the_page_policy_allows_nothing_inline_and_frames_only_listed_sites(
    embedders: frozenset[str], ancestors: str
) -> None:
    policy = dict(d.strip().split(" ", 1) for d in page_policy(embedders).split(";"))

    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == policy["connect-src"] == "'self'"
    assert f"frame-ancestors {policy['frame-ancestors']}" == ancestors


@pytest.mark.parametrize(
    ("policy", "frame_options"),
    [
        (None, "DENY"),
        (page_policy(), "DENY"),
        (page_policy(frozenset({"https://tinh.gov.vn"})), None),  # the bubble's frame
    ],
)
def test_x_frame_options_never_contradicts_the_pages_frame_ancestors(
    policy: str | None, frame_options: str | None
) -> None:
    answer = HTTPResponse(headers={"Content-Security-Policy": policy} if policy else {})

    add_security_headers(answer)

    assert answer.headers.get("X-Frame-Options") == frame_options
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
