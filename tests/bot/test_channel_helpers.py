"""Pure helpers of the input channels: session tokens, allowed origins, the length cap, the REST
body rules. The channels themselves are exercised against a running stack in tests/security."""

from __future__ import annotations

import json

import pytest

from bot.channels.limits import (
    DEFAULT_MAX_MESSAGE_CHARS,
    TOO_LONG_PAYLOAD,
    capped,
    max_message_chars,
)
from bot.channels.origins import normalise_origin, origin_allowed, parse_origins
from bot.channels.rest_body import MAX_SENDER_CHARS, BodyError, RestMessage, parse_rest_body
from bot.channels.sessions import SESSION_PREFIX, SessionSigner, session_secret
from bot.channels.socketio import page_metadata as socket_metadata

SIGNER = SessionSigner(b"a test secret")
OTHER_SIGNER = SessionSigner(b"another secret")

# --- session tokens ------------------------------------------------------------------------------


def test_an_issued_session_verifies_with_its_own_token() -> None:
    session = SIGNER.issue()

    assert SIGNER.verify(session.session_id, session.token)
    assert SIGNER.token_for(session.session_id) == session.token


def test_issued_session_ids_differ_and_are_marked_as_the_sockets() -> None:
    issued = {SIGNER.issue().session_id for _ in range(50)}
    assert len(issued) == 50
    assert all(s.startswith(SESSION_PREFIX) for s in issued)  # the REST channel refuses these


@pytest.mark.parametrize(
    ("custom_data", "kept"),
    [
        ({"page": "/", "locale": "vi"}, {"page": "/", "locale": "vi"}),
        ('{"page": "/"}', {"page": "/"}),
        ({"x": "A" * 5000}, {}),
        ('{"x": "' + "A" * 5000 + '"}', {}),
        (["not", "a", "dict"], {}),
        ("not json", {}),
    ],
)
def test_socket_metadata_is_kept_only_when_small(custom_data: object, kept: object) -> None:
    assert socket_metadata(custom_data) == kept


_ISSUED = SIGNER.issue()


@pytest.mark.parametrize(
    "session_id, token, why",
    [
        (_ISSUED.session_id, None, "no token"),
        (_ISSUED.session_id, "", "empty token"),
        (_ISSUED.session_id, _ISSUED.token[:-1], "truncated token"),
        (_ISSUED.session_id, _ISSUED.token.upper(), "altered token"),
        (_ISSUED.session_id, SIGNER.issue().token, "another session's token"),
        (_ISSUED.session_id, OTHER_SIGNER.token_for(_ISSUED.session_id), "another secret"),
        (_ISSUED.session_id + "x", _ISSUED.token, "another session id"),
        ("", SIGNER.token_for(""), "empty session id"),
        (None, _ISSUED.token, "no session id"),
        (123, _ISSUED.token, "session id not a string"),
        (_ISSUED.session_id, ["a"], "token not a string"),
    ],
)
def test_forged_or_mismatched_tokens_are_refused(
    session_id: object, token: object, why: str
) -> None:
    assert not SIGNER.verify(session_id, token), why


@pytest.mark.parametrize(
    "environ, secret",
    [({"SESSION_SECRET": "s3cret"}, b"s3cret"), ({"SESSION_SECRET": "  s3cret \n"}, b"s3cret")],
)
def test_session_secret_comes_from_the_environment(environ: dict[str, str], secret: bytes) -> None:
    assert session_secret(environ) == secret


@pytest.mark.parametrize("environ", [{}, {"SESSION_SECRET": ""}, {"SESSION_SECRET": "  "}])
def test_without_a_session_secret_each_process_draws_its_own(environ: dict[str, str]) -> None:
    first, second = session_secret(environ), session_secret(environ)

    assert len(first) == 32
    assert first != second


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        SessionSigner(b"")


# --- allowed origins -----------------------------------------------------------------------------

ALLOWED = parse_origins(
    "http://127.0.0.1:8000, https://dichvucong.example.gov.vn ,http://localhost:8000"
)


@pytest.mark.parametrize(
    "origin, normalised",
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("HTTP://LocalHost:8000/", "http://localhost:8000"),
        ("https://dichvucong.example.gov.vn:443", "https://dichvucong.example.gov.vn"),
        ("http://example.org:80", "http://example.org"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("", None),
        ("ftp://example.org", None),
        ("http://example.org/page", None),
        ("http://example.org?x=1", None),
        ("http://user@example.org", None),
        ("http://example.org:port", None),
        ("example.org", None),
    ],
)
def test_origins_are_normalised(origin: str, normalised: str | None) -> None:
    assert normalise_origin(origin) == normalised


def test_allowed_origins_are_parsed_from_a_comma_separated_list() -> None:
    assert {
        "http://127.0.0.1:8000",
        "https://dichvucong.example.gov.vn",
        "http://localhost:8000",
    } == ALLOWED
    assert parse_origins("") == frozenset()
    assert parse_origins(" , not an origin,") == frozenset()


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("https://dichvucong.example.gov.vn", True),
        ("https://DICHVUCONG.example.gov.vn:443", True),
        (None, False),
        ("", False),
        ("null", False),  # sandboxed frames and file:// pages
        ("http://127.0.0.1:8001", False),
        ("https://127.0.0.1:8000", False),
        ("http://evil.example", False),
        ("https://dichvucong.example.gov.vn.evil.example", False),
        ("https://evil-dichvucong.example.gov.vn", False),
        ("http://localhost", False),
    ],
)
def test_only_listed_origins_are_allowed(origin: str | None, allowed: bool) -> None:
    assert origin_allowed(origin, ALLOWED) is allowed


def test_nothing_is_allowed_when_no_origin_is_configured() -> None:
    assert not origin_allowed("http://127.0.0.1:8000", frozenset())


# --- the length cap ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, limit, sent",
    [
        ("xin chào", 2000, "xin chào"),
        ("a" * 2000, 2000, "a" * 2000),
        ("a" * 2001, 2000, TOO_LONG_PAYLOAD),
        ("đ" * 200_000, 2000, TOO_LONG_PAYLOAD),
        ("", 2000, ""),
        ("abcd", 3, TOO_LONG_PAYLOAD),
    ],
)
def test_messages_over_the_limit_become_the_too_long_payload(
    text: str, limit: int, sent: str
) -> None:
    assert capped(text, limit) == sent


@pytest.mark.parametrize(
    "environ, limit",
    [
        ({}, DEFAULT_MAX_MESSAGE_CHARS),
        ({"MAX_MESSAGE_CHARS": ""}, DEFAULT_MAX_MESSAGE_CHARS),
        ({"MAX_MESSAGE_CHARS": "500"}, 500),
        ({"MAX_MESSAGE_CHARS": " 4000 "}, 4000),
        ({"MAX_MESSAGE_CHARS": "0"}, DEFAULT_MAX_MESSAGE_CHARS),
        ({"MAX_MESSAGE_CHARS": "-5"}, DEFAULT_MAX_MESSAGE_CHARS),
        ({"MAX_MESSAGE_CHARS": "lots"}, DEFAULT_MAX_MESSAGE_CHARS),
    ],
)
def test_the_limit_comes_from_max_message_chars(environ: dict[str, str], limit: int) -> None:
    assert max_message_chars(environ) == limit


def test_the_default_limit_fits_the_longest_complaint_the_portal_takes() -> None:
    assert DEFAULT_MAX_MESSAGE_CHARS == 4000


# --- REST bodies ---------------------------------------------------------------------------------

JSON = "application/json"


@pytest.mark.parametrize(
    "content_type, body, parsed",
    [
        (JSON, {"sender": "a", "message": "xin chào"}, RestMessage("a", "xin chào", None, None)),
        (
            "application/json; charset=utf-8",
            {"sender": "a", "message": ""},
            RestMessage("a", "", None, None),
        ),
        ("Application/JSON", {"sender": "a", "message": "x"}, RestMessage("a", "x", None, None)),
        (
            JSON,
            {"sender": "a", "message": "x", "metadata": {"page": "/"}, "input_channel": "zalo"},
            RestMessage("a", "x", {"page": "/"}, "zalo"),
        ),
        (
            JSON,
            {"sender": "a", "message": "x", "metadata": None},
            RestMessage("a", "x", None, None),
        ),
        (
            JSON,
            {"sender": "s" * MAX_SENDER_CHARS, "message": "x"},
            RestMessage("s" * MAX_SENDER_CHARS, "x", None, None),
        ),
    ],
)
def test_json_objects_with_a_sender_and_a_text_are_accepted(
    content_type: str, body: dict[str, object], parsed: RestMessage
) -> None:
    assert parse_rest_body(content_type, json.dumps(body).encode()) == parsed


@pytest.mark.parametrize(
    "content_type, body, status",
    [
        (None, b'{"sender": "a", "message": "x"}', 415),
        ("text/plain", b'{"sender": "a", "message": "x"}', 415),
        ("text/plain;charset=UTF-8", b'{"sender": "a", "message": "x"}', 415),
        ("application/x-www-form-urlencoded", b"sender=a&message=x", 415),
        ("multipart/form-data; boundary=x", b"--x--", 415),
        ("application/jsonp", b'{"sender": "a", "message": "x"}', 415),
        (JSON, b"", 400),
        (JSON, b"null", 400),
        (JSON, b"[]", 400),
        (JSON, b'"a string"', 400),
        (JSON, b"5", 400),
        (JSON, b"{not json", 400),
        (JSON, b"\xff\xfe", 400),
        (JSON, b'{"message": "x"}', 400),
        (JSON, b'{"sender": "", "message": "x"}', 400),
        (JSON, b'{"sender": "   ", "message": "x"}', 400),
        (JSON, b'{"sender": null, "message": "x"}', 400),
        (JSON, b'{"sender": 7, "message": "x"}', 400),
        (JSON, json.dumps({"sender": "s" * (MAX_SENDER_CHARS + 1), "message": "x"}).encode(), 400),
        (JSON, b'{"sender": "a"}', 400),
        (JSON, b'{"sender": "a", "message": 5}', 400),
        (JSON, b'{"sender": "a", "message": null}', 400),
        (JSON, b'{"sender": "a", "message": ["x"]}', 400),
        (JSON, b'{"sender": "a", "message": "x", "metadata": "page"}', 400),
        (JSON, b'{"sender": "a", "message": "x", "input_channel": 3}', 400),
        # found by the second probe: a NUL in the sender, a socket's session id used over REST
        # (no signed token needed there), 20 MB of metadata stored in the tracker on every turn
        (JSON, b'{"sender": "x3\\u0000", "message": "x"}', 400),
        (JSON, b'{"sender": "a\\nb", "message": "x"}', 400),
        (JSON, b'{"sender": "sio-0123456789abcdef0123456789abcdef", "message": "x"}', 400),
        (JSON, json.dumps({"sender": "a", "message": "x", "metadata": {"x": "A" * 5000}}).encode(),
         413),
    ],
)
def test_other_bodies_are_refused_with_a_vietnamese_detail(
    content_type: str | None, body: bytes, status: int
) -> None:
    with pytest.raises(BodyError) as refused:
        parse_rest_body(content_type, body)

    assert refused.value.status == status
    assert refused.value.detail.endswith(".")
    assert not refused.value.detail.isascii(), f"not Vietnamese: {refused.value.detail}"
