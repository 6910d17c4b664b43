"""Scale-out: two Rasa instances share the Redis tracker and lock stores behind a round-robin
balancer that sends consecutive messages of one conversation to different instances. Every
conversation keeps its turns in order, none lost or doubled, its slots intact across instances;
two messages of one conversation arriving at both instances at once are both kept (the shared
lock store); when one instance is killed, the other carries the conversations on."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from scripts.balancer import RoundRobin, round_robin
from scripts.stack import Stack, free_port
from tests.conftest import rest_say

pytestmark = pytest.mark.e2e

CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs supplement; CCCD 079203001234
# (message, a fact its answer must hold): the fee turn is answered only if the procedure in focus,
# a slot set by the other instance, came across
BIRTH = [
    ("xin chào", "trợ lý ảo"),
    ("đăng ký khai sinh cần giấy tờ gì", "Giấy chứng sinh"),
    ("lệ phí bao nhiêu?", "Lệ phí Đăng ký khai sinh"),
]

Send = Callable[[str, str], list[dict[str, Any]]]


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


@pytest.fixture(scope="module")
def instances(stack: Stack) -> Iterator[list[str]]:
    replica = stack.add_rasa(free_port())
    yield [stack.config.rasa_url, replica.health_url.rstrip("/")]
    if any(s.name == replica.name for s in stack.services):
        stack.remove(replica.name)


@pytest.fixture
def balanced(instances: list[str]) -> Iterator[tuple[Send, RoundRobin]]:
    with round_robin(instances) as (url, balancer):
        yield rest_say(url), balancer


def tracker(rasa_url: str, token: str, sender: str) -> dict[str, Any]:
    response = httpx.get(
        f"{rasa_url}/conversations/{sender}/tracker", params={"token": token}, timeout=10
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def turns(events: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Each user message with how many bot messages followed it before the next one."""
    out: list[tuple[str, int]] = []
    for event in events:
        if event.get("event") == "user":
            out.append((str(event.get("text")), 0))
        elif event.get("event") == "bot" and out:
            out[-1] = (out[-1][0], out[-1][1] + 1)
    return out


def test_concurrent_conversations_keep_their_turns_across_instances(
    stack: Stack, instances: list[str], balanced: tuple[Send, RoundRobin]
) -> None:
    send, balancer = balanced
    senders = [f"scale-{i:02d}-{threading.get_ident() % 10_000}" for i in range(24)]
    wrong: list[str] = []

    def converse(sender: str) -> None:
        for message, fact in BIRTH:
            answer = texts(send(sender, message))
            if fact not in answer:
                wrong.append(f"{sender} {message!r}: {answer[:120]!r}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(converse, senders))

    assert wrong == []
    for sender in senders:
        route = balancer.routes[sender]
        assert route == [instances[i % 2] for i in range(len(BIRTH))]  # alternating
        kept = turns(tracker(instances[0], stack.token, sender)["events"])
        assert [text for text, _ in kept] == [message for message, _ in BIRTH]
        assert all(replies >= 1 for _, replies in kept), kept


def test_a_form_begun_on_one_instance_is_finished_on_the_other(
    balanced: tuple[Send, RoundRobin], sender: str
) -> None:
    send, balancer = balanced

    assert "mã hồ sơ" in texts(send(sender, "tra cứu hồ sơ"))
    assert "CCCD" in texts(send(sender, CODE))
    answer = texts(send(sender, "079203001234"))

    assert CODE in answer
    assert "Cần bổ sung" in answer
    assert len(set(balancer.routes[sender])) == 2


def test_messages_of_one_conversation_at_both_instances_at_once_are_all_kept(
    stack: Stack, instances: list[str]
) -> None:
    """Without a lock shared by the instances, each would save its own copy of the tracker and
    one of the two messages would vanish from the conversation."""
    senders = [f"race-{i}-{free_port()}" for i in range(6)]
    rounds = 3

    def pair(sender: str, round_: int) -> None:
        barrier = threading.Barrier(2)

        def one(url: str, text: str) -> None:
            barrier.wait()
            assert rest_say(url)(sender, text), f"no answer to {text!r}"

        with ThreadPoolExecutor(max_workers=2) as both:
            futures = [
                both.submit(one, url, f"xin chào {round_}-{n}")
                for n, url in enumerate(instances)
            ]
            for future in futures:
                future.result()

    with ThreadPoolExecutor(max_workers=6) as pool:
        for round_ in range(rounds):
            list(pool.map(pair, senders, [round_] * len(senders)))

    for sender in senders:
        kept = turns(tracker(instances[1], stack.token, sender)["events"])
        said = sorted(text for text, _ in kept)
        assert said == sorted(f"xin chào {r}-{n}" for r in range(rounds) for n in range(2))
        assert all(replies >= 1 for _, replies in kept), kept


def test_when_an_instance_is_killed_the_other_carries_the_conversations_on(
    stack: Stack, instances: list[str], balanced: tuple[Send, RoundRobin]
) -> None:
    send, balancer = balanced
    senders = [f"survivor-{i}-{free_port()}" for i in range(6)]
    for sender in senders:  # the greeting on one instance, the documents on the other
        for message, fact in BIRTH[:2]:
            assert fact in texts(send(sender, message))

    replica = next(s.name for s in stack.services if s.health_url == instances[1] + "/")
    stack.remove(replica, kill=True)
    answered_by_replica = balancer.hits[instances[1]]

    after = [BIRTH[2], ("mất mấy ngày?", "ngày")]  # the second is the dead instance's turn
    for sender in senders:
        for message, fact in after:
            assert fact in texts(send(sender, message))
        kept = turns(tracker(instances[0], stack.token, sender)["events"])
        assert [text for text, _ in kept] == [m for m, _ in BIRTH] + [after[1][0]]
        assert all(replies >= 1 for _, replies in kept), kept
    assert balancer.hits[instances[1]] == answered_by_replica
