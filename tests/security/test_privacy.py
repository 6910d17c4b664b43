"""Personal data, as the issue asks: masked in every log line of a test run, and erased on request
by sender id everywhere it is stored, checked afterwards for leftovers (real stack, real Redis)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text

from connectors.applications.ratelimit import client_key
from scripts.privacy import forget_everywhere
from scripts.stack import Stack
from tests.e2e.conftest import Say

# invented, but shaped like a real citizen's: they must not appear in any log line
PLANTED_ID = "079203004321"
PLANTED_ID_DASHED = "079-203-008-888"
PLANTED_PHONE = "0938 765 432"
PLANTED_PHONE_DIGITS = "0938765432"


def _files(log_dir: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(log_dir.glob("*.log")):
        yield path.name, path.read_text(encoding="utf-8", errors="replace")


def _digits_only(text_: str) -> str:
    return re.sub(r"[\s.\-]", "", text_)


def _leave_traces(say: Say, sender: str) -> None:
    """A citizen who asks for an officer, files a complaint and looks up a dossier, typing their
    ID number and phone along the way."""
    # a question the action server sends on to the procedure search (in a logged URL, "+" for
    # spaces: the second probe found ID numbers there in clear)
    say(sender, f"thủ tục cấp lại căn cước cho {PLANTED_ID} và {PLANTED_ID_DASHED}")
    say(sender, f"cho tôi gặp cán bộ, số của tôi là {PLANTED_PHONE}")
    say(sender, "tôi muốn phản ánh đèn đường hỏng")
    say(sender, "Số 12 đường Mẫu, phường Trung Tâm")
    say(sender, PLANTED_PHONE)
    say(sender, "/affirm")
    say(sender, f"tra cứu hồ sơ 000.00.30.H56-261115-0012 cccd {PLANTED_ID}")
    say(sender, "cảm ơn")


def _sql_dump(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            return " ".join(
                repr(row)
                for table in ("handoff", "rating", "feedback")
                for row in db.execute(text(f"SELECT * FROM {table}"))
            )
    finally:
        engine.dispose()


def _redis_dump(stack: Stack) -> list[bytes]:
    store = redis.Redis.from_url(stack.config.redis_url)
    prefix = "".join(ch for ch in stack.config.redis_key_prefix if ch.isalnum())
    keys = [*store.scan_iter(f"{stack.config.redis_key_prefix}*"), *store.scan_iter(f"{prefix}*")]
    return keys + [store.get(k) or b"" for k in keys if store.type(k) == b"string"]


def test_no_log_line_carries_a_citizens_id_number_or_phone(
    stack: Stack, say: Say, sender: str
) -> None:
    _leave_traces(say, sender)

    logs = dict(_files(stack.config.log_dir))
    assert set(logs) >= {"connectors.log", "actions.log", "rasa.log"}
    for name, content in logs.items():
        assert PLANTED_ID not in _digits_only(content), name
        assert _digits_only(PLANTED_ID_DASHED) not in _digits_only(content), name
        assert PLANTED_PHONE_DIGITS not in _digits_only(content), name


def test_a_citizens_data_is_erased_everywhere_on_request(
    stack: Stack, say: Say
) -> None:
    citizen = f"citizen-{uuid.uuid4().hex[:10]}"
    neighbour = f"citizen-{uuid.uuid4().hex[:10]}"
    _leave_traces(say, citizen)
    _leave_traces(say, neighbour)
    before = b" ".join(_redis_dump(stack))
    assert citizen.encode() in before  # the tracker holds the conversation
    assert citizen in _sql_dump(stack.config.database_url)  # the handoff and the complaint

    counts = forget_everywhere(stack.config, citizen)

    assert counts["trackers"] >= 1 and counts["handoffs"] == 1 and counts["feedback"] == 1
    # leftovers: no key or value in Redis, no row in the database names the conversation
    after = _redis_dump(stack)
    assert not [k for k in after if citizen.encode() in k]
    assert not [v for v in after if citizen.encode() in v]
    assert not [k for k in after if client_key("id:" + citizen).encode() in k]
    assert citizen not in _sql_dump(stack.config.database_url)
    # Rasa itself no longer knows the conversation: a fresh tracker, no event of the citizen
    tracker = httpx.get(
        f"{stack.config.rasa_url}/conversations/{citizen}/tracker",
        params={"token": stack.token}, timeout=10,
    ).json()
    assert not [e for e in tracker["events"] if e.get("event") == "user"]
    # the neighbour's conversation is untouched
    assert neighbour in _sql_dump(stack.config.database_url)
    assert neighbour.encode() in b" ".join(_redis_dump(stack))


def test_rasa_keeps_a_conversation_no_longer_than_the_retention_period(
    stack: Stack, say: Say, sender: str
) -> None:
    """The tracker's Redis key carries the retention period as its expiry (set by every save)."""
    say(sender, "xin chào")
    store = redis.Redis.from_url(stack.config.redis_url)
    prefix = "".join(ch for ch in stack.config.redis_key_prefix if ch.isalnum())
    ttl = store.ttl(f"{prefix}tracker:tracker:{sender}")
    expected = stack.config.retention_days * 86_400
    assert expected - 60 <= ttl <= expected
