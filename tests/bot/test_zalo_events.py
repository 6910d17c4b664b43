"""Which Zalo events reach the dialogue and as what; sender ids that no other door can use."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.rest_body import BodyError, parse_rest_body
from bot.channels.zalo_events import (
    GREETING,
    MEDIA,
    ZALO_PREFIX,
    Incoming,
    read_event,
    sender_id,
    user_id,
)
from tests.fakes.zalo import FakeZalo

FAKE = FakeZalo()
USER = "6142494823615430163"


def _without(event: dict[str, Any], *path: str) -> dict[str, Any]:
    copy = {**event, **{k: dict(v) for k, v in event.items() if isinstance(v, dict)}}
    target: Any = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


@pytest.mark.parametrize(
    "event, text",
    [
        (FAKE.text_event(USER, "đăng ký khai sinh cần gì"), "đăng ký khai sinh cần gì"),
        # a tap on an oa.query.hide button: the payload comes back as text
        (FAKE.text_event(USER, '/ask_fee{"procedure_code": "1.001193"}'),
         '/ask_fee{"procedure_code": "1.001193"}'),
        (FAKE.text_event(USER, "/check_status", event_name="user_click_button"), "/check_status"),
        (FAKE.follow_event(USER), GREETING),
        (FAKE.media_event(USER, "image"), MEDIA),
        (FAKE.media_event(USER, "sticker"), MEDIA),
        (FAKE.media_event(USER, "gif"), MEDIA),
        (FAKE.media_event(USER, "file"), MEDIA),
        (FAKE.media_event(USER, "audio"), MEDIA),
        (FAKE.media_event(USER, "video"), MEDIA),
        (FAKE.media_event(USER, "location"), MEDIA),
        (FAKE.media_event(USER, "link"), MEDIA),
        (FAKE.media_event(USER, "business_card"), MEDIA),
    ],
)
def test_events_for_the_dialogue(event: dict[str, Any], text: str) -> None:
    incoming = read_event(event)

    assert incoming is not None
    assert (incoming.text, incoming.user_id, incoming.sender_id) == (text, USER, f"zalo-{USER}")


@pytest.mark.parametrize(
    "event",
    [
        FAKE.echo_event(USER, "Em chào anh/chị!"),  # the OA's own message: never answered
        {**FAKE.echo_event(USER, "x"), "event_name": "oa_send_image"},
        FAKE.receipt_event(USER, "user_seen_message"),
        FAKE.receipt_event(USER, "user_received_message"),
        {**FAKE.text_event(USER, "x"), "event_name": "anonymous_send_text"},
        {**FAKE.follow_event(USER), "event_name": "unfollow"},
        {**FAKE.text_event(USER, "x"), "event_name": "user_reacted_message"},
        FAKE.text_event(USER, "   "),
        _without(FAKE.text_event(USER, "x"), "sender"),
        _without(FAKE.text_event(USER, "x"), "message", "text"),
        _without(FAKE.follow_event(USER), "follower"),
        {**FAKE.text_event(USER, "x"), "sender": {"id": FAKE.oa_id}},  # from the OA itself
        {**FAKE.text_event(USER, "x"), "event_name": None},
    ],
)
def test_events_acknowledged_and_dropped(event: dict[str, Any]) -> None:
    assert read_event(event) is None


def test_a_repeat_of_a_message_has_the_same_key_and_another_message_another() -> None:
    event = FAKE.text_event(USER, "xin chào")
    again = dict(event)
    other = FAKE.text_event(USER, "xin chào")

    first, repeat, second = (read_event(e) for e in (event, again, other))

    assert isinstance(first, Incoming) and isinstance(repeat, Incoming)
    assert isinstance(second, Incoming)
    assert first.key == repeat.key != second.key


def test_ids_stay_strings_even_when_sent_as_numbers() -> None:
    event = {**FAKE.text_event(USER, "x"), "sender": {"id": int(USER)}}

    incoming = read_event(event)

    assert incoming is not None and incoming.user_id == USER


@pytest.mark.parametrize(
    "sender, user",
    [(f"zalo-{USER}", USER), ("zalo-", None), ("sio-abc", None), ("citizen-1", None)],
)
def test_a_sender_id_names_a_zalo_user_only_with_the_prefix(sender: str, user: str | None) -> None:
    assert user_id(sender) == user
    if user is not None:
        assert sender_id(user) == sender


def test_the_rest_channel_refuses_to_speak_as_a_zalo_user() -> None:
    body = f'{{"sender": "{ZALO_PREFIX}{USER}", "message": "xin chào"}}'.encode()

    with pytest.raises(BodyError) as refused:
        parse_rest_body("application/json", body)

    assert refused.value.status == 400
    assert refused.value.detail == "Mã người gửi (sender) này thuộc một người dùng Zalo."
