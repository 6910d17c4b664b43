"""The staff console reads the real conversations: three held over REST (a message the bot does
not understand, a dossier look-up, a request for staff), then the KPI dashboard counts exactly
them and the review inbox lists exactly the two that need a look.

The stack is shared with the other end-to-end tests, whose conversations count too: the figures
are compared before and after these three conversations, and the inbox is read for these senders.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.e2e.conftest import Say
from tests.e2e.staff import add_staff

if TYPE_CHECKING:
    from scripts.stack import Stack

pytestmark = pytest.mark.e2e

PASSWORD = "mật khẩu người xem lại 2026"
FALLBACK = "ờ thì"
LOOKUP = "hồ sơ 000.00.30.H56-261115-0012 của tôi sao rồi, sđt 0912 345 678"
HANDOFF = "cho tôi gặp cán bộ"


def add_reviewer(stack: Stack) -> str:
    return add_staff(stack.config.database_url, "supervisor", "Người xem lại", PASSWORD)


@pytest.fixture
def username(stack: Stack) -> str:
    return add_reviewer(stack)


@contextmanager
def signed_in(stack: Stack, username: str) -> Iterator[httpx.Client]:
    """A reviewer's browser, signed in through the console's login form."""
    from connectors.admin.csrf import FIELD, LOGIN_COOKIE

    with httpx.Client(base_url=stack.config.connectors_url, timeout=30) as browser:
        assert browser.get("/admin/login").status_code == 200
        signed = browser.post("/admin/login", data={
            "username": username, "password": PASSWORD, FIELD: browser.cookies[LOGIN_COOKIE],
            "next": "/admin/",
        })
        assert signed.status_code == 303, signed.text
        yield browser


def csrf_of(browser: httpx.Client) -> dict[str, str]:
    """The CSRF field every form of this signed-in browser carries."""
    from connectors.admin.csrf import FIELD, SESSION_COOKIE, token_for_session

    return {FIELD: token_for_session(browser.cookies[SESSION_COOKIE])}


@pytest.fixture
def console(stack: Stack, username: str) -> Iterator[httpx.Client]:
    with signed_in(stack, username) as browser:
        yield browser


def totals(browser: httpx.Client) -> dict[str, dict[str, str]]:
    """The CSV export's totals of the last seven days, by channel ("tất cả": all)."""
    answer = browser.get("/admin/kpi/export.csv")
    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    return {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] == "tổng"}


def dashboard_cell(html: str, kpi: str) -> str:
    """The all-channels cell of one figure on the dashboard page."""
    found = re.search(rf'<tr data-kpi="{kpi}">.*?<td>(.*?)</td>', html, re.S)
    assert found, kpi
    return found[1].strip()


def inbox_of(browser: httpx.Client, senders: set[str]) -> list[tuple[str, str, str]]:
    """(sender, message, reasons) of the inbox's rows for these senders, newest first."""
    page = browser.get("/admin/review")
    assert page.status_code == 200, page.text
    rows = []
    for key, row in re.findall(r'<tr class="review-item" data-key="([^"]+)">(.*?)</tr>',
                               page.text, re.S):
        sender = key.split(":", 1)[1]
        if sender in senders:
            message = re.search(r'<td class="message">(.*?)</td>', row, re.S)
            reasons = re.search(r'<td class="reasons">(.*?)</td>', row, re.S)
            assert message and reasons
            rows.append((sender, message[1].strip(), reasons[1].strip()))
    return rows


def delta(after: dict[str, str], before: dict[str, str], name: str) -> int:
    return int(after[name]) - int(before[name])


def test_dashboard_and_inbox_show_the_conversations_held(
    stack: Stack, say: Say, console: httpx.Client
) -> None:
    before = totals(console)
    run = uuid.uuid4().hex[:6]
    lost, looked_up, handed = f"e2e-lost-{run}", f"e2e-lookup-{run}", f"e2e-staff-{run}"

    assert say(lost, FALLBACK)
    lookup_reply = " ".join(str(m.get("text", "")) for m in say(looked_up, LOOKUP))
    assert "Cần bổ sung" in lookup_reply
    assert say(handed, HANDOFF)

    after = totals(console)
    everyone, rest = after["tất cả"], after["rest"]
    for figures in (everyone, rest):  # the REST channel: all three are there
        old = before["tất cả"] if figures is everyone else before["rest"]
        assert delta(figures, old, "số hội thoại") == 3
        assert delta(figures, old, "số tin nhắn") == 3
        assert delta(figures, old, "số người dân") == 3
        assert delta(figures, old, "tin không hiểu") == 1
        assert delta(figures, old, "chuyển cán bộ") == 1
        assert delta(figures, old, "tra cứu hồ sơ") == 1
        assert delta(figures, old, "tra cứu có kết quả") == 1
        assert delta(figures, old, "tự giải quyết") == 1  # the look-up
    for channel in ("web", "zalo"):
        assert after[channel] == before[channel]
    assert int(everyone["thời gian trả lời p95 (ms)"]) > 0

    page = console.get("/admin/kpi").text
    assert dashboard_cell(page, "conversations") == everyone["số hội thoại"]
    assert dashboard_cell(page, "status_lookups") == everyone["tra cứu hồ sơ"]

    assert inbox_of(console, {lost, looked_up, handed}) == [
        (handed, HANDOFF, "Chuyển cán bộ"),
        (lost, FALLBACK, "Trợ lý không hiểu"),
    ]


def handoff_of(stack: Stack, sender: str) -> tuple[int, str]:
    from sqlalchemy import select

    from connectors.conversations.models import Handoff

    engine = create_engine(stack.config.database_url)
    with Session(engine) as session:
        handoff = session.scalars(select(Handoff).where(Handoff.conversation_id == sender)).one()
        found = (handoff.id, handoff.status)
    engine.dispose()
    return found


def bot_events(stack: Stack, sender: str) -> list[dict[str, object]]:
    tracker = httpx.get(f"{stack.config.rasa_url}/conversations/{sender}/tracker",
                        params={"token": stack.token}, timeout=10).json()
    return [e for e in tracker["events"] if e.get("event") == "bot"]


def test_staff_take_over_a_handed_off_conversation_and_hand_it_back(
    stack: Stack, say: Say, console: httpx.Client, username: str, sender: str
) -> None:
    csrf = csrf_of(console)
    assert say(sender, HANDOFF)
    handoff_id, status = handoff_of(stack, sender)
    assert status == "open"
    assert f'data-handoff="{handoff_id}" data-status="open"' in console.get(
        "/admin/review/handoffs").text

    taken = console.post(f"/admin/review/handoffs/{handoff_id}/take", data=csrf)
    assert taken.status_code == 303 and handoff_of(stack, sender)[1] == "taken"
    # the bot is paused: the citizen's message is kept, nobody answers it but staff
    assert say(sender, "làm hộ chiếu cần giấy tờ gì") == []
    staff_words = "Chào anh/chị, em là cán bộ phường, em xem hồ sơ giúp anh/chị ngay ạ."
    answered = console.post(f"/admin/review/handoffs/{handoff_id}/reply",
                            data={**csrf, "text": staff_words})
    assert answered.status_code == 303
    last = bot_events(stack, sender)[-1]
    metadata = last["metadata"]
    assert last["text"] == staff_words
    assert isinstance(metadata, dict) and metadata["staff"] == username
    page = console.get(f"/admin/review/conversation?sender={sender}").text
    assert f'<strong>Cán bộ</strong><br><span class="said">{staff_words}</span>' in page

    released = console.post(f"/admin/review/handoffs/{handoff_id}/release", data=csrf)
    assert released.status_code == 303 and handoff_of(stack, sender)[1] == "closed"
    answer = " ".join(str(m.get("text", "")) for m in say(sender, "làm hộ chiếu cần giấy tờ gì"))
    assert "TK01" in answer  # the bot answers again


def test_a_staff_reply_reaches_the_web_chat_and_the_paused_bot_stays_silent(
    stack: Stack, console: httpx.Client
) -> None:
    from tests.security.test_socketio_sessions import Chat, wait_for

    csrf = csrf_of(console)
    chat = Chat(stack.config.rasa_url, stack.config.rasa_url)  # the chat page's own origin
    try:
        session_id = chat.request_session()["session_id"]
        chat.say(HANDOFF, session_id)
        chat.wait_for_replies()
        handoff_id, _ = handoff_of(stack, session_id)
        assert console.post(f"/admin/review/handoffs/{handoff_id}/take",
                            data=csrf).status_code == 303
        before = len(chat.replies)
        chat.say("alo, có ai không ạ", session_id)
        # neither the bot nor the "hệ thống đang gặp sự cố" apology answers a paused conversation
        assert not wait_for(lambda: len(chat.replies) > before, 5)
        staff_words = "Dạ, em là cán bộ một cửa, em đang nghe anh/chị ạ."
        console.post(f"/admin/review/handoffs/{handoff_id}/reply",
                     data={**csrf, "text": staff_words})
        assert wait_for(lambda: len(chat.replies) > before, 10), "the reply never came"
        assert [r.get("text") for r in chat.replies[before:]] == [staff_words]
        console.post(f"/admin/review/handoffs/{handoff_id}/release", data=csrf)
    finally:
        chat.close()
