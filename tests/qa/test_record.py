"""replay record: a conversation from a tracker store becomes a file that replays, masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from qa.loader import ConversationFile, load_file
from qa.record import Recorded, from_sql, in_range, to_conversation, write

STAMP = 1_795_921_200.0  # 29/11/2026 10:00 in Vietnam
EVENTS: list[dict[str, Any]] = [
    {"event": "action", "name": "action_session_start", "timestamp": STAMP},
    {"event": "user", "text": "tra cứu hồ sơ 000.00.12.H29-250101-0456", "timestamp": STAMP,
     "parse_data": {"intent": {"name": "check_status"},
                    "entities": [{"entity": "application_code",
                                  "value": "000.00.12.H29-250101-0456"}]}},
    {"event": "action", "name": "status_form", "timestamp": STAMP},
    {"event": "slot", "name": "requested_slot", "value": "applicant_identifier"},
    {"event": "bot", "text": "Anh/chị cho em số CCCD ạ.",
     "metadata": {"utter_action": "utter_ask_applicant_identifier"}},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "cccd của tôi là 079203009999, tên tôi là Trần Thị Hoa",
     "timestamp": STAMP + 30, "parse_data": {"intent": {"name": "inform"}, "entities": []}},
    {"event": "action", "name": "action_check_status"},
    {"event": "bot", "text": "Em không tìm thấy hồ sơ 000.00.12.H29-250101-0456.",
     "metadata": {"utter_action": "utter_status_not_found"}},
]


def test_a_recorded_conversation_is_masked_and_valid(tmp_path: Path) -> None:
    written = write([Recorded("zalo-user-8812", EVENTS)], tmp_path)

    assert len(written) == 1 and "zalo-user-8812" not in written[0].name
    content = written[0].read_text(encoding="utf-8")
    for personal in ("000.00.12.H29-250101-0456", "079203009999", "Trần Thị Hoa"):
        assert personal not in content
    loaded = load_file(written[0])
    assert isinstance(loaded, ConversationFile)
    turns = loaded.conversation.turns
    assert [t.expect.intent for t in turns] == ["check_status", "inform"]
    assert turns[1].expect.responses == ["utter_status_not_found"]
    # the bot's echo of the code is masked alike
    assert turns[1].expect.text is not None and "000.00.00.H00-000101-0001" in (
        turns[1].expect.text.exact or ""
    )


def test_conversations_are_read_from_a_sql_tracker_store(tmp_path: Path) -> None:
    """Rasa's SQLTrackerStore keeps one row per event in an `events` table."""
    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
            "timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"
        ))
        for sender in ("a", "b"):
            for event in EVENTS:
                connection.execute(
                    text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                         "VALUES (:s, :t, :ts, :d)"),
                    {"s": sender, "t": event["event"], "ts": event.get("timestamp", STAMP),
                     "d": json.dumps(event)},
                )
    engine.dispose()

    every = list(from_sql(url))
    one = list(from_sql(url, ["b"]))

    assert [r.sender for r in every] == ["a", "b"]
    assert [r.sender for r in one] == ["b"] and len(one[0].events) == len(EVENTS)


@pytest.mark.parametrize(
    "since, until, kept",
    [(None, None, True), ("2026-11-29", None, True), (None, "2026-11-28", False),
     ("2026-11-30", None, False)],
)
def test_date_ranges_are_vietnam_calendar_days(
    since: str | None, until: str | None, kept: bool
) -> None:
    from datetime import date

    low = date.fromisoformat(since) if since else None
    high = date.fromisoformat(until) if until else None

    assert in_range(EVENTS, low, high) is kept


def test_a_button_click_is_recorded_as_the_click() -> None:
    events = [
        {"event": "user", "text": "phí", "timestamp": STAMP, "parse_data": {"intent": {}}},
        {"event": "bot", "text": "Chọn:", "data": {"buttons": [
            {"title": "Lệ phí", "payload": "/ask_fee"}]}},
        {"event": "user", "text": "/ask_fee", "timestamp": STAMP, "parse_data": {"intent": {}}},
    ]

    content = to_conversation(Recorded("x", events))

    assert content["turns"][1]["button"] == "Lệ phí"
