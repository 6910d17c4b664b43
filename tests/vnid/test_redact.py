"""Log lines never carry a citizen's identifiers (issue 10: personal data masked in logs)."""

from __future__ import annotations

import logging

import pytest

from vnid import redact as redaction
from vnid.redact import redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("cccd 079203001234", "cccd [số định danh]"),
        ("CCCD: 079 203 001 234.", "CCCD: [số định danh]."),
        ("sđt 0912345678", "sđt [số điện thoại]"),
        ("goi +84 912 345 678 nhe", "goi [số điện thoại] nhe"),
        ("0084.912.345.678", "[số điện thoại]"),
        ("hồ sơ 000.00.30.H56-261115-0012 xong chưa", "hồ sơ [mã hồ sơ] xong chưa"),
        ("ma 000.00.30.h56 - 261115 - 0012", "ma [mã hồ sơ]"),
        ("tra cứu PA-261122-7K3Q9X", "tra cứu [mã phản ánh]"),
        ("email an.nguyen@example.vn", "email [email]"),
        # what the second probe found in a logged query string (spaces URL-encoded as "+")
        (
            "GET /resolve?q=cho+079203005555+v%C3%A0+079203006666",
            "GET /resolve?q=cho+[số định danh]+v%C3%A0+[số định danh]",
        ),
        ("q=079203001234+079203001234", "q=[số định danh]+[số định danh]"),
        ("cccd 079-203-008-888", "cccd [số định danh]"),
        ("q=nguyenvana%40example.com", "q=[email]"),
        # what is not personal stays readable
        ("lệ phí 50.000 đồng, 15 ngày", "lệ phí 50.000 đồng, 15 ngày"),
        ("POST /api/v1/applications/lookup 404", "POST /api/v1/applications/lookup 404"),
        ("Luật Cư trú 68/2020/QH14", "Luật Cư trú 68/2020/QH14"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.fixture
def installed() -> object:
    factory = logging.getLogRecordFactory()
    redaction.install()
    yield
    logging.setLogRecordFactory(factory)
    redaction._installed = False


def test_every_logger_is_redacted_arguments_and_tracebacks_included(
    installed: object, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("any.library")
    with caplog.at_level(logging.INFO):
        log.info("lookup for %s by %s", "079203001234", "0912345678")
        try:
            raise ValueError("bad phone 0987654321")
        except ValueError:
            log.exception("failed for %s", "000.00.30.H56-261115-0012")
    text = caplog.text
    assert "079203001234" not in text
    assert "0912345678" not in text
    assert "0987654321" not in text
    assert "261115-0012" not in text
    assert "lookup for [số định danh] by [số điện thoại]" in text
    assert "ValueError: bad phone [số điện thoại]" in text


def test_install_is_idempotent(installed: object) -> None:
    factory = logging.getLogRecordFactory()
    redaction.install()
    assert logging.getLogRecordFactory() is factory
