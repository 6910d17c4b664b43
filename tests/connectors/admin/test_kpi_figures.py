"""KPI figures from stored conversations: counted exactly, per day, per channel, in a date range."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest
import redis

from connectors.admin.kpi.figures import DateRange, RatingRow, percentile, report
from connectors.admin.review.store import TrackerStore
from connectors.admin.review.tracker import (
    Session,
    all_sessions,
    parse_dialogue,
    tracker_key_prefix,
)
from tests.connectors.admin.kpi_scenario import at, dialogues
from tests.connectors.admin.tracker_events import Conversation

D0, D1, D2 = date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 11)


RATINGS = [RatingRow("a", at(D1, 9), 5), RatingRow("b", at(D1, 11), 1),
           RatingRow("e", at(D0, 23), 2)]


@pytest.fixture
def sessions() -> list[Session]:
    return all_sessions(dialogues(D0, D1, D2))


def test_sessions_split_at_session_start(sessions: list[Session]) -> None:
    assert [(s.sender, s.number, len(s.turns)) for s in sessions] == [
        ("a", 0, 3), ("a", 1, 1), ("b", 0, 2), ("c", 0, 3), ("f", 0, 1), ("e", 0, 1)
    ]
    first = sessions[0].turns[0]
    assert (first.intent, first.confidence, first.channel) == ("ask_documents", 0.95, "web")
    assert first.slots == {"procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh"}
    assert first.response_seconds == pytest.approx(0.30, abs=1e-3)


def test_totals_of_the_range(sessions: list[Session]) -> None:
    total = report(sessions, RATINGS, DateRange(D1, D2)).total

    assert (total.conversations, total.messages, total.citizens) == (5, 10, 4)
    assert total.resolved_without_staff == 4 and total.resolved_share == pytest.approx(0.8)
    assert total.fallbacks == 1 and total.fallback_rate == pytest.approx(0.1)
    assert total.handoffs == 1 and total.handoff_rate == pytest.approx(0.2)
    assert (total.status_lookups, total.status_found, total.complaints) == (1, 1, 1)
    assert (total.ratings, total.rating_average) == (2, 3.0)
    # waits: .15 .2 .2 .2 .3 .4 .5 .6 .8 1.0 s
    assert (total.median_response_ms, total.p95_response_ms) == (350, 1000)
    assert total.top_intents[0] == ("inform", 2)
    assert total.top_procedures == [("1.001193", "Đăng ký khai sinh", 2),
                                    ("1.001456", "Cấp hộ chiếu", 1)]


def test_by_day_and_by_channel(sessions: list[Session]) -> None:
    result = report(sessions, RATINGS, DateRange(D1, D2))

    days = {d: (f.conversations, f.messages, f.citizens) for d, f in result.by_day}
    assert days == {D1: (2, 5, 2), D2: (3, 5, 3)}
    channels = {
        c: (f.conversations, f.messages, f.fallbacks, f.handoffs, f.ratings)
        for c, f in result.by_channel.items()
    }
    assert channels == {"web": (3, 5, 0, 0, 1), "zalo": (1, 2, 1, 1, 1), "rest": (1, 3, 0, 0, 0)}
    cells = {(d, c): f.conversations for d, c, f in result.by_day_and_channel}
    assert cells[(D1, "zalo")] == 1 and cells[(D2, "zalo")] == 0 and cells[(D2, "web")] == 2


def test_the_range_leaves_out_other_days(sessions: list[Session]) -> None:
    before = report(sessions, RATINGS, DateRange(D0, D0)).total
    assert (before.conversations, before.messages, before.ratings) == (1, 1, 1)
    assert before.top_intents == [("greet", 1)] and before.rating_average == 2.0
    empty = report(sessions, [], DateRange(date(2026, 12, 1), date(2026, 12, 3))).total
    assert (empty.conversations, empty.fallback_rate, empty.median_response_ms) == (0, None, None)


def test_a_conversation_over_midnight_counts_its_messages_on_their_day() -> None:
    c = Conversation(at(D1, 23).replace(minute=59), "socketio")
    c.user("hộ chiếu", "ask_procedure").action("action_answer_procedure").bot("u", "x").listen()
    c.user("phí bao nhiêu", "ask_fee", after=120).action("action_answer_procedure") \
        .bot("u", "y").listen()
    result = report(parse_dialogue("n", c.dialogue("n")), [], DateRange(D1, D2))
    assert [(f.conversations, f.messages) for _, f in result.by_day] == [(1, 1), (0, 1)]


def test_default_range_is_the_last_seven_days_in_vietnam() -> None:
    # 30/11 20:00 UTC is already 1/12 in Vietnam
    rng = DateRange.last_days(datetime(2026, 11, 30, 20, tzinfo=timezone.utc))
    assert (rng.since, rng.until) == (date(2026, 11, 25), date(2026, 12, 1))
    with pytest.raises(ValueError):
        DateRange(D2, D1)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95) == 10
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([7], 0.95) == 7


@pytest.fixture
def redis_store() -> Iterator[tuple[redis.Redis, str]]:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15", decode_responses=True)
    base = f"kpitest{uuid.uuid4().hex[:8]}:"
    yield client, base
    keys = list(client.scan_iter(match=tracker_key_prefix(base) + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.mark.redis
def test_trackers_are_read_from_rasas_redis_keys(redis_store: tuple[redis.Redis, str]) -> None:
    import json

    client, base = redis_store
    prefix = tracker_key_prefix(base)
    assert prefix == base.rstrip(":") + "tracker:tracker:"
    for sender, dialogue in dialogues(D0, D1, D2):
        client.set(prefix + sender, json.dumps(dialogue))
    client.set(prefix + "broken", "{not json")

    store = TrackerStore(client, prefix)
    total = report(store.sessions(), RATINGS, DateRange(D1, D2)).total

    assert (total.conversations, total.messages, total.citizens) == (5, 10, 4)
    assert [len(s.turns) for s in store.sessions_of("a")] == [3, 1]
    assert store.sessions_of("nobody") == []


def test_a_staff_reply_is_not_the_bots_response_time() -> None:
    c = Conversation(at(D1, 9), "zalo")
    c.user("còn đó không ạ", "greet").action("action_listen")
    c.events.append({"event": "bot", "text": "Em là cán bộ phường ạ", "timestamp": c.now + 120,
                     "metadata": {"staff": "canbo1"}, "data": {}})
    turn = parse_dialogue("z", c.dialogue("z"))[0].turns[0]
    assert turn.staff_texts == ["Em là cán bộ phường ạ"] and turn.bot_texts == []
    assert turn.response_seconds is None
    total = report(parse_dialogue("z", c.dialogue("z")), [], DateRange(D1, D1)).total
    assert (total.messages, total.median_response_ms) == (1, None)
