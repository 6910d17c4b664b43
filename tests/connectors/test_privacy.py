"""A citizen's data: erased on request (admin) and kept no longer than the retention period."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.admin.review.models import ReviewMark
from connectors.applications.ratelimit import client_key
from connectors.conversations.models import Handoff, Rating
from connectors.feedback.models import Feedback
from connectors.privacy.service import ERASED, purge
from connectors.settings import Settings
from tests.connectors.conftest import Clock, StaffClientFactory

PHONE = "0359271846"  # no other test uses it: the leftovers check counts it


def _conversation() -> str:
    return f"citizen-{uuid.uuid4().hex[:12]}"


def _leave_traces(bot: TestClient, conversation_id: str) -> str:
    """What one conversation leaves in the connectors: handoff, rating, complaint, look-up."""
    handoff = bot.post("/api/v1/handoffs", json={
        "conversation_id": conversation_id, "reason": "request_human",
        "last_message": f"gọi cho tôi số {PHONE}", "contact_phone": PHONE,
    })
    assert handoff.status_code == 201, handoff.text
    rating = bot.post("/api/v1/ratings", json={
        "conversation_id": conversation_id, "score": 2, "comment": f"tôi là Lê Văn Bình {PHONE}",
    })
    assert rating.status_code == 201, rating.text
    feedback = bot.post("/api/v1/feedback", json={
        "topic": "Đèn đường hỏng", "description": "Đèn trước nhà tôi hỏng hơn một tuần rồi.",
        "location": "Số 12 đường Mẫu", "contact_name": "Lê Văn Bình", "contact_phone": PHONE,
        "conversation_id": conversation_id,
    })
    assert feedback.status_code == 201, feedback.text
    bot.post("/api/v1/applications/lookup",
             json={"code": "000.00.30.H56-261115-0012", "identifier": "1234"},
             headers={"X-Client-Id": conversation_id})
    code: str = feedback.json()["tracking_code"]
    return code


def _mark(session: Session, conversation_id: str, at: datetime) -> None:
    """A reviewer's decision about one of the conversation's messages (the console's inbox)."""
    session.add(ReviewMark(sender_id=conversation_id, position=3, message_at=at,
                           decision="out_of_scope", detail=None, actor="reviewer",
                           created_at=at))
    session.commit()


def _marks(session: Session, conversation_id: str) -> int:
    session.expire_all()
    return len(session.scalars(
        select(ReviewMark).where(ReviewMark.sender_id == conversation_id)).all())


def _rows(session: Session, conversation_id: str) -> dict[str, Any]:
    session.expire_all()
    return {
        "handoffs": session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id)).all(),
        "ratings": session.scalars(
            select(Rating).where(Rating.conversation_id == conversation_id)).all(),
        "feedback": session.scalars(
            select(Feedback).where(Feedback.conversation_id == conversation_id)).all(),
    }


def _redis_keys(settings: Settings) -> list[bytes]:
    store = redis.Redis.from_url(settings.redis_url)
    return list(store.scan_iter(f"{settings.redis_key_prefix}*"))


@pytest.mark.redis
def test_an_admin_erases_a_conversation_everywhere_and_nothing_is_left(
    bot: TestClient, staff_client: StaffClientFactory, session: Session, settings: Settings
) -> None:
    citizen, neighbour = _conversation(), _conversation()
    code = _leave_traces(bot, citizen)
    _leave_traces(bot, neighbour)
    now = datetime.now(timezone.utc)
    _mark(session, citizen, now)
    _mark(session, neighbour, now)
    digest = client_key("id:" + citizen).encode()
    assert any(digest in key for key in _redis_keys(settings))  # the look-up was counted

    response = staff_client("admin").delete(f"/api/v1/privacy/conversations/{citizen}")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "handoffs": 1, "ratings": 1, "feedback": 1, "counters": 1, "subscriptions": 0,
        "review_marks": 1,
    }
    assert (_marks(session, citizen), _marks(session, neighbour)) == (0, 1)
    assert not any(digest in key for key in _redis_keys(settings))
    assert _rows(session, citizen) == {"handoffs": [], "ratings": [], "feedback": []}
    complaint = session.get(Feedback, code)
    assert complaint is not None  # the office still has the complaint, without its author
    assert (complaint.contact_name, complaint.contact_phone, complaint.location) == (None,) * 3
    assert complaint.description.startswith("Đèn trước nhà")
    # leftovers: nothing in the database mentions the conversation or the phone any more
    dump = " ".join(
        repr(vars(row)) for model in (Handoff, Rating, Feedback)
        for row in session.scalars(select(model)).all()
    )
    assert citizen not in dump
    # the neighbour's handoff (message and phone), rating comment and complaint: untouched
    assert dump.count(PHONE) == 4
    assert _rows(session, neighbour)["handoffs"]

    again = staff_client("admin").delete(f"/api/v1/privacy/conversations/{citizen}")
    assert again.json() == {
        "handoffs": 0, "ratings": 0, "feedback": 0, "counters": 0, "subscriptions": 0,
        "review_marks": 0,
    }


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("agent", 403), ("supervisor", 403)])
def test_only_an_admin_erases(
    client: TestClient, staff_client: StaffClientFactory, role: str | None, status: int
) -> None:
    caller = staff_client(role) if role else client  # type: ignore[arg-type]
    assert caller.delete("/api/v1/privacy/conversations/anyone").status_code == status


def test_the_action_server_cannot_erase(bot: TestClient) -> None:
    assert bot.delete("/api/v1/privacy/conversations/anyone").status_code == 401


def test_retention_erases_what_is_older_than_the_period_only(
    bot: TestClient, session: Session, clock: Clock, clock_start: datetime
) -> None:
    old, recent = _conversation(), _conversation()
    old_code = _leave_traces(bot, old)
    _mark(session, old, clock_start)
    clock.tick(days=80)
    recent_code = _leave_traces(bot, recent)
    _mark(session, recent, clock_start + timedelta(days=80))

    erased = purge(session, clock_start + timedelta(days=91), retention_days=90)

    assert min(erased.handoffs, erased.ratings, erased.feedback, erased.review_marks) >= 1
    assert (_marks(session, old), _marks(session, recent)) == (0, 1)
    assert _rows(session, old) == {"handoffs": [], "ratings": [], "feedback": []}
    assert len(_rows(session, recent)["handoffs"]) == 1
    kept = session.scalars(select(Rating).where(Rating.conversation_id == ERASED)).all()
    assert kept and all(r.comment is None for r in kept)  # the scores still count, anonymous
    old_feedback = session.get(Feedback, old_code)
    recent_feedback = session.get(Feedback, recent_code)
    assert old_feedback is not None and old_feedback.contact_phone is None
    assert recent_feedback is not None and recent_feedback.contact_phone == PHONE
    # idempotent: a second purge (another instance, the next hour) erases nothing more
    again = purge(session, clock_start + timedelta(days=91), retention_days=90)
    assert again.total == 0


def test_the_connectors_purge_when_they_start(settings: Settings, session: Session) -> None:
    conversation = _conversation()
    long_ago = datetime.now(timezone.utc) - timedelta(days=settings.retention_days + 1)
    session.add(Handoff(conversation_id=conversation, reason="request_human", status="open",
                        created_at=long_ago, updated_at=long_ago))
    session.commit()
    from connectors.main import create_app

    with TestClient(create_app(settings)):
        pass
    assert _rows(session, conversation)["handoffs"] == []
