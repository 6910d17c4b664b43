"""What the province's feedback system does with a complaint comes back to "tra cứu phản ánh":
its status, the agency's answer and a history event (read by polling a fake system over HTTP)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from connectors.feedback.worker import Forwarder
from tests.connectors.conftest import Clock
from tests.connectors.feedback_upstream.conftest import outbox_row, submit
from tests.fakes.feedback_system import FakeFeedbackSystem, Mode

ANSWER = "UBND phường đã thay bóng đèn ngày 25/11/2026 (trả lời mẫu, demo)."


def forwarded(forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session],
              clock: Clock) -> tuple[str, str]:
    """A complaint already in the province's system: (our code, its id there)."""
    code = submit(factory, clock)
    assert forwarder.deliver().sent == 1
    [record] = fake.from_source(code)
    return code, record.id


def shown(bot: TestClient, code: str) -> dict[str, Any]:
    """What "tra cứu phản ánh" reads: the connectors' API, as the action server calls it."""
    response = bot.get(f"/api/v1/feedback/{code}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "theirs, answer, note, status, label",
    [
        ("DANG_XU_LY", None, "Đã chuyển UBND phường Trung Tâm", "processing", "Đang xử lý"),
        ("CHUYEN_XU_LY", None, None, "processing", "Đang xử lý"),
        ("DA_TRA_LOI", ANSWER, None, "answered", "Đã trả lời"),
        ("DA_DONG", ANSWER, "Đã xử lý xong", "closed", "Đã đóng"),
    ],
)
def test_a_status_changed_upstream_shows_with_its_answer_and_a_history_event(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    bot: TestClient, theirs: str, answer: str | None, note: str | None, status: str, label: str,
) -> None:
    code, upstream_id = forwarded(forwarder, fake, factory, clock)
    fake.set_status(upstream_id, theirs, answer=answer, note=note)
    clock.tick(minutes=5)

    report = forwarder.sync()

    body = shown(bot, code)
    assert (report.checked, report.changed) == (1, 1)
    assert (body["status"], body["status_label"], body["response"]) == (status, label, answer)
    assert [(e["status"], e["note"]) for e in body["history"]] == [
        ("received", None), (status, note)
    ]
    assert body["updated_at"] == clock.now.isoformat()


def test_nothing_new_upstream_adds_no_event(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    bot: TestClient,
) -> None:
    code, _upstream_id = forwarded(forwarder, fake, factory, clock)

    first = forwarder.sync()
    clock.tick(minutes=5)
    second = forwarder.sync()

    assert (first.checked, first.changed, second.checked, second.changed) == (1, 0, 1, 0)
    body = shown(bot, code)
    assert (body["status"], len(body["history"])) == ("received", 1)
    assert outbox_row(factory, code).upstream_status == "MOI_TIEP_NHAN"


def test_an_answer_given_later_replaces_none_without_a_second_event(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    bot: TestClient,
) -> None:
    code, upstream_id = forwarded(forwarder, fake, factory, clock)
    fake.set_status(upstream_id, "DA_TRA_LOI")
    forwarder.sync()
    fake.set_status(upstream_id, "DA_TRA_LOI", answer=ANSWER)
    clock.tick(minutes=5)

    assert forwarder.sync().changed == 1

    body = shown(bot, code)
    assert (body["status"], body["response"]) == ("answered", ANSWER)
    assert [e["status"] for e in body["history"]] == ["received", "answered"]


def test_an_unknown_upstream_status_is_ignored_with_one_warning(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    bot: TestClient, caplog: pytest.LogCaptureFixture,
) -> None:
    code, upstream_id = forwarded(forwarder, fake, factory, clock)
    fake.set_status(upstream_id, "TAM_DUNG_XU_LY")

    with caplog.at_level(logging.WARNING, logger="connectors.feedback.sync"):
        first = forwarder.sync()
        clock.tick(minutes=5)
        second = forwarder.sync()

    body = shown(bot, code)
    assert (body["status"], body["status_label"]) == ("received", "Đã tiếp nhận")
    assert len(body["history"]) == 1
    assert (first.checked, first.changed, second.checked, second.changed) == (1, 0, 1, 0)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "TAM_DUNG_XU_LY" in warnings[0]


def test_closed_complaints_are_no_longer_read(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
) -> None:
    _code, upstream_id = forwarded(forwarder, fake, factory, clock)
    fake.set_status(upstream_id, "DA_DONG", answer=ANSWER)
    forwarder.sync()
    reads = fake.calls["GET"]
    clock.tick(hours=1)

    assert forwarder.sync().checked == 0
    assert fake.calls["GET"] == reads


@pytest.mark.parametrize("mode", ["down", "error", "slow"])
def test_an_unreachable_upstream_changes_nothing_and_is_read_again_later(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    bot: TestClient, mode: Mode,
) -> None:
    code, upstream_id = forwarded(forwarder, fake, factory, clock)
    fake.set_status(upstream_id, "DANG_XU_LY")
    fake.slow_seconds = 2.0
    fake.set_mode(mode)

    paused = forwarder.sync()
    untouched = outbox_row(factory, code)
    fake.set_mode("ok")
    clock.tick(minutes=5)
    resumed = forwarder.sync()

    assert (paused.checked, paused.deferred) == (0, 1)
    assert (untouched.claim_token, untouched.last_synced_at) == (None, None)
    assert (resumed.checked, resumed.changed) == (1, 1)
    assert shown(bot, code)["status"] == "processing"


def test_an_unreadable_status_is_logged_and_kept(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    bot: TestClient,
) -> None:
    code, _upstream_id = forwarded(forwarder, fake, factory, clock)
    fake.set_mode("malformed")

    report = forwarder.sync()

    assert (report.checked, report.failed) == (0, 1)
    assert "not JSON" in (outbox_row(factory, code).last_error or "")
    assert shown(bot, code)["status"] == "received"


def test_a_complaint_read_recently_is_not_read_again_within_the_interval(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
) -> None:
    """Several connectors instances each poll every interval: a complaint another instance
    has just read is skipped, so the province's system is read once per interval."""
    forwarded(forwarder, fake, factory, clock)
    interval = timedelta(minutes=5)
    assert forwarder.sync(interval / 2).checked == 1

    clock.tick(minutes=2)
    assert forwarder.sync(interval / 2).checked == 0
    clock.tick(minutes=1)
    assert forwarder.sync(interval / 2).checked == 1
