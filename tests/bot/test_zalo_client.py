"""Sending through the OA against a fake Zalo (a real HTTP server on loopback): an expired token
is refreshed and the send tried once more, "slow down" answers and outages are retried a few
times, a citizen Zalo no longer lets the OA write to is not retried, and nothing ever raises."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.zalo_client import Outcome, ZaloClient
from bot.channels.zalo_http import LazySession
from bot.channels.zalo_token_store import FileTokenStore, TokenPair
from bot.channels.zalo_tokens import TokenEndpoint, TokenManager
from tests.fakes.zalo import FakeZalo

USER = "6142494823615430163"
TEXT = {"text": "Dạ, lệ phí đăng ký khai sinh đúng hạn được miễn."}
# two retries, quick: the schedule itself is not what these tests are about
DELAYS = (0.01, 0.02)


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo(slow_seconds=2.0) as zalo:
        yield zalo


def send(
    fake: FakeZalo, tmp_path: Path, *messages: dict[str, Any], timeout: float = 10.0
) -> list[Outcome]:
    async def main() -> list[Outcome]:
        http = LazySession(aiohttp.ClientTimeout(total=timeout, connect=timeout))
        tokens = TokenManager(
            FileTokenStore(tmp_path / "tokens.json"),
            TokenEndpoint(http, fake.origin, fake.app_id, fake.app_secret_key),
            TokenPair(fake.first_access_token, fake.first_refresh_token, None, "seed"),
        )
        client = ZaloClient(http, fake.origin, tokens, retry_delays=DELAYS)
        try:
            return [await client.send(USER, m) for m in messages]
        finally:
            await http.close()

    return asyncio.run(main())


def errors(fake: FakeZalo) -> list[int]:
    return [s.error for s in fake.attempts_to(USER)]


def test_a_message_reaches_the_user_with_the_access_token(fake: FakeZalo, tmp_path: Path) -> None:
    assert send(fake, tmp_path, TEXT) == [Outcome.SENT]

    (sent,) = fake.sent_to(USER)
    assert sent.message == TEXT
    assert sent.access_token == fake.first_access_token


@pytest.mark.parametrize("code", [-216, -124])
def test_a_refused_token_is_refreshed_and_the_message_sent_once_more(
    fake: FakeZalo, tmp_path: Path, code: int
) -> None:
    fake.fail_next(code)

    assert send(fake, tmp_path, TEXT) == [Outcome.SENT]

    assert errors(fake) == [code, 0]
    assert [r.accepted for r in fake.refreshes] == [True]
    assert fake.sent_to(USER)[0].access_token != fake.first_access_token


def test_tokens_expiring_between_two_messages(fake: FakeZalo, tmp_path: Path) -> None:
    async def main() -> list[Outcome]:
        http = LazySession()
        tokens = TokenManager(
            FileTokenStore(tmp_path / "tokens.json"),
            TokenEndpoint(http, fake.origin, fake.app_id, fake.app_secret_key),
            TokenPair(fake.first_access_token, fake.first_refresh_token, None, "seed"),
        )
        client = ZaloClient(http, fake.origin, tokens, retry_delays=DELAYS)
        try:
            first = await client.send(USER, TEXT)
            fake.expire_access_tokens()
            return [first, await client.send(USER, TEXT), await client.send(USER, TEXT)]
        finally:
            await http.close()

    assert asyncio.run(main()) == [Outcome.SENT] * 3
    assert errors(fake) == [0, -216, 0, 0]
    assert [r.accepted for r in fake.refreshes] == [True]  # the new token serves the third too


def test_a_token_refused_again_after_a_refresh_is_not_refreshed_in_a_loop(
    fake: FakeZalo, tmp_path: Path
) -> None:
    fake.fail_next(-216, -216, -216)

    assert send(fake, tmp_path, TEXT) == [Outcome.FAILED]

    assert errors(fake) == [-216, -216]
    assert len(fake.refreshes) == 1


@pytest.mark.parametrize("code", [-32, -100])
def test_slow_down_answers_are_retried(fake: FakeZalo, tmp_path: Path, code: int) -> None:
    fake.fail_next(code, code)

    assert send(fake, tmp_path, TEXT) == [Outcome.SENT]

    assert errors(fake) == [code, code, 0]


def test_retries_end(fake: FakeZalo, tmp_path: Path) -> None:
    fake.fail_next(*[-32] * 10)

    assert send(fake, tmp_path, TEXT, TEXT) == [Outcome.FAILED, Outcome.FAILED]

    assert errors(fake) == [-32] * 2 * (1 + len(DELAYS))


@pytest.mark.parametrize("code", [-230, -201, -213])
def test_refusals_that_a_retry_cannot_change_are_not_retried(
    fake: FakeZalo, tmp_path: Path, code: int
) -> None:
    fake.fail_next(code)

    assert send(fake, tmp_path, TEXT) == [Outcome.FAILED]

    assert errors(fake) == [code]
    assert fake.refreshes == []


def test_server_errors_are_retried(fake: FakeZalo, tmp_path: Path) -> None:
    fake.set_mode("error")

    assert send(fake, tmp_path, TEXT) == [Outcome.FAILED]

    assert fake.calls["send"] == 1 + len(DELAYS)


def test_zalo_down_fails_the_message_without_an_exception(
    fake: FakeZalo, tmp_path: Path
) -> None:
    fake.set_mode("down")

    assert send(fake, tmp_path, TEXT) == [Outcome.FAILED]

    fake.set_mode("ok")
    assert send(fake, tmp_path, TEXT) == [Outcome.SENT]  # and the next one goes out


def test_a_send_that_timed_out_is_not_sent_again(fake: FakeZalo, tmp_path: Path) -> None:
    """Zalo may have taken it: sending again could deliver it twice."""
    fake.set_mode("slow")

    assert send(fake, tmp_path, TEXT, timeout=0.5) == [Outcome.FAILED]

    assert fake.calls["send"] == 1


def test_a_message_zalo_refuses_as_invalid_is_not_retried(
    fake: FakeZalo, tmp_path: Path
) -> None:
    assert send(fake, tmp_path, {"text": "x" * 2001}) == [Outcome.FAILED]

    assert errors(fake) == [-201]
