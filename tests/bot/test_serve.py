"""The Rasa launcher refuses a token in the command line and an open HTTP API."""

from __future__ import annotations

import pytest

from bot import serve


@pytest.mark.parametrize(
    "argv, token",
    [
        (["--enable-api", "--auth-token", "s3cret"], "s3cret"),
        (["--enable-api", "--auth-token=s3cret"], "s3cret"),
        (["--auth-token", "s3cret"], ""),
        (["--enable-api"], ""),  # the HTTP API without a token would be open to anyone
        (["--enable-api"], "   "),
    ],
)
def test_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], token: str
) -> None:
    monkeypatch.setenv("RASA_AUTH_TOKEN", token)

    assert serve.main(argv) == serve.USAGE_ERROR
    assert "RASA_AUTH_TOKEN" in capsys.readouterr().err
