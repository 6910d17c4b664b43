"""Handoffs to staff: one open request per conversation, staff availability, the staff console."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.conversations import service
from connectors.conversations.models import Handoff
from tests.connectors.conftest import Clock, StaffClientFactory

HANDOFFS = "/api/v1/handoffs"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=VN)  # staff on duty (connectors/locality/demo.yml)


def _conversation() -> str:
    return f"test-{uuid.uuid4()}"


def _request(bot: TestClient, conversation_id: str | None = None, **body: Any) -> Any:
    payload = {"conversation_id": conversation_id or _conversation(), "reason": "request_human"}
    return bot.post(HANDOFFS, json={**payload, **body})


def _username(staff: TestClient) -> str:
    username: str = staff.get("/api/v1/staff/me").json()["username"]
    return username


def _listed(agent: TestClient, handoff_id: int, **params: Any) -> dict[str, Any] | None:
    response = agent.get(HANDOFFS, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return next((h for h in response.json() if h["id"] == handoff_id), None)


def test_a_handoff_is_opened_while_staff_are_on_duty(bot: TestClient, clock: Clock) -> None:
    response = _request(bot, channel="web", last_message="Cho tôi gặp cán bộ")

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "status", "staff_available", "next_opening"}
    assert body["status"] == "open"
    assert body["staff_available"] is True
    assert body["next_opening"] is None


@pytest.mark.parametrize(
    ("now", "next_opening"),
    [
        pytest.param(
            datetime(2026, 11, 23, 12, 0, tzinfo=VN), "2026-11-23T13:30:00+07:00", id="lunch-break"
        ),
        pytest.param(
            datetime(2026, 11, 23, 19, 0, tzinfo=VN), "2026-11-24T07:30:00+07:00", id="evening"
        ),
        pytest.param(
            datetime(2026, 11, 28, 15, 0, tzinfo=VN),
            "2026-11-30T07:30:00+07:00",
            id="saturday-afternoon",
        ),
        pytest.param(
            datetime(2026, 11, 29, 10, 0, tzinfo=VN), "2026-11-30T07:30:00+07:00", id="sunday"
        ),
        pytest.param(
            datetime(2026, 9, 2, 9, 0, tzinfo=VN), "2026-09-03T07:30:00+07:00", id="national-day"
        ),
        pytest.param(
            datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc),
            "2026-11-30T07:30:00+07:00",
            id="utc-clock",
        ),
    ],
)
def test_outside_office_hours_says_when_staff_are_back(
    bot: TestClient, clock: Clock, now: datetime, next_opening: str
) -> None:
    clock.now = now

    body = _request(bot).json()

    assert body["staff_available"] is False
    assert body["next_opening"] == next_opening


def test_a_second_request_returns_the_open_handoff(
    bot: TestClient, agent: TestClient, clock: Clock
) -> None:
    conversation = _conversation()
    first = _request(bot, conversation, reason="repeated_failure")
    clock.tick(minutes=3)

    again = _request(bot, conversation, reason="request_human", last_message="alo?")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    listed = _listed(agent, first.json()["id"])
    assert listed is not None
    assert listed["reason"] == "repeated_failure"  # the first request is kept as it was
    assert listed["last_message"] is None


@pytest.mark.parametrize("status", ["taken", "closed"])
def test_a_new_handoff_once_the_previous_is_no_longer_open(
    bot: TestClient, agent: TestClient, clock: Clock, status: str
) -> None:
    conversation = _conversation()
    first = _request(bot, conversation).json()["id"]
    moved = agent.patch(f"{HANDOFFS}/{first}", json={"status": status})
    assert moved.status_code == 200, moved.text

    again = _request(bot, conversation)

    assert again.status_code == 201
    assert again.json()["id"] != first


def test_the_last_message_is_cleaned_and_cut(
    bot: TestClient, agent: TestClient, clock: Clock
) -> None:
    text = "  Tôi cần hỏi\x00 về hồ sơ\n" + "x" * 2000

    handoff_id = _request(bot, last_message=text, channel=" Zalo ").json()["id"]

    listed = _listed(agent, handoff_id)
    assert listed is not None
    assert listed["last_message"] == ("Tôi cần hỏi về hồ sơ\n" + "x" * 2000)[:1000]
    assert len(listed["last_message"]) == 1000
    assert listed["channel"] == "zalo"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"reason": "request_human"}, "conversation_id", id="no-conversation"),
        pytest.param({"conversation_id": "   ", "reason": "other"}, "conversation_id", id="blank"),
        pytest.param(
            {"conversation_id": "x" * 256, "reason": "other"},
            "conversation_id",
            id="conversation-too-long",
        ),
        pytest.param(
            {"conversation_id": "a\x00b", "reason": "other"},
            "conversation_id",
            id="nul-in-conversation",
        ),
        pytest.param(
            {"conversation_id": 42, "reason": "other"},
            "conversation_id",
            id="conversation-not-text",
        ),
        pytest.param({"conversation_id": "c1"}, "reason", id="no-reason"),
        pytest.param({"conversation_id": "c1", "reason": "angry"}, "reason", id="unknown-reason"),
        pytest.param(
            {"conversation_id": "c1", "reason": "other", "channel": "web chat!"},
            "channel",
            id="bad-channel",
        ),
        pytest.param(
            {"conversation_id": "c1", "reason": "other", "channel": "w" * 33},
            "channel",
            id="channel-too-long",
        ),
        pytest.param(
            {"conversation_id": "c1", "reason": "other", "last_message": ["hi"]},
            "last_message",
            id="message-not-text",
        ),
    ],
)
def test_bad_handoff_requests_are_422(
    bot: TestClient, clock: Clock, body: dict[str, Any], field: str
) -> None:
    response = bot.post(HANDOFFS, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b"null", b'{"conversation_id": "c1", "reason": "other"'],
)
def test_a_body_that_is_not_an_object_is_422(
    bot: TestClient, clock: Clock, content: bytes
) -> None:
    response = bot.post(HANDOFFS, content=content, headers={"Content-Type": "application/json"})

    assert response.status_code == 422


def test_the_staff_queue_lists_open_handoffs_newest_first(
    bot: TestClient, agent: TestClient, clock: Clock
) -> None:
    ids = []
    for _ in range(3):
        ids.append(_request(bot).json()["id"])
        clock.tick(minutes=1)
    taken = ids[1]
    agent.patch(f"{HANDOFFS}/{taken}", json={"status": "taken"})

    response = agent.get(HANDOFFS, params={"status": "open", "limit": 200})

    assert response.status_code == 200
    listed = response.json()
    assert all(h["status"] == "open" for h in listed)
    ours = [h["id"] for h in listed if h["id"] in ids]
    assert ours == [ids[2], ids[0]]
    created = [h["created_at"] for h in listed]
    assert created == sorted(created, reverse=True)
    first = next(h for h in listed if h["id"] == ids[2])
    assert set(first) == {
        "id",
        "conversation_id",
        "channel",
        "reason",
        "last_message",
        "contact_phone",
        "status",
        "taken_by",
        "created_at",
        "updated_at",
    }
    assert first["created_at"].endswith("+07:00")


def test_without_a_status_every_handoff_is_listed(
    bot: TestClient, agent: TestClient, clock: Clock
) -> None:
    handoff_id = _request(bot).json()["id"]
    agent.patch(f"{HANDOFFS}/{handoff_id}", json={"status": "closed"})

    assert _listed(agent, handoff_id) is not None
    assert _listed(agent, handoff_id, status="closed") is not None
    assert _listed(agent, handoff_id, status="open") is None


@pytest.mark.parametrize(
    "params",
    [{"status": "pending"}, {"limit": 0}, {"limit": 201}, {"limit": "many"}],
)
def test_bad_list_queries_are_422(agent: TestClient, params: dict[str, Any]) -> None:
    assert agent.get(HANDOFFS, params=params).status_code == 422


def test_staff_take_release_and_close_a_handoff(
    bot: TestClient, staff_client: StaffClientFactory, clock: Clock
) -> None:
    binh, chi = staff_client("agent"), staff_client("agent")
    handoff_id = _request(bot).json()["id"]
    url = f"{HANDOFFS}/{handoff_id}"

    clock.tick(minutes=2)
    taken = binh.patch(url, json={"status": "taken"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "taken"
    assert taken.json()["taken_by"] == _username(binh)  # who is logged in, not who they say
    assert taken.json()["updated_at"] == "2026-11-23T09:02:00+07:00"
    assert taken.json()["created_at"] == "2026-11-23T09:00:00+07:00"

    released = binh.patch(url, json={"status": "open"})
    assert released.status_code == 200
    assert (released.json()["status"], released.json()["taken_by"]) == ("open", None)

    chi.patch(url, json={"status": "taken"})
    clock.tick(minutes=5)
    closed = binh.patch(url, json={"status": "closed"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["taken_by"] == _username(chi)  # who handled it is kept
    assert closed.json()["updated_at"] == "2026-11-23T09:07:00+07:00"

    assert binh.patch(url, json={"status": "closed"}).status_code == 200  # repeating is harmless


def test_closing_an_untaken_handoff_records_who_closed_it(
    bot: TestClient, agent: TestClient, clock: Clock
) -> None:
    handoff_id = _request(bot).json()["id"]

    closed = agent.patch(f"{HANDOFFS}/{handoff_id}", json={"status": "closed"})

    assert closed.status_code == 200, closed.text
    assert closed.json()["taken_by"] == _username(agent)


@pytest.mark.parametrize("status", ["open", "taken"])
def test_a_closed_handoff_stays_closed(
    bot: TestClient, agent: TestClient, clock: Clock, status: str
) -> None:
    handoff_id = _request(bot).json()["id"]
    agent.patch(f"{HANDOFFS}/{handoff_id}", json={"status": "closed"})

    response = agent.patch(f"{HANDOFFS}/{handoff_id}", json={"status": status})

    assert response.status_code == 409
    assert response.json()["detail"]


def test_releasing_conflicts_with_a_newer_open_handoff(
    bot: TestClient, agent: TestClient, clock: Clock
) -> None:
    conversation = _conversation()
    older = _request(bot, conversation).json()["id"]
    agent.patch(f"{HANDOFFS}/{older}", json={"status": "taken"})
    newer = _request(bot, conversation).json()["id"]

    response = agent.patch(f"{HANDOFFS}/{older}", json={"status": "open"})

    assert response.status_code == 409
    listed = _listed(agent, older)
    assert listed is not None and listed["status"] == "taken"  # unchanged
    assert newer != older


@pytest.mark.parametrize(
    ("handoff_id", "body", "status_code"),
    [
        pytest.param("999999999", {"status": "closed"}, 404, id="unknown-id"),
        pytest.param("0", {"status": "closed"}, 422, id="id-zero"),
        pytest.param("-3", {"status": "closed"}, 422, id="negative-id"),
        pytest.param("99999999999999999999", {"status": "closed"}, 422, id="id-too-big"),
        pytest.param("abc", {"status": "closed"}, 422, id="id-not-a-number"),
        pytest.param("{id}", {}, 422, id="no-status"),
        pytest.param("{id}", {"status": "done"}, 422, id="unknown-status"),
        # who takes it is the logged-in staff member: the caller cannot name someone else
        pytest.param(
            "{id}", {"status": "taken", "taken_by": "Cán bộ F"}, 422, id="taken-by-someone-named"
        ),
        pytest.param("{id}", {"status": "open", "taken_by": None}, 422, id="taken-by-null"),
    ],
)
def test_bad_updates(
    bot: TestClient,
    agent: TestClient,
    clock: Clock,
    handoff_id: str,
    body: dict[str, Any],
    status_code: int,
) -> None:
    existing = _request(bot).json()["id"]

    response = agent.patch(f"{HANDOFFS}/{handoff_id.format(id=existing)}", json=body)

    assert response.status_code == status_code, response.text
    assert response.json()["detail"]
    listed = _listed(agent, existing)
    assert listed is not None and (listed["status"], listed["taken_by"]) == ("open", None)


def test_the_database_allows_one_open_handoff_per_conversation(session: Session) -> None:
    now = datetime.now(timezone.utc)
    conversation = _conversation()

    def handoff(status: str) -> Handoff:
        return Handoff(
            conversation_id=conversation,
            reason="other",
            status=status,
            created_at=now,
            updated_at=now,
        )

    session.add_all([handoff("open"), handoff("taken"), handoff("closed"), handoff("closed")])
    session.commit()
    session.add(handoff("open"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_two_simultaneous_requests_share_one_handoff(
    bot: TestClient, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = _conversation()
    first = _request(bot, conversation).json()["id"]
    # the second request looked before the first one committed, and saw nothing
    real = service._open_handoff_of
    looks: list[str] = []

    def racing(session: Session, conversation_id: str) -> Handoff | None:
        looks.append(conversation_id)
        return None if len(looks) == 1 else real(session, conversation_id)

    monkeypatch.setattr(service, "_open_handoff_of", racing)

    response = _request(bot, conversation)

    assert response.status_code == 200, response.text
    assert response.json()["id"] == first
    assert len(looks) == 2


def test_the_locality_publishes_the_staff_hours(client: TestClient) -> None:
    body = client.get("/api/v1/locality").json()

    assert body["staff_hours"]["timezone"] == "Asia/Ho_Chi_Minh"
    assert {"days": [5], "start": "07:30", "end": "11:30"} in body["staff_hours"]["windows"]
    assert "2026-09-02" in body["holidays"]


@pytest.mark.parametrize(
    "given, stored, code",
    [("0912 345 678", "0912345678", 201), ("+84 912 345 678", "0912345678", 201),
     (None, None, 201), ("12345", None, 422)],
)
def test_a_phone_to_call_back_is_kept_normalised(
    bot: TestClient, agent: TestClient, given: str | None, stored: str | None, code: int
) -> None:
    body = {"conversation_id": f"phone-{given}", "reason": "request_human", "contact_phone": given}

    response = bot.post("/api/v1/handoffs", json=body)

    assert response.status_code == code
    if code == 201:
        listed = agent.get("/api/v1/handoffs").json()
        mine = next(h for h in listed if h["id"] == response.json()["id"])
        assert mine["contact_phone"] == stored
