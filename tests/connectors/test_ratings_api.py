"""Satisfaction ratings: one per conversation per 10 minutes, and the staff KPI summary."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectors.conversations.models import Rating
from connectors.conversations.service import rating_summary
from connectors.db import make_engine, make_session_factory
from connectors.manage import migrate
from tests.connectors.conftest import Clock

RATINGS = "/api/v1/ratings"
SUMMARY = "/api/v1/ratings/summary"
MISSING = object()  # leave the field out of the body
START = datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def clock_start() -> datetime:
    return START


def _conversation() -> str:
    return f"test-{uuid.uuid4()}"


def _rate(bot: TestClient, conversation_id: str, score: int, **body: Any) -> Any:
    return bot.post(RATINGS, json={"conversation_id": conversation_id, "score": score, **body})


def test_a_rating_is_recorded(bot: TestClient, clock: Clock, session: Session) -> None:
    conversation = _conversation()

    response = _rate(bot, conversation, 5, comment="  Trả lời nhanh, dễ hiểu.  ")

    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id"}
    stored = session.get(Rating, response.json()["id"])
    assert stored is not None
    assert (stored.conversation_id, stored.score, stored.comment) == (
        conversation,
        5,
        "Trả lời nhanh, dễ hiểu.",
    )


@pytest.mark.parametrize(
    ("later", "updated"),
    [
        pytest.param(timedelta(seconds=5), True, id="at-once"),
        pytest.param(timedelta(minutes=9, seconds=59), True, id="just-within"),
        pytest.param(timedelta(minutes=10), False, id="ten-minutes"),
        pytest.param(timedelta(hours=3), False, id="much-later"),
    ],
)
def test_rating_again_within_ten_minutes_updates_the_rating(
    bot: TestClient, clock: Clock, session: Session, later: timedelta, updated: bool
) -> None:
    conversation = _conversation()
    first = _rate(bot, conversation, 2).json()["id"]
    clock.now += later

    again = _rate(bot, conversation, 4)

    assert again.status_code == (200 if updated else 201), again.text
    assert (again.json()["id"] == first) is updated
    stored = session.get(Rating, again.json()["id"])
    assert stored is not None and stored.score == 4
    session.expire_all()
    original = session.get(Rating, first)
    assert original is not None and original.score == (4 if updated else 2)


def test_the_window_runs_from_the_first_rating(bot: TestClient, clock: Clock) -> None:
    conversation = _conversation()
    first = _rate(bot, conversation, 3).json()["id"]
    clock.tick(minutes=6)
    assert _rate(bot, conversation, 4).json()["id"] == first
    clock.tick(minutes=6)  # 12 minutes after the first

    third = _rate(bot, conversation, 5)

    assert third.status_code == 201
    assert third.json()["id"] != first


def test_a_comment_may_follow_the_score(bot: TestClient, clock: Clock, session: Session) -> None:
    conversation = _conversation()
    rating_id = _rate(bot, conversation, 4).json()["id"]
    clock.tick(minutes=1)
    _rate(bot, conversation, 4, comment="Cần thêm hướng dẫn nộp trực tuyến")
    clock.tick(minutes=1)
    _rate(bot, conversation, 5)  # no comment this time: the one given is kept

    stored = session.get(Rating, rating_id)
    assert stored is not None
    assert (stored.score, stored.comment) == (5, "Cần thêm hướng dẫn nộp trực tuyến")


def test_other_conversations_rate_separately(bot: TestClient, clock: Clock) -> None:
    first = _rate(bot, _conversation(), 5)
    second = _rate(bot, _conversation(), 5)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.parametrize(
    ("comment", "stored"),
    [
        pytest.param("x" * 1000, "x" * 1000, id="longest"),
        pytest.param("   ", None, id="blank"),
        pytest.param(None, None, id="none"),
        pytest.param("Tốt\x00 lắm\n\tcảm ơn", "Tốt lắm\n\tcảm ơn", id="control-characters"),
    ],
)
def test_comments_are_cleaned(
    bot: TestClient, clock: Clock, session: Session, comment: str | None, stored: str | None
) -> None:
    response = _rate(bot, _conversation(), 4, comment=comment)

    assert response.status_code == 201, response.text
    rating = session.get(Rating, response.json()["id"])
    assert rating is not None and rating.comment == stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"score": 0}, "score", id="score-0"),
        pytest.param({"score": 6}, "score", id="score-6"),
        pytest.param({"score": -1}, "score", id="negative"),
        pytest.param({"score": 4.5}, "score", id="fraction"),
        pytest.param({"score": "5"}, "score", id="score-as-text"),
        pytest.param({"score": True}, "score", id="score-as-boolean"),
        pytest.param({"score": None}, "score", id="score-null"),
        pytest.param({"score": MISSING}, "score", id="no-score"),
        pytest.param({"score": 10**30}, "score", id="huge-score"),
        pytest.param(
            {"conversation_id": MISSING, "score": 5}, "conversation_id", id="no-conversation"
        ),
        pytest.param({"conversation_id": "", "score": 5}, "conversation_id", id="empty-id"),
        pytest.param(
            {"conversation_id": "x" * 256, "score": 5},
            "conversation_id",
            id="conversation-too-long",
        ),
        pytest.param(
            {"conversation_id": "a\nb", "score": 5}, "conversation_id", id="newline-in-conversation"
        ),
        pytest.param({"score": 5, "comment": "x" * 1001}, "comment", id="comment-too-long"),
        pytest.param({"score": 5, "comment": 12}, "comment", id="comment-not-text"),
    ],
)
def test_bad_ratings_are_422(
    bot: TestClient, supervisor: TestClient, clock: Clock, body: dict[str, Any], field: str
) -> None:
    before = supervisor.get(SUMMARY).json()["count"]
    payload = {
        k: v for k, v in {"conversation_id": _conversation(), **body}.items() if v is not MISSING
    }

    response = bot.post(RATINGS, json=payload)

    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert field in {e["field"] for e in response.json()["errors"]}
    assert supervisor.get(SUMMARY).json()["count"] == before


def test_the_summary_counts_every_score(
    bot: TestClient, supervisor: TestClient, clock: Clock
) -> None:
    before = supervisor.get(SUMMARY).json()
    scores = [5, 5, 4, 1, 3, 5]
    for score in scores:
        assert _rate(bot, _conversation(), score).status_code == 201
    repeat = _conversation()
    _rate(bot, repeat, 1)
    _rate(bot, repeat, 2)  # an update, not a second rating

    response = supervisor.get(SUMMARY)

    assert response.status_code == 200
    after = response.json()
    assert set(after) == {"count", "average", "distribution"}
    assert set(after["distribution"]) == {"1", "2", "3", "4", "5"}
    added = {s: after["distribution"][s] - before["distribution"][s] for s in after["distribution"]}
    assert added == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 3}
    assert after["count"] - before["count"] == len(scores) + 1
    assert after["count"] == sum(after["distribution"].values())
    total = sum(int(s) * n for s, n in after["distribution"].items())
    assert after["average"] == round(total / after["count"], 2)


def test_the_summary_of_no_ratings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            summary = rating_summary(session)
    finally:
        engine.dispose()

    assert summary.count == 0
    assert summary.average is None
    assert summary.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
