"""The request id: what a caller may send, and the log lines that carry it."""

from __future__ import annotations

import logging

import pytest

from vnid import request_id


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("5f0c2a9e-1b7d-4c1e-9a54-2d5b1c0e7f11", True),  # a UUID, as nginx's $request_id
        ("e2e-obs-1234", True),
        ("abc.def:ghi_jkl", True),
        ("short", False),  # under 8 characters
        ("x" * 65, False),
        ("has space 12345", False),
        ("percent%s12345", False),  # would break a log format
        ("cccd 079203001234", False),
        ("079203001234", False),  # an ID number would reach the log unredacted
        ("0912345678-req", False),
        ("", False),
        (None, False),
    ],
)
def test_a_plain_token_is_kept_anything_else_replaced(sent: str | None, kept: bool) -> None:
    rid = request_id.accept(sent)

    assert (rid == sent) is kept
    assert request_id.valid(rid) == rid  # whatever comes out is a valid id


def test_fresh_ids_differ_and_are_always_valid() -> None:
    fresh = [request_id.new() for _ in range(2000)]  # some random hex runs look like phones

    assert len(set(fresh)) == len(fresh)
    assert all(request_id.valid(rid) == rid for rid in fresh)


def test_log_lines_made_while_a_request_is_current_end_with_its_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request_id.install()
    log = logging.getLogger("tests.request_id")
    with caplog.at_level(logging.INFO):
        log.info("before")
        token = request_id.current.set("req-12345678")
        try:
            log.info("looked up %s", "khai sinh")
        finally:
            request_id.current.reset(token)
        log.info("after")

    assert [r.getMessage() for r in caplog.records] == [
        "before", "looked up khai sinh request_id=req-12345678", "after",
    ]
    assert [getattr(r, "request_id", None) for r in caplog.records] == [
        None, "req-12345678", None,
    ]
