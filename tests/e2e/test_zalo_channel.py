"""Citizens writing to the province's Zalo Official Account, through the whole chain: signed
webhook events posted to the running Rasa server (restarted for this module with the Zalo
channel pointed at a fake Zalo on loopback), the dialogue with the action server and the
connectors, and the answers as the fake's send API received them.

Nothing here sleeps for a fixed time: answers are polled for with a deadline, and "nothing was
sent" is proved by a later message's answer arriving (one citizen's turns are taken in order).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from scripts.stack import Stack
from tests.e2e.conftest import REDIS_URL, Say, domain_text, user_texts
from tests.fakes.zalo import FakeZalo, Sent

pytestmark = pytest.mark.e2e

ANSWER_SECONDS = 60.0
QUESTION = "đăng ký khai sinh cần giấy tờ gì"


def webhook(stack: Stack) -> str:
    return f"{stack.config.rasa_url}/webhooks/zalo/webhook"


def citizen() -> str:
    """A Zalo user id as Zalo writes them (digits, as a string); new for each test."""
    return str(7_000_000_000_000_000_000 + uuid.uuid4().int % 10**18)


def post(stack: Stack, fake: FakeZalo, event: dict[str, Any], **sign: Any) -> httpx.Response:
    body, headers = fake.sign(event, **sign)
    return httpx.post(webhook(stack), content=body, headers=headers, timeout=10)


def answers(fake: FakeZalo, user: str, count: int) -> list[Sent]:
    """The first ``count`` messages that reached ``user``, waiting for them."""
    fake.wait_for(lambda: len(fake.sent_to(user)) >= count, timeout=ANSWER_SECONDS)
    sent = fake.sent_to(user)
    assert len(sent) >= count, f"{len(sent)} of {count} answers reached the citizen"
    return sent[:count]


def rest_texts(say: Say, question: str) -> list[str]:
    """What the REST channel answers to ``question`` in a fresh conversation."""
    return [str(m["text"]) for m in say(f"compare-{uuid.uuid4().hex[:8]}", question)
            if m.get("text")]


def test_without_zalo_settings_the_webhook_answers_503_and_the_rest_works(
    stack: Stack, say: Say, sender: str
) -> None:
    """A province without Zalo: `make run` as usual (this runs before the module's restart)."""
    fake = FakeZalo()

    response = post(stack, fake, fake.text_event(citizen(), "xin chào"))

    assert response.status_code == 503
    assert say(sender, "xin chào")[0]["text"] == domain_text("utter_greet")


@pytest.fixture(scope="module")
def zalo(stack: Stack) -> Iterator[FakeZalo]:
    """The fake Zalo, and the running Rasa restarted with the channel pointed at it."""
    with FakeZalo() as fake, stack.reconfigured("rasa", fake.channel_env()):
        yield fake


@pytest.fixture
def fake(zalo: FakeZalo) -> Iterator[FakeZalo]:
    zalo.set_mode("ok")
    yield zalo
    zalo.set_mode("ok")


def test_a_procedure_question_gets_the_answer_the_other_channels_give(
    stack: Stack, fake: FakeZalo, say: Say
) -> None:
    user = citizen()

    response = post(stack, fake, fake.text_event(user, QUESTION))

    assert response.status_code == 200
    expected = rest_texts(say, QUESTION)
    sent = answers(fake, user, len(expected))
    assert [s.text for s in sent] == expected
    assert "Giấy chứng sinh" in "\n".join(expected)
    assert {s.user_id for s in sent} == {user}


@pytest.mark.parametrize("forgery", [{"secret": "guessed-secret"}, {"secret": ""}])
def test_a_badly_signed_event_gets_401_and_no_answer(
    stack: Stack, fake: FakeZalo, forgery: dict[str, str]
) -> None:
    user = citizen()

    refused = post(stack, fake, fake.text_event(user, "/request_human"), **forgery)
    accepted = post(stack, fake, fake.text_event(user, "xin chào"))

    assert (refused.status_code, accepted.status_code) == (401, 200)
    (greeting,) = answers(fake, user, 1)
    assert greeting.text == domain_text("utter_greet")
    assert user_texts(stack, f"zalo-{user}") == ["xin chào"]


def test_a_repeated_event_is_answered_once(stack: Stack, fake: FakeZalo, say: Say) -> None:
    user = citizen()
    event = fake.text_event(user, QUESTION)

    statuses = [post(stack, fake, event).status_code for _ in range(3)]
    post(stack, fake, fake.text_event(user, "cảm ơn em"))

    assert statuses == [200, 200, 200]
    expected = rest_texts(say, QUESTION)
    fake.wait_for(lambda: len(fake.sent_to(user)) > len(expected), timeout=ANSWER_SECONDS)
    assert user_texts(stack, f"zalo-{user}") == [QUESTION, "cảm ơn em"]
    texts = [s.text for s in fake.sent_to(user)]
    assert texts[: len(expected)] == expected
    assert texts.count(expected[0]) == 1


def test_echoes_and_receipts_are_not_answered(stack: Stack, fake: FakeZalo) -> None:
    user = citizen()

    statuses = [
        post(stack, fake, fake.echo_event(user, domain_text("utter_greet"))).status_code,
        post(stack, fake, fake.receipt_event(user, "user_seen_message")).status_code,
        post(stack, fake, fake.receipt_event(user, "user_received_message")).status_code,
        post(stack, fake, fake.text_event(user, "xin chào")).status_code,
    ]

    assert statuses == [200, 200, 200, 200]
    answers(fake, user, 1)
    assert user_texts(stack, f"zalo-{user}") == ["xin chào"]  # the echo never reached Rasa


def test_following_the_oa_gets_the_greeting_with_the_menu(stack: Stack, fake: FakeZalo) -> None:
    user = citizen()

    post(stack, fake, fake.follow_event(user))

    (greeting,) = answers(fake, user, 1)
    assert greeting.text == domain_text("utter_greet")
    assert [(b["type"], b["payload"]) for b in greeting.buttons] == [
        ("oa.query.hide", "/ask_procedure"),
        ("oa.query.hide", "/check_status"),
        ("oa.query.hide", "/submit_feedback"),
        ("oa.query.hide", "/request_human"),
    ]


def test_tapping_a_button_sends_its_payload_and_gets_its_answer(
    stack: Stack, fake: FakeZalo
) -> None:
    user = citizen()
    post(stack, fake, fake.follow_event(user))
    (greeting,) = answers(fake, user, 1)
    check_status = next(b for b in greeting.buttons if b["title"] == "Tra cứu hồ sơ")

    # what Zalo posts when the citizen taps an oa.query.hide button: its payload, as text
    post(stack, fake, fake.text_event(user, check_status["payload"]))

    _greeting, answer = answers(fake, user, 2)
    assert answer.text == domain_text("utter_ask_application_code")


@pytest.mark.parametrize("kind", ["sticker", "image", "location"])
def test_a_sticker_or_photo_gets_asked_for_in_writing(
    stack: Stack, fake: FakeZalo, kind: str
) -> None:
    user = citizen()

    post(stack, fake, fake.media_event(user, kind))

    (answer,) = answers(fake, user, 1)
    assert answer.text == domain_text("utter_text_only")


# a tap on a procedure's documents button: this national procedure's list runs to ~2,600
# characters, more than one Zalo message takes
# the whole list ("Xem đầy đủ"): every line shortened, still longer than one Zalo message
LONG_ANSWER = '/ask_documents{"procedure_code": "2.002011", "detail": "all"}'


def test_a_long_answer_arrives_in_pieces_of_at_most_2000_characters_buttons_last(
    stack: Stack, fake: FakeZalo, say: Say
) -> None:
    user = citizen()
    messages = say(f"compare-{uuid.uuid4().hex[:8]}", LONG_ANSWER)
    expected, later = messages[0], messages[1:]  # later: the "shortened, see the record" line
    text = str(expected["text"])
    assert len(text) > 2000  # the premise: one answer longer than Zalo takes

    post(stack, fake, fake.text_event(user, LONG_ANSWER))

    # the tracker is stored once every piece has been sent
    fake.wait_for(lambda: bot_said(stack, f"zalo-{user}"), timeout=ANSWER_SECONDS)
    pieces = fake.sent_to(user)
    first = pieces[: len(pieces) - len(later)]  # each later message is short: one piece
    assert len(first) >= 2
    assert all(len(p.text) <= 2000 for p in pieces)
    # nothing lost or added: the same words in the same order
    assert " ".join(p.text for p in first).split() == text.split()
    assert text[len(first[0].text)].isspace()  # cut between lines or words, never inside one
    assert [p.buttons for p in first[:-1]] == [[]] * (len(first) - 1)
    assert [b["payload"] for b in first[-1].buttons] == [
        b["payload"] for b in expected.get("buttons", [])
    ]  # (buttons last with a template: tests/bot/test_zalo_channel.py)
    assert [p.text for p in pieces[len(first):]] == [str(m["text"]) for m in later]


def stored_pair(stack: Stack, fake: FakeZalo) -> dict[str, Any]:
    key = f"{stack.config.redis_key_prefix}:zalo:{fake.app_id}:tokens"
    raw = redis.Redis.from_url(REDIS_URL).get(key)
    assert raw is not None, "no token pair in Redis"
    pair: dict[str, Any] = json.loads(raw)
    return pair


def test_an_access_token_expiring_mid_conversation_is_refreshed_and_the_answer_resent(
    stack: Stack, fake: FakeZalo
) -> None:
    user = citizen()
    post(stack, fake, fake.text_event(user, "xin chào"))
    (first,) = answers(fake, user, 1)
    refreshes = len(fake.refreshes)
    old_refresh_token = stored_pair(stack, fake)["refresh_token"]

    fake.expire_access_tokens()  # its 25 hours are over
    post(stack, fake, fake.text_event(user, "tra cứu hồ sơ"))

    _first, second = answers(fake, user, 2)
    assert second.text == domain_text("utter_ask_application_code")
    assert [s.error for s in fake.attempts_to(user)] == [0, -216, 0]  # resent once
    assert [r.accepted for r in fake.refreshes[refreshes:]] == [True]
    assert second.access_token != first.access_token
    # the rotated pair is what the store holds now; the spent refresh token is dead
    pair = stored_pair(stack, fake)
    assert pair["access_token"] == second.access_token
    assert pair["refresh_token"] == fake.refresh_token != old_refresh_token
    assert old_refresh_token in fake.spent


def test_zalo_down_loses_that_answer_but_not_the_conversation(
    stack: Stack, fake: FakeZalo
) -> None:
    user = citizen()
    sender = f"zalo-{user}"
    fake.set_mode("down")

    post(stack, fake, fake.text_event(user, "tra cứu hồ sơ"))

    # Rasa answered (and stored the turn) although the answer could not be sent
    bot_texts = fake.wait_for(lambda: bot_said(stack, sender), timeout=ANSWER_SECONDS)
    assert bot_texts == [domain_text("utter_ask_application_code")]
    fake.set_mode("ok")
    post(stack, fake, fake.text_event(user, "thôi"))

    answer = fake.wait_for(lambda: fake.sent_to(user), timeout=ANSWER_SECONDS)
    assert answer, "the message after Zalo came back was not answered"
    assert domain_text("utter_ask_application_code") not in [s.text for s in answer]
    assert user_texts(stack, sender) == ["tra cứu hồ sơ", "thôi"]


def bot_said(stack: Stack, sender: str) -> list[str]:
    tracker = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.token},
        timeout=10,
    ).json()
    return [str(e.get("text")) for e in tracker["events"] if e.get("event") == "bot"]


def test_staff_who_take_over_reply_through_zalo_while_the_bot_waits(
    stack: Stack, fake: FakeZalo
) -> None:
    """The staff console (connectors/admin/review/takeover.py): the citizen asked for a person;
    a reviewer takes the conversation over, the paused bot answers nothing, the reviewer's reply
    reaches Zalo, and after the hand-back the bot answers again."""
    from tests.e2e.test_console_review_kpi import add_reviewer, csrf_of, handoff_of, signed_in

    user = citizen()
    post(stack, fake, fake.text_event(user, "cho tôi gặp cán bộ"))
    first = answers(fake, user, 1)
    said_before = bot_said(stack, f"zalo-{user}")
    handoff_id, _ = handoff_of(stack, f"zalo-{user}")
    with signed_in(stack, add_reviewer(stack)) as console:
        csrf = csrf_of(console)
        assert console.post(f"/admin/review/handoffs/{handoff_id}/take",
                            data=csrf).status_code == 303
        post(stack, fake, fake.text_event(user, "alo, có ai không ạ"))
        fake.wait_for(lambda: len(user_texts(stack, f"zalo-{user}")) == 2, timeout=ANSWER_SECONDS)
        staff_words = "Dạ, em là cán bộ một cửa phường, em đang xem yêu cầu của anh/chị ạ."
        console.post(f"/admin/review/handoffs/{handoff_id}/reply",
                     data={**csrf, "text": staff_words})
        sent = answers(fake, user, len(first) + 1)
        # the first thing Zalo got after the take-over is the staff reply: the bot said nothing
        assert sent[len(first)].text == staff_words
        assert bot_said(stack, f"zalo-{user}") == [*said_before, staff_words]
        console.post(f"/admin/review/handoffs/{handoff_id}/release", data=csrf)
    post(stack, fake, fake.text_event(user, QUESTION))
    fake.wait_for(lambda: any("Giấy chứng sinh" in s.text for s in fake.sent_to(user)),
                  timeout=ANSWER_SECONDS)
    assert any("Giấy chứng sinh" in s.text for s in fake.sent_to(user))  # the bot is back
