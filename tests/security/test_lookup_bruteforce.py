"""Finding 3 of issue 10, replayed against the running stack: the last four digits of a dossier's
CCCD could be brute-forced.

The look-up limit counted per ``X-Client-Id`` (the caller's choice) or per chat sender: with a
fresh one on every request, 300 guesses got no 429 and found the dossier in 0.7 s. Now a code is
locked after 10 failed look-ups, whoever asks, and stays locked for the right digits too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from connectors.applications.demo import known_dossiers
from scripts.stack import Stack
from tests.e2e.conftest import Say

pytestmark = pytest.mark.e2e

DOSSIERS = {d.code: d for d in known_dossiers()}
OVER_HTTP = DOSSIERS["000.00.00.H56-261119-0031"]  # building permit, CCCD …2345
IN_THE_CHAT = DOSSIERS["000.00.31.H56-261118-0007"]  # permanent residence, CCCD …5678
TRIES = 300
CODE_FAILURES = 10  # the connectors' default per-code limit


def guesses(right: str, count: int) -> list[str]:
    """A brute force's guesses, the right digits half-way: without a limit it finds them."""
    wrong = (f"{n:04d}" for n in range(10_000) if f"{n:04d}" != right)
    tried = [next(wrong) for _ in range(count - 1)]
    return [*tried[: count // 2], right, *tried[count // 2:]]


def texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


@pytest.fixture
def unlocked_afterwards(stack: Stack) -> Iterator[None]:
    """The stack is shared with the other end-to-end tests: the codes locked here, and the count
    of failures over all codes, are cleared after the test (they live in Redis)."""
    yield
    client = redis.Redis.from_url(stack.config.redis_url)
    try:
        keys = list(client.scan_iter(match=f"{stack.config.redis_key_prefix}:ratelimit:lookup-*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def test_fresh_client_ids_get_429_after_ten_failures_and_never_the_dossier(
    stack: Stack, connectors_front: str, unlocked_afterwards: None
) -> None:
    """With two connectors instances the guesses alternate between them: the failures they
    count and the lock they set are one, in Redis."""
    statuses: list[int] = []
    with httpx.Client(base_url=connectors_front, timeout=10) as http:
        for guess in guesses(OVER_HTTP.id_number[-4:], TRIES):
            response = http.post(
                "/api/v1/applications/lookup",
                json={"code": OVER_HTTP.code, "id_number": guess},
                headers={
                    "X-Client-Id": f"attacker-{uuid.uuid4().hex}",
                    "X-Service-Token": stack.secrets["CONNECTORS_SERVICE_TOKEN"],
                },
            )
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) > 0

    assert 429 in statuses, f"no 429 in {TRIES} guesses with fresh client ids"
    first_refusal = statuses.index(429)
    assert first_refusal <= CODE_FAILURES
    assert statuses[:first_refusal] == [404] * first_refusal
    assert set(statuses[first_refusal:]) == {429}  # the right digits too: nothing learned
    assert 200 not in statuses


def test_a_new_chat_sender_for_each_try_meets_the_locked_code(
    say_front: Say, unlocked_afterwards: None
) -> None:
    """With two instances each try's code and digits reach different instances: the form's
    progress (tracker store) and the code's lockout (the connectors' Redis) hold across them."""
    say = say_front
    answers: list[str] = []
    # 7 wrong tries (neither …5678 of the CCCD nor …3456 of the phone), then the right digits;
    # each try with 4 digits costs two look-ups (the CCCD's, then the phone's)
    tries = ["0000", "1111", "2222", "3333", "4444", "6666", "7777", IN_THE_CHAT.id_number[-4:]]
    for guess in tries:
        sender = f"attacker-{uuid.uuid4().hex[:12]}"  # a new conversation every time
        say(sender, f"tra cứu hồ sơ {IN_THE_CHAT.code}")
        answers.append(texts(say(sender, guess)))

    locked = [i for i, answer in enumerate(answers) if "tạm khóa" in answer]
    assert locked, answers
    assert locked[0] <= CODE_FAILURES // 2, answers  # 5 tries = 10 failed look-ups
    assert locked == list(range(locked[0], len(answers)))
    last = answers[-1]  # the right digits, while the code is locked
    assert "thử lại sau" in last and "Bộ phận một cửa" in last
    assert "Tình trạng" not in last and "thường trú" not in last.lower()
