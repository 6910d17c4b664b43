"""Dossier status notifications through the whole chain: a citizen looks a dossier up over the
signed Zalo webhook and taps "Nhận thông báo"; a status change recorded through the connectors
API reaches the fake Zalo as one message, once; after "huỷ thông báo" a change sends nothing; a
citizen whose last message (in Rasa's tracker) is older than Zalo's 7 days is not written to.

The demo dossier is put back to its status at the end (other suites read it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from scripts.stack import Stack
from tests.e2e.conftest import domain_text
from tests.fakes.zalo import FakeZalo

pytestmark = pytest.mark.e2e

ANSWER_SECONDS = 60.0
CODE = "000.00.31.H56-261118-0007"  # demo dossier: in progress; phone 0338123456
PHONE = "0338123456"
OFFER = "Nhận thông báo"


@pytest.fixture(scope="module")
def fake(stack: Stack) -> Iterator[FakeZalo]:
    with FakeZalo() as zalo, stack.reconfigured("rasa", zalo.channel_env()):
        yield zalo


def _say(stack: Stack, fake: FakeZalo, user: str, text: str) -> None:
    body, headers = fake.sign(fake.text_event(user, text))
    response = httpx.post(f"{stack.config.rasa_url}/webhooks/zalo/webhook", content=body,
                          headers=headers, timeout=10)
    assert response.status_code == 200


def _wait_text(fake: FakeZalo, user: str, text: str) -> None:
    fake.wait_for(lambda: any(s.text == text for s in fake.sent_to(user)),
                  timeout=ANSWER_SECONDS)
    assert text in [s.text for s in fake.sent_to(user)]


def _change(stack: Stack, status: str, at: datetime) -> Any:
    response = httpx.post(
        f"{stack.config.connectors_url}/api/v1/applications/{CODE}/events",
        json={"status": status, "at": at.isoformat()},
        headers={"X-Service-Token": stack.secrets["CONNECTORS_SERVICE_TOKEN"]}, timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_followed_dossier_change_reaches_zalo_once_and_huy_thong_bao_stops_it(
    stack: Stack, fake: FakeZalo
) -> None:
    user = str(7_000_000_000_000_000_000 + uuid.uuid4().int % 10**18)
    _say(stack, fake, user, f"hồ sơ {CODE} của tôi đến đâu rồi")
    fake.wait_for(lambda: len(fake.sent_to(user)) >= 1, timeout=ANSWER_SECONDS)
    _say(stack, fake, user, PHONE)
    fake.wait_for(
        lambda: any(OFFER in [b.get("title") for b in s.buttons] for s in fake.sent_to(user)),
        timeout=ANSWER_SECONDS,
    )
    _say(stack, fake, user, "/follow_status")  # the button's payload, as Zalo sends a tap
    _wait_text(fake, user, domain_text("utter_status_notifications_on").replace("{code}", CODE))
    at = datetime.now(timezone.utc).replace(microsecond=0)

    first = _change(stack, "done", at)
    again = _change(stack, "done", at)  # the office's system retries after a lost answer
    told = domain_text("utter_status_changed_done").replace("{code}", CODE)
    _wait_text(fake, user, told)
    _say(stack, fake, user, "huỷ thông báo")
    _wait_text(fake, user, domain_text("utter_status_notifications_off"))
    # back as it was; the subscription was cancelled before, so no later round can tell it
    back = _change(stack, "in_progress", at + timedelta(seconds=1))
    _say(stack, fake, user, "xin chào")
    _wait_text(fake, user, domain_text("utter_greet"))

    assert (first["queued"], again["queued"], back["queued"]) == (True, False, True)
    texts = [s.text for s in fake.sent_to(user)]
    assert texts.count(told) == 1
    assert not any(t == domain_text("utter_status_changed_in_progress").replace("{code}", CODE)
                   for t in texts)


def test_a_citizen_silent_for_more_than_7_days_is_not_written_to(
    stack: Stack, fake: FakeZalo
) -> None:
    # Zalo's window counts from the citizen's last message, which only the bot sees: a
    # conversation whose last message (in Rasa's own tracker) is 8 days old gets nothing
    user = str(7_100_000_000_000_000_000 + uuid.uuid4().int % 10**18)
    sender = f"zalo-{user}"
    connectors = stack.config.connectors_url
    service = {"X-Service-Token": stack.secrets["CONNECTORS_SERVICE_TOKEN"]}
    rasa = f"{stack.config.rasa_url}/conversations/{sender}"
    token = {"token": stack.secrets["RASA_AUTH_TOKEN"]}
    long_ago = datetime.now(timezone.utc).timestamp() - 8 * 86_400
    written = httpx.post(f"{rasa}/tracker/events", params=token, timeout=10, json=[
        {"event": "user", "text": "cảm ơn", "timestamp": long_ago, "input_channel": "zalo",
         "parse_data": {"intent": {"name": "thank", "confidence": 1.0}, "entities": []}},
    ])
    assert written.status_code == 200, written.text
    found = httpx.post(f"{connectors}/api/v1/applications/lookup", timeout=10,
                       json={"code": CODE, "phone": PHONE},
                       headers={**service, "X-Client-Id": sender})
    assert found.status_code == 200, found.text
    followed = httpx.post(f"{connectors}/api/v1/notifications/subscriptions", timeout=10,
                          json={"code": CODE, "sender_id": sender}, headers=service)
    assert followed.status_code == 201, followed.text
    at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=1)

    _change(stack, "needs_supplement", at)

    def outcome() -> Any:
        tracker = httpx.get(f"{rasa}/tracker", params={**token, "include_events": "NONE"},
                            timeout=10).json()
        return tracker["slots"].get("notification_outcome")

    decided = fake.wait_for(outcome, timeout=ANSWER_SECONDS)
    httpx.delete(f"{connectors}/api/v1/notifications/subscriptions/{sender}", headers=service,
                 timeout=10)
    _change(stack, "in_progress", at + timedelta(seconds=1))  # back as it was

    assert decided == "window_closed"
    assert fake.sent_to(user) == []
