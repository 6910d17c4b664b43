"""Taking over handed-off conversations: what is refused before Rasa is asked, and a Rasa that
cannot be reached leaves the handoff as it was. (The whole take-over against the real Rasa:
tests/e2e/test_console_review_kpi.py.)"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import cast
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from connectors.admin.models import AuditEntry
from connectors.admin.templating import FLASH_COOKIE
from connectors.conversations.models import Handoff
from connectors.conversations.schemas import HandoffCreate
from connectors.conversations.service import open_handoff, update_handoff
from connectors.settings import Settings
from scripts.stack import free_port
from tests.connectors.admin.conftest import ConsoleFactory

CCCD = "079203009999"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Rasa's API where nothing listens."""
    return settings.model_copy(update={
        "rasa_public_url": f"http://127.0.0.1:{free_port()}", "rasa_auth_token": "test-token",
        "training_rasa_urls": "",
    })


@pytest.fixture
def handoff(client: TestClient) -> int:
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        created, _ = open_handoff(session, HandoffCreate(
            conversation_id=f"web-{uuid.uuid4().hex[:8]}", channel="socketio",
            reason="request_human", last_message=f"cccd {CCCD} cho tôi gặp cán bộ",
        ), datetime.now(timezone.utc))
        return created.id


def flash(answer: httpx.Response) -> str:
    return unquote(answer.cookies.get(FLASH_COOKIE) or "").strip('"')


def status_of(client: TestClient, handoff_id: int) -> tuple[str, str | None]:
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        row = session.get(Handoff, handoff_id)
        assert row is not None
        return row.status, row.taken_by


def test_the_queue_lists_waiting_conversations_masked(
    console: ConsoleFactory, handoff: int
) -> None:
    page = console("supervisor").get("/admin/review/handoffs").text
    assert f'data-handoff="{handoff}" data-status="open"' in page
    assert CCCD not in page and "cccd 000000000001 cho tôi gặp cán bộ" in page
    assert console("agent").get("/admin/review/handoffs").status_code == 403


def test_rasa_unreachable_leaves_the_handoff_waiting(
    console: ConsoleFactory, handoff: int, client: TestClient
) -> None:
    answer = console("supervisor").post(f"/admin/review/handoffs/{handoff}/take")
    assert answer.status_code == 303
    assert flash(answer).startswith("Chưa tiếp nhận: Không kết nối được máy chủ trợ lý")
    assert status_of(client, handoff) == ("open", None)


def test_replying_or_handing_back_needs_the_conversation_taken_by_oneself(
    console: ConsoleFactory, handoff: int, client: TestClient
) -> None:
    reviewer = console("supervisor")
    refused = reviewer.post(f"/admin/review/handoffs/{handoff}/reply", {"text": "Chào anh/chị"})
    assert flash(refused) == "Chưa gửi: Anh/chị chưa tiếp nhận cuộc trò chuyện này."
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        update_handoff(session, handoff, "taken", "someone-else", datetime.now(timezone.utc))
    for action in ("reply", "release"):
        answer = reviewer.post(f"/admin/review/handoffs/{handoff}/{action}", {"text": "x"})
        assert "chưa tiếp nhận cuộc trò chuyện này" in flash(answer)
    taken = reviewer.post(f"/admin/review/handoffs/{handoff}/take")
    assert flash(taken) == "Chưa tiếp nhận: Yêu cầu này đã được tiếp nhận hoặc đã đóng " \
        "(someone-else)."
    assert status_of(client, handoff) == ("taken", "someone-else")
    with app.state.session_factory() as session:
        row = session.get(Handoff, handoff)
        assert row is not None
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.target == row.conversation_id)).all() == []  # nothing done, nothing logged
