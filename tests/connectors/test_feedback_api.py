"""Feedback (phản ánh, kiến nghị): kept under a tracking code, read back without contact details."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectors.feedback.models import Feedback, FeedbackEvent
from connectors.feedback.schemas import TRACKING_CODE_RE, normalize_tracking_code
from connectors.feedback.service import new_tracking_code

FEEDBACK = "/api/v1/feedback"
VALID: dict[str, Any] = {
    "topic": "Đèn đường hỏng",
    "description": "Đèn đường trước số 12 đường Mẫu bị hỏng hơn một tuần, buổi tối rất tối.",
    "location": "Số 12 đường Mẫu, phường Trung Tâm",
    "contact_name": "Nguyễn Văn An",
    "contact_phone": "+84 912 345 678",
}


def _create(bot: TestClient, **overrides: Any) -> Any:
    return bot.post(FEEDBACK, json={**VALID, **overrides})


def test_feedback_is_recorded_with_a_tracking_code(bot: TestClient) -> None:
    response = _create(bot)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"tracking_code", "status", "created_at"}
    assert TRACKING_CODE_RE.match(body["tracking_code"])
    assert body["status"] == "received"
    assert body["created_at"].endswith("+07:00")
    assert body["tracking_code"][3:9] == body["created_at"][2:10].replace("-", "")  # yymmdd


def test_feedback_reads_back_without_contact_details(bot: TestClient) -> None:
    code = _create(bot).json()["tracking_code"]

    response = bot.get(f"{FEEDBACK}/{code}")

    assert response.status_code == 200
    body = response.json()
    assert body["tracking_code"] == code
    assert body["status"] == "received"
    assert body["status_label"] == "Đã tiếp nhận"
    assert body["topic"] == VALID["topic"]
    assert body["response"] is None
    assert body["created_at"] and body["updated_at"]
    assert [e["status"] for e in body["history"]] == ["received"]
    for private in ("contact_phone", "contact_name", "description", "location"):
        assert private not in body
    assert "0912345678" not in response.text and "Nguyễn Văn An" not in response.text


def test_contact_phone_is_stored_normalised(bot: TestClient, session: Session) -> None:
    code = _create(bot, contact_phone="0912.345.678").json()["tracking_code"]

    stored = session.get(Feedback, code)

    assert stored is not None
    assert stored.contact_phone == "0912345678"


def test_contact_details_are_optional(bot: TestClient, session: Session) -> None:
    response = bot.post(
        FEEDBACK, json={"topic": "Rác thải", "description": "Bãi rác tự phát ở đầu ngõ 5."}
    )

    assert response.status_code == 201
    stored = session.get(Feedback, response.json()["tracking_code"])
    assert stored is not None
    assert (stored.location, stored.contact_name, stored.contact_phone) == (None, None, None)


def _staff_moves(
    session: Session, code: str, status: str, *, response: str | None = None,
    note: str | None = None,
) -> None:
    """What the staff side does (the staff console will, through its own endpoint)."""
    feedback = session.get(Feedback, code)
    assert feedback is not None
    feedback.status = status
    feedback.response = response or feedback.response
    feedback.updated_at = datetime.now(timezone.utc)
    feedback.events.append(FeedbackEvent(position=len(feedback.events), status=status,
                                         at=feedback.updated_at, note=note))


def test_staff_answer_shows_in_the_read_back(bot: TestClient, session: Session) -> None:
    code = _create(bot).json()["tracking_code"]
    _staff_moves(session, code, "processing", note="Đã chuyển UBND phường Trung Tâm xử lý.")
    _staff_moves(session, code, "answered", response="Đã thay bóng đèn ngày 25/11/2026.")
    session.commit()

    body = bot.get(f"{FEEDBACK}/{code.lower()}").json()

    assert body["status"] == "answered"
    assert body["response"] == "Đã thay bóng đèn ngày 25/11/2026."
    assert [e["status"] for e in body["history"]] == ["received", "processing", "answered"]
    assert body["history"][1]["note"] == "Đã chuyển UBND phường Trung Tâm xử lý."
    assert body["updated_at"] >= body["created_at"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"topic": None}, "topic"),
        ({"topic": "  "}, "topic"),
        ({"description": None}, "description"),
        ({"description": "quá ngắn"}, "description"),  # 8 characters
        ({"description": "          ngắn      "}, "description"),  # spaces do not count
        ({"description": "x" * 4001}, "description"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "091234567a"}, "contact_phone"),
        ({"location": "x" * 501}, "location"),
    ],
)
def test_invalid_feedback_gets_a_clear_422(
    bot: TestClient, overrides: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in {**VALID, **overrides}.items() if v is not None}

    response = bot.post(FEEDBACK, json=body)

    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()


@pytest.mark.parametrize("length", [10, 4000])
def test_description_length_bounds_are_inclusive(bot: TestClient, length: int) -> None:
    assert _create(bot, description="a" * length).status_code == 201


def test_unknown_tracking_code_is_404(bot: TestClient) -> None:
    response = bot.get(f"{FEEDBACK}/PA-261122-ZZZZZZ")

    assert response.status_code == 404
    assert "PA-261122-ZZZZZZ" in response.json()["detail"]


@pytest.mark.parametrize(
    "code",
    [
        "abc",
        "PA-261122-7K3Q9",
        "PA-261122-7K3Q9XX",
        "XX-261122-7K3Q9X",
        "PA-2611-7K3Q9X",
        "PA-261122-7K3Q0X",
        "PA-261122-7K3QIX",
        "PA-261122-7K3Q9%21",
    ],
)
def test_malformed_tracking_code_is_422(bot: TestClient, code: str) -> None:
    response = bot.get(f"{FEEDBACK}/{code}")

    assert response.status_code == 422
    assert "PA-" in response.json()["detail"]


def test_tracking_codes_use_the_unambiguous_alphabet() -> None:
    now = datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)  # already 23/11 in Vietnam
    codes = {new_tracking_code(now) for _ in range(500)}

    assert len(codes) == 500
    assert all(TRACKING_CODE_RE.match(c) and c.startswith("PA-261123-") for c in codes)
    assert not any(ch in c[10:] for c in codes for ch in "01OIL")
    assert normalize_tracking_code(" pa - 261122 - 7k3q9x ") == "PA-261122-7K3Q9X"
