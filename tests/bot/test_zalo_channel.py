"""The channel's settings and its output side: bot messages go out to the right Zalo user, in
order, and no send failure ever reaches Rasa (which would lose the turn)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo import ZaloOutput
from bot.channels.zalo_client import Outcome, ZaloClient
from bot.channels.zalo_http import LazySession
from bot.channels.zalo_settings import DEFAULT_API_URL, RedisSettings, zalo_settings
from bot.channels.zalo_token_store import FileTokenStore, TokenPair
from bot.channels.zalo_tokens import TokenEndpoint, TokenManager
from tests.fakes.zalo import FakeZalo

USER = "6142494823615430163"
LONG = "\n\n".join(
    f"Đoạn {i}: " + " ".join(["Giấy tờ cần mang theo khi nộp hồ sơ."] * 25) for i in range(4)
)


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo() as zalo:
        yield zalo


def say(fake: FakeZalo, tmp_path: Path, recipient: str, *messages: dict[str, Any]) -> None:
    async def main() -> None:
        http = LazySession()
        tokens = TokenManager(
            FileTokenStore(tmp_path / "tokens.json"),
            TokenEndpoint(http, fake.origin, fake.app_id, fake.app_secret_key),
            TokenPair(fake.first_access_token, fake.first_refresh_token, None, "seed"),
        )
        output = ZaloOutput(ZaloClient(http, fake.origin, tokens, retry_delays=(0.01,)))
        try:
            for message in messages:
                await output.send_response(recipient, dict(message))
        finally:
            await http.close()

    asyncio.run(main())


def test_a_long_answer_with_buttons_arrives_in_order_buttons_last(
    fake: FakeZalo, tmp_path: Path
) -> None:
    buttons = [{"title": "Lệ phí", "payload": "/ask_fee"},
               {"title": "Nộp ở đâu", "payload": "/ask_office"}]

    say(fake, tmp_path, f"zalo-{USER}", {"text": LONG, "buttons": buttons})

    sent = fake.sent_to(USER)
    assert len(sent) == 2 and all(len(s.text) <= 2000 for s in sent)
    assert "\n\n".join(s.text for s in sent) == LONG
    assert sent[0].buttons == []
    assert [(b["type"], b["payload"]) for b in sent[1].buttons] == [
        ("oa.query.hide", "/ask_fee"), ("oa.query.hide", "/ask_office")
    ]


def test_a_sender_of_another_channel_gets_nothing_through_zalo(
    fake: FakeZalo, tmp_path: Path
) -> None:
    say(fake, tmp_path, "sio-0123456789abcdef", {"text": "Dạ."})

    assert fake.calls["send"] == 0


def test_a_failed_piece_stops_the_rest_of_that_message_only(
    fake: FakeZalo, tmp_path: Path
) -> None:
    fake.fail_next(-201)  # the first piece refused

    say(fake, tmp_path, f"zalo-{USER}", {"text": LONG}, {"text": "Anh/chị cần gì thêm không ạ?"})

    assert [s.text for s in fake.sent_to(USER)] == ["Anh/chị cần gì thêm không ạ?"]


class Exploding(ZaloClient):
    def __init__(self) -> None:
        pass

    async def send(self, user_id: str, message: dict[str, Any]) -> Outcome:
        raise RuntimeError("a bug in a send")


def test_no_failure_in_a_send_reaches_rasa() -> None:
    asyncio.run(ZaloOutput(Exploding()).send_response(f"zalo-{USER}", {"text": "Dạ."}))


def test_without_settings_the_channel_names_what_is_missing() -> None:
    settings = zalo_settings({})

    assert not settings.configured
    assert settings.missing == ["ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET_KEY"]
    assert settings.api_url == DEFAULT_API_URL
    assert settings.redis is None


def test_settings_from_the_environment() -> None:
    env = {
        **FakeZalo().channel_env(),
        "ZALO_API_URL": "http://127.0.0.1:9/",
        "REDIS_HOST": "10.0.0.5", "REDIS_PORT": "6380", "REDIS_DB": "2", "REDIS_PASSWORD": "",
        "REDIS_KEY_PREFIX": "hue:", "ZALO_CONCURRENCY": "3",
    }

    settings = zalo_settings(env)

    assert settings.configured
    assert settings.api_url == "http://127.0.0.1:9"
    assert settings.redis == RedisSettings("10.0.0.5", 6380, 2, None)
    assert settings.key("tokens") == f"hue:zalo:{settings.app_id}:tokens"
    assert settings.concurrency == 3


@pytest.mark.parametrize("raw, concurrency", [("", 8), ("0", 1), ("-2", 1), ("many", 8)])
def test_a_concurrency_that_is_not_a_positive_number_is_not_taken(
    raw: str, concurrency: int
) -> None:
    assert zalo_settings({"ZALO_CONCURRENCY": raw}).concurrency == concurrency


def test_the_seed_changes_with_the_first_refresh_token_and_never_holds_it() -> None:
    env = FakeZalo().channel_env()
    seed = zalo_settings(env).seed

    assert seed == zalo_settings(dict(env)).seed
    assert seed != zalo_settings({**env, "ZALO_REFRESH_TOKEN": "another"}).seed
    assert env["ZALO_REFRESH_TOKEN"] not in seed
    assert zalo_settings({}).seed == ""
