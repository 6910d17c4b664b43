"""The webhook signature: SHA-256 over app id + raw body + timestamp + OA secret key, checked in
constant time. The fake Zalo (tests/fakes/zalo.py) signs on its own, as Zalo does."""

from __future__ import annotations

import hashlib

import pytest

from bot.channels.zalo_signature import mac, signature_header, signature_valid
from tests.fakes.zalo import APP_ID, APP_SECRET_KEY, OA_SECRET_KEY, FakeZalo

BODY = (
    b'{"event_name":"user_send_text","app_id":"1234567890123456789","sender":{"id":"6142"},'
    b'"message":{"text":"Ch\xc3\xa0o","msg_id":"cb31"},"timestamp":"1699003881354"}'
)
TIMESTAMP = "1699003881354"


def test_the_mac_is_plain_sha256_of_the_four_parts_in_order() -> None:
    expected = hashlib.sha256(
        APP_ID.encode() + BODY + TIMESTAMP.encode() + OA_SECRET_KEY.encode()
    ).hexdigest()

    assert mac(APP_ID, BODY, TIMESTAMP, OA_SECRET_KEY) == expected
    assert signature_header(APP_ID, BODY, TIMESTAMP, OA_SECRET_KEY) == f"mac={expected}"


def test_an_event_signed_by_the_fake_zalo_is_valid() -> None:
    fake = FakeZalo()
    event = fake.text_event("6142494823", "thủ tục khai sinh")
    body, headers = fake.sign(event)

    assert signature_valid(
        headers["X-ZEvent-Signature"], APP_ID, body, event["timestamp"], OA_SECRET_KEY
    )


GOOD = signature_header(APP_ID, BODY, TIMESTAMP, OA_SECRET_KEY)


@pytest.mark.parametrize(
    "header, body, timestamp, secret, valid",
    [
        (GOOD, BODY, TIMESTAMP, OA_SECRET_KEY, True),
        (GOOD.upper().replace("MAC=", "mac="), BODY, TIMESTAMP, OA_SECRET_KEY, True),
        (GOOD.removeprefix("mac="), BODY, TIMESTAMP, OA_SECRET_KEY, True),  # bare hex
        (f"  {GOOD} ", BODY, TIMESTAMP, OA_SECRET_KEY, True),
        # the body re-serialised (spaces, key order) is not the body that was signed
        (GOOD, BODY.replace(b'","', b'", "'), TIMESTAMP, OA_SECRET_KEY, False),
        (GOOD, BODY.replace(b"Ch\xc3\xa0o", b"Chao"), TIMESTAMP, OA_SECRET_KEY, False),
        (GOOD, BODY, "1699003881355", OA_SECRET_KEY, False),
        # the App Secret Key is for the token endpoint, not for webhooks
        (signature_header(APP_ID, BODY, TIMESTAMP, APP_SECRET_KEY), BODY, TIMESTAMP,
         OA_SECRET_KEY, False),
        (GOOD, BODY, TIMESTAMP, "", False),  # no secret configured: nothing is valid
        (None, BODY, TIMESTAMP, OA_SECRET_KEY, False),
        ("", BODY, TIMESTAMP, OA_SECRET_KEY, False),
        ("mac=", BODY, TIMESTAMP, OA_SECRET_KEY, False),
        ("mac=đ" + "0" * 63, BODY, TIMESTAMP, OA_SECRET_KEY, False),  # not ASCII: no exception
        ("sha256=" + GOOD.removeprefix("mac="), BODY, TIMESTAMP, OA_SECRET_KEY, False),
    ],
)
def test_signature_check(
    header: str | None, body: bytes, timestamp: str, secret: str, valid: bool
) -> None:
    assert signature_valid(header, APP_ID, body, timestamp, secret) is valid
