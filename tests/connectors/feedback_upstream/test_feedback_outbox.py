"""Complaints reach the province's feedback system through the outbox: stored first, sent with
retries, never lost while it is down, never sent twice (a fake system over real HTTP)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.applications.service import as_utc
from connectors.feedback.models import Feedback, FeedbackOutbox
from connectors.feedback.outbox import claim, retry_delay, retry_refused
from connectors.feedback.upstream import DeliveryConfig
from connectors.feedback.worker import Forwarder, build_forwarder
from connectors.main import create_app
from connectors.privacy.service import forget
from connectors.settings import Settings
from connectors.upstream.client import UpstreamConfigError
from connectors.upstream.config import UpstreamFileError
from tests.connectors.conftest import SERVICE, Clock
from tests.connectors.feedback_upstream.conftest import (
    COMPLAINT,
    RESILIENCE,
    ForwarderFactory,
    outbox_row,
    submit,
    wait_for,
)
from tests.fakes.feedback_system import (
    API_KEY,
    API_KEY_ENV,
    FakeFeedbackSystem,
    Mode,
    province_file,
)

# -- writing the outbox ----------------------------------------------------------------------


def test_without_an_upstream_complaints_are_kept_here_only(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    response = client.post(
        "/api/v1/feedback", json=COMPLAINT.model_dump(), headers=SERVICE
    )
    code = response.json()["tracking_code"]

    with factory() as session:
        assert session.get(Feedback, code) is not None
        assert session.scalars(select(FeedbackOutbox)).all() == []
    assert client.get(f"/api/v1/feedback/{code}", headers=SERVICE).json()["forwarded_at"] is None
    assert "feedback_outbox" not in client.get("/health").json()


def test_the_complaint_and_its_outbox_row_are_written_together(
    factory: sessionmaker[Session], clock: Clock
) -> None:
    code = submit(factory, clock)

    row = outbox_row(factory, code)
    assert (row.state, row.attempts, row.upstream_id, row.sent_at) == ("pending", 0, None, None)
    assert as_utc(row.next_attempt_at) == clock.now  # due at once


# -- sending ---------------------------------------------------------------------------------


def test_the_complaint_arrives_once_with_our_code_as_idempotency_key(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock
) -> None:
    code = submit(factory, clock)

    report = forwarder.deliver()

    [record] = fake.from_source(code)
    assert (report.sent, report.failed, report.refused) == (1, 0, 0)
    assert record.body == {
        "kenhTiepNhan": "Chatbot",
        "maPhanAnhNguon": code,
        "tieuDe": COMPLAINT.topic,
        "noiDung": COMPLAINT.description,
        "diaDiem": COMPLAINT.location,
        "hoTen": COMPLAINT.contact_name,
        "soDienThoai": COMPLAINT.contact_phone,
        "thoiGianGui": "2026-11-23T09:00:00+07:00",
    }
    assert fake.headers[-1]["Idempotency-Key"] == code
    row = outbox_row(factory, code)
    assert (row.state, row.upstream_id, row.attempts, row.last_error) == (
        "sent", record.id, 1, None
    )
    assert forwarder.deliver().tried == 0  # nothing left to send
    assert fake.calls["POST"] == 1


def test_down_for_three_rounds_then_up_delivers_once_with_growing_waits(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock
) -> None:
    code = submit(factory, clock)
    fake.set_mode("down")
    waits: list[timedelta] = []

    for attempt in (1, 2, 3):
        assert forwarder.deliver().failed == 1
        row = outbox_row(factory, code)
        assert (row.state, row.attempts) == ("pending", attempt)
        assert row.last_error and "feedback" in row.last_error
        waits.append(as_utc(row.next_attempt_at) - clock.now)
        assert forwarder.deliver().tried == 0  # not due yet: no call before its time
        clock.now = as_utc(row.next_attempt_at)
    fake.set_mode("ok")
    report = forwarder.deliver()

    assert report.sent == 1
    assert waits[0] < waits[1] < waits[2]
    assert len(fake.from_source(code)) == 1
    row = outbox_row(factory, code)
    assert (row.state, row.attempts, row.last_error) == ("sent", 4, None)
    assert fake.calls["POST"] == 1  # nothing listened before: refused connections


@pytest.mark.parametrize(
    "mode, stored_by_the_failed_call",
    [
        ("error", False),  # 500: not stored, sent again
        ("slow", True),  # our timeout; it stored it meanwhile
        ("drop", True),  # stored, then the connection closed without an answer
        ("store-then-500", True),  # stored, then 500
        ("malformed", True),  # stored, then 200 with a body that is not JSON
    ],
)
def test_a_failed_call_is_retried_and_the_upstream_holds_one_record(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    mode: Mode, stored_by_the_failed_call: bool,
) -> None:
    code = submit(factory, clock)
    fake.set_mode(mode)

    assert forwarder.deliver().failed == 1
    assert len(fake.from_source(code)) == int(stored_by_the_failed_call)
    fake.set_mode("ok")
    clock.now = as_utc(outbox_row(factory, code).next_attempt_at)
    assert forwarder.deliver().sent == 1

    [record] = fake.from_source(code)
    assert outbox_row(factory, code).upstream_id == record.id
    assert fake.calls["POST"] == 2


def test_two_instances_ticking_at_once_send_a_complaint_once(
    make_forwarder: ForwarderFactory, fake: FakeFeedbackSystem, factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    codes = [submit(factory, clock) for _ in range(3)]
    instances = [make_forwarder(), make_forwarder()]
    fake.slow_seconds = 0.3  # each send takes a while: the other instance is mid-round
    fake.set_mode("slow")
    start = threading.Barrier(len(instances))
    sent: list[int] = []

    def round_(forwarder: Forwarder) -> None:
        start.wait()
        sent.append(forwarder.deliver().sent)

    threads = [threading.Thread(target=round_, args=(f,)) for f in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent) == len(codes)
    assert fake.calls["POST"] == len(codes)
    assert all(len(fake.from_source(code)) == 1 for code in codes)


def test_a_claim_excludes_others_until_its_lease_runs_out(
    factory: sessionmaker[Session], clock: Clock
) -> None:
    code = submit(factory, clock)
    now = clock.now
    lease = timedelta(seconds=120)

    _token, first = claim(factory, [code], "pending", now, lease)
    _token, second = claim(factory, [code], "pending", now + timedelta(seconds=119), lease)
    _token, after_a_crash = claim(factory, [code], "pending", now + timedelta(seconds=121), lease)

    assert (first, second, after_a_crash) == ([code], [], [code])


def test_a_refusal_is_kept_for_an_operator_and_never_sent_again_by_itself(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = submit(factory, clock)
    fake.set_mode("reject")

    with caplog.at_level(logging.ERROR, logger="connectors.feedback.outbox"):
        assert forwarder.deliver().refused == 1
    clock.tick(days=30)
    assert forwarder.deliver().tried == 0

    row = outbox_row(factory, code)
    assert (row.state, row.attempts) == ("refused", 1)
    assert row.last_error and row.last_error.startswith("HTTP 422")
    outbox = [r.levelname for r in caplog.records if r.name == "connectors.feedback.outbox"]
    assert outbox == ["ERROR"]
    assert forwarder.backlog().refused == 1
    assert fake.calls["POST"] == 1
    # the operator fixed the cause: `manage feedback-outbox --retry-refused`
    fake.set_mode("ok")
    with factory() as session:
        assert retry_refused(session, clock.now) == [code]
    assert forwarder.deliver().sent == 1
    assert len(fake.from_source(code)) == 1


def test_a_wrong_api_key_is_a_refusal_not_an_endless_retry(
    fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    make_forwarder: ForwarderFactory,
) -> None:
    code = submit(factory, clock)
    fake.api_key = "the province rotated it"

    assert make_forwarder().deliver().refused == 1
    assert (outbox_row(factory, code).last_error or "").startswith("HTTP 401")


def test_an_open_circuit_defers_without_counting_attempts(
    make_forwarder: ForwarderFactory, fake: FakeFeedbackSystem, factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    codes = [submit(factory, clock) for _ in range(3)]
    forwarder = make_forwarder(resilience={"breaker_failures": 1, "breaker_reset_seconds": 600})
    fake.set_mode("down")

    report = forwarder.deliver()

    assert (report.failed, report.deferred) == (1, 2)
    assert sorted(outbox_row(factory, c).attempts for c in codes) == [0, 0, 1]
    assert all(outbox_row(factory, c).claim_token is None for c in codes)


def test_an_erased_conversations_complaint_goes_without_its_contact_details(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock
) -> None:
    """Decree 13: a citizen who asks to be forgotten before the complaint left keeps it
    anonymous upstream too; the complaint itself still reaches the office that must answer."""
    sender = f"citizen-{uuid.uuid4().hex[:8]}"
    code = submit(factory, clock, COMPLAINT.model_copy(update={"conversation_id": sender}))
    fake.set_mode("down")
    forwarder.deliver()
    with factory() as session:
        forget(session, None, sender)
    fake.set_mode("ok")
    clock.now = as_utc(outbox_row(factory, code).next_attempt_at)

    assert forwarder.deliver().sent == 1

    [record] = fake.from_source(code)
    assert record.body["noiDung"] == COMPLAINT.description
    assert (record.body["hoTen"], record.body["soDienThoai"], record.body["diaDiem"]) == (
        None, None, None
    )
    sent = json.dumps(record.body, ensure_ascii=False)
    assert "0912345678" not in sent and "Nguyễn Văn Mẫu" not in sent


def test_erasing_a_forwarded_complaint_tells_the_operator_where_else_it_is(
    forwarder: Forwarder, fake: FakeFeedbackSystem, factory: sessionmaker[Session], clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = f"citizen-{uuid.uuid4().hex[:8]}"
    code = submit(factory, clock, COMPLAINT.model_copy(update={"conversation_id": sender}))
    forwarder.deliver()
    [record] = fake.from_source(code)

    with caplog.at_level(logging.WARNING, logger="connectors.privacy.service"), factory() as s:
        forget(s, None, sender)

    assert any(record.id in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


@pytest.mark.parametrize(
    "failures, low, high",
    [(1, 24, 30), (2, 48, 60), (3, 96, 120), (7, 1536, 1920), (8, 2880, 3600), (40, 2880, 3600)],
)
def test_the_wait_after_failures_doubles_up_to_the_cap_less_some_jitter(
    failures: int, low: float, high: float
) -> None:
    delivery = DeliveryConfig(first_retry_seconds=30, max_retry_seconds=3600)

    shortest = retry_delay(failures, delivery, rng=lambda a, b: a).total_seconds()
    longest = retry_delay(failures, delivery, rng=lambda a, b: b).total_seconds()

    assert shortest == pytest.approx(low)
    assert longest == pytest.approx(high)


# -- the running connectors ------------------------------------------------------------------


def test_complaints_pending_at_a_restart_are_sent_after_it(
    fake: FakeFeedbackSystem, settings: Settings, factory: sessionmaker[Session], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(API_KEY_ENV, API_KEY)
    path = province_file(
        fake, tmp_path, resilience=RESILIENCE,
        delivery={"first_retry_seconds": 0.05, "max_retry_seconds": 0.1},
    )
    configured = settings.model_copy(
        update={"feedback_upstream_file": path, "feedback_outbox_interval_seconds": 0.05}
    )
    fake.set_mode("down")
    with TestClient(create_app(configured)) as first:
        response = first.post("/api/v1/feedback", json=COMPLAINT.model_dump(), headers=SERVICE)
        code = response.json()["tracking_code"]
        assert response.status_code == 201  # the citizen's receipt, the upstream down or not
        wait_for(lambda: outbox_row(factory, code).attempts >= 1)
        health = first.get("/health").json()
        assert health["feedback_outbox"]["pending"] == 1
        assert health["upstreams"]["feedback"]["consecutive_failures"] >= 1
    fake.set_mode("ok")

    with TestClient(create_app(configured)) as second:
        wait_for(lambda: len(fake.from_source(code)) == 1)
        wait_for(lambda: outbox_row(factory, code).state == "sent")
        shown = second.get(f"/api/v1/feedback/{code}", headers=SERVICE).json()
        health = second.get("/health").json()

    assert shown["status_label"] == "Đã tiếp nhận"
    assert shown["forwarded_at"] is not None
    assert health["feedback_outbox"] == {
        "pending": 0, "oldest_pending_seconds": None, "refused": 0
    }
    assert len(fake.from_source(code)) == 1


def test_the_operator_command_sends_now_and_lists_what_was_refused(
    make_forwarder: ForwarderFactory, fake: FakeFeedbackSystem, factory: sessionmaker[Session],
    clock: Clock, database_url: str, tmp_path: Path,
) -> None:
    refused_code = submit(factory, clock)
    fake.set_mode("reject")
    make_forwarder().deliver()
    fake.set_mode("ok")
    waiting_code = submit(factory, clock)  # due in an hour, say: the command sends it now
    with factory() as session:
        row = session.get(FeedbackOutbox, waiting_code)
        assert row is not None
        row.next_attempt_at = clock.now + timedelta(hours=1)
        session.commit()
    env = {
        **os.environ, "DATABASE_URL": database_url, API_KEY_ENV: API_KEY,
        "FEEDBACK_UPSTREAM_FILE": str(province_file(fake, tmp_path)),
    }

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        # its own process, as the operator runs it (the connectors' log redaction is not on)
        return subprocess.run(
            [sys.executable, "-m", "connectors.manage", "feedback-outbox", *args],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )

    first = command()
    again = command("--retry-refused")

    assert (first.returncode, again.returncode) == (1, 0), first.stderr + again.stderr
    listed = [line for line in first.stderr.splitlines() if line.startswith("[connectors] refused")]
    assert len(listed) == 1 and refused_code in listed[0] and "HTTP 422" in listed[0]
    assert len(fake.from_source(waiting_code)) == 1
    assert len(fake.from_source(refused_code)) == 1


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda c: c["status"].pop("status_map"), UpstreamFileError),
        (lambda c: c["submit"]["fields"].pop("description"), UpstreamFileError),
        (lambda c: c["status"].update(path="/phan-anh"), UpstreamFileError),
        (lambda c: c["delivery"].update(lease_seconds=5), UpstreamFileError),
        (lambda c: c["upstream"]["auth"].update(key_env="NOT_SET_ANYWHERE"), UpstreamConfigError),
    ],
    ids=["no status map", "description not mapped", "status path without id",
         "lease shorter than a call", "key variable missing"],
)
def test_a_wrong_province_file_stops_the_start_with_a_reason(
    fake: FakeFeedbackSystem, factory: sessionmaker[Session], tmp_path: Path,
    change: Callable[[dict[str, Any]], object], error: type[Exception],
) -> None:
    path = province_file(fake, tmp_path)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(config)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    with pytest.raises(error):
        build_forwarder(
            Settings(feedback_upstream_file=path), factory, environ={API_KEY_ENV: API_KEY}
        )
