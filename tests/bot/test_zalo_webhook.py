"""What the Zalo webhook answers, before any dialogue: 401 for a wrong signature, 200 at once for
the rest; only new events from citizens reach the dialogue, each once, even across processes."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from redis.asyncio import Redis

from bot.channels.zalo_dedup import MemorySeen, RedisSeen, Seen
from bot.channels.zalo_events import GREETING, MEDIA, Incoming
from bot.channels.zalo_webhook import EVENT_MAX_AGE_SECONDS, Ack, ZaloWebhook
from tests.fakes.zalo import FakeZalo

FAKE = FakeZalo()
USER = "6142494823615430163"
REDIS = {"host": "127.0.0.1", "port": 6379, "db": 15}


class Dialogue:
    """Stands for Rasa: what reached it."""

    def __init__(self) -> None:
        self.received: list[Incoming] = []

    async def __call__(self, incoming: Incoming) -> None:
        self.received.append(incoming)


def post(hook: ZaloWebhook, body: bytes, signature: str | None) -> Ack:
    async def main() -> Ack:
        ack = await hook.receive(signature, body)
        await asyncio.gather(*hook.tasks)  # the background work, finished for the assertions
        return ack

    return asyncio.run(main())


def post_event(hook: ZaloWebhook, event: dict[str, Any]) -> Ack:
    body, headers = FAKE.sign(event)
    return post(hook, body, headers["X-ZEvent-Signature"])


def webhook(seen: Seen | None = None) -> tuple[ZaloWebhook, Dialogue]:
    dialogue = Dialogue()
    return ZaloWebhook(FAKE.app_id, FAKE.oa_secret_key, seen or MemorySeen(), dialogue), dialogue


def test_a_signed_message_is_acknowledged_and_reaches_the_dialogue() -> None:
    hook, dialogue = webhook()

    ack = post_event(hook, FAKE.text_event(USER, "làm căn cước cần gì"))

    assert ack == Ack(200, {"status": "accepted"})
    assert [(i.sender_id, i.text) for i in dialogue.received] == [
        (f"zalo-{USER}", "làm căn cước cần gì")
    ]


def _forged(how: str) -> tuple[bytes, str | None]:
    event = FAKE.text_event(USER, "xin chào")
    body, headers = FAKE.sign(event)
    signature = headers["X-ZEvent-Signature"]
    if how == "no signature":
        return body, None
    if how == "another secret":
        return body, FAKE.sign(event, secret="guessed")[1]["X-ZEvent-Signature"]
    if how == "app secret key":
        return body, FAKE.sign(event, secret=FAKE.app_secret_key)[1]["X-ZEvent-Signature"]
    if how == "body changed":
        return body.replace("xin chào".encode(), b"/request_human"), signature
    if how == "timestamp changed":
        changed = {**event, "timestamp": str(int(event["timestamp"]) + 1)}
        return json.dumps(changed, ensure_ascii=False).encode(), signature
    if how == "another app":
        other = {**event, "app_id": "1111111111111111111"}
        body = json.dumps(other, ensure_ascii=False).encode()
        return body, FakeZalo(app_id="1111111111111111111").sign(other)[1]["X-ZEvent-Signature"]
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    ["no signature", "another secret", "app secret key", "body changed", "timestamp changed",
     "another app"],
)
def test_an_unsigned_or_forged_event_is_refused(how: str) -> None:
    hook, dialogue = webhook()
    body, signature = _forged(how)

    ack = post(hook, body, signature)

    assert ack.status == 401
    assert dialogue.received == []


@pytest.mark.parametrize("body", [b"", b"{not json", b"[]", b'"x"', b"\xff\xfe"])
def test_a_body_that_is_not_an_event_gets_400(body: bytes) -> None:
    hook, dialogue = webhook()

    assert post(hook, body, "mac=00").status == 400
    assert dialogue.received == []


@pytest.mark.parametrize(
    "event",
    [
        FAKE.echo_event(USER, "Em chào anh/chị!"),
        FAKE.receipt_event(USER, "user_seen_message"),
        FAKE.receipt_event(USER, "user_received_message"),
        {**FAKE.follow_event(USER), "event_name": "unfollow"},
    ],
    ids=["echo", "seen", "received", "unfollow"],
)
def test_echoes_and_receipts_are_acknowledged_and_dropped(event: dict[str, Any]) -> None:
    hook, dialogue = webhook()

    assert post_event(hook, event) == Ack(200, {"status": "ignored"})
    assert dialogue.received == []


@pytest.mark.parametrize(
    "event, text",
    [(FAKE.follow_event(USER), GREETING), (FAKE.media_event(USER, "sticker"), MEDIA),
     (FAKE.media_event(USER, "image"), MEDIA)],
    ids=["follow", "sticker", "image"],
)
def test_follows_and_media_reach_the_dialogue_as_payloads(
    event: dict[str, Any], text: str
) -> None:
    hook, dialogue = webhook()

    post_event(hook, event)

    assert [i.text for i in dialogue.received] == [text]


def test_a_repeated_event_reaches_the_dialogue_once() -> None:
    hook, dialogue = webhook()
    event = FAKE.text_event(USER, "tra cứu hồ sơ")

    acks = [post_event(hook, event) for _ in range(3)]

    assert [a.body["status"] for a in acks] == ["accepted", "duplicate", "duplicate"]
    assert len(dialogue.received) == 1


def test_an_event_older_than_the_repeat_memory_is_dropped() -> None:
    """A signed event replayed after its repeat record expired would be answered again."""
    hook, dialogue = webhook()
    old = FAKE.text_event(USER, "xin chào")
    old["timestamp"] = str(int((time.time() - EVENT_MAX_AGE_SECONDS - 60) * 1000))

    assert post_event(hook, old) == Ack(200, {"status": "stale"})
    assert dialogue.received == []


def test_the_answer_does_not_wait_for_the_dialogue() -> None:
    async def main() -> tuple[Ack, bool]:
        release = asyncio.Event()

        async def slow_dialogue(_incoming: Incoming) -> None:
            await release.wait()

        hook = ZaloWebhook(FAKE.app_id, FAKE.oa_secret_key, MemorySeen(), slow_dialogue)
        body, headers = FAKE.sign(FAKE.text_event(USER, "xin chào"))
        ack = await hook.receive(headers["X-ZEvent-Signature"], body)
        pending = len(hook.tasks) == 1 and not next(iter(hook.tasks)).done()
        release.set()
        await asyncio.gather(*hook.tasks)
        return ack, pending

    ack, still_working = asyncio.run(main())

    assert ack.status == 200
    assert still_working


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    try:
        redis.Redis(**REDIS, socket_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test{uuid.uuid4().hex[:8]}:zalo:seen:"
    yield prefix
    client = redis.Redis(**REDIS)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_two_rasa_processes_sharing_redis_take_a_repeated_event_once(redis_prefix: str) -> None:
    event = FAKE.text_event(USER, "tra cứu hồ sơ")
    first, first_dialogue = webhook(RedisSeen(Redis(**REDIS), redis_prefix))
    second, second_dialogue = webhook(RedisSeen(Redis(**REDIS), redis_prefix))

    post_event(first, event)
    post_event(second, event)  # Zalo's retry landed on the other process

    assert len(first_dialogue.received) + len(second_dialogue.received) == 1


def test_without_redis_a_repeat_is_still_recognised_in_the_process() -> None:
    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    hook, dialogue = webhook(RedisSeen(unreachable, "x:"))
    event = FAKE.text_event(USER, "xin chào")

    acks = [post_event(hook, event) for _ in range(2)]

    assert [a.body["status"] for a in acks] == ["accepted", "duplicate"]
    assert len(dialogue.received) == 1


def test_the_memory_of_repeats_forgets_after_its_window_and_stays_bounded() -> None:
    now = [0.0]
    seen = MemorySeen(ttl=10, max_entries=3, clock=lambda: now[0])

    async def main() -> list[bool]:
        results = [await seen.first_time("a"), await seen.first_time("a")]
        now[0] = 11
        results.append(await seen.first_time("a"))  # forgotten after the window
        for key in "bcd":
            await seen.first_time(key)
        results.append(len(seen._until) <= 3)
        return results

    assert asyncio.run(main()) == [True, False, True, True]
