"""The overload gate: how many messages a Rasa process takes at once, and what it says beyond."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.channels.domain_text import NOT_ANSWERED
from bot.channels.overload import DEFAULT_MAX_IN_FLIGHT, Gate, busy_texts, max_in_flight


@pytest.mark.parametrize(
    ("raw", "limit"),
    [
        (None, DEFAULT_MAX_IN_FLIGHT),
        ("", DEFAULT_MAX_IN_FLIGHT),
        ("5", 5),
        (" 12 ", 12),
        ("0", 0),  # no limit
        ("-3", 0),
        ("many", DEFAULT_MAX_IN_FLIGHT),
    ],
)
def test_the_limit_comes_from_the_environment(raw: str | None, limit: int) -> None:
    environ = {} if raw is None else {"RASA_MAX_IN_FLIGHT": raw}

    assert max_in_flight(environ) == limit


def test_the_gate_refuses_beyond_the_limit_and_takes_again_once_one_leaves() -> None:
    gate = Gate(2)

    assert [gate.enter(), gate.enter(), gate.enter()] == [True, True, False]
    gate.leave()
    assert gate.enter() is True
    assert (gate.in_flight, gate.refused) == (2, 1)


def test_a_gate_without_limit_never_refuses() -> None:
    gate = Gate(0)

    assert all(gate.enter() for _ in range(1000))
    assert gate.refused == 0


def test_leaving_more_than_entered_never_goes_below_zero() -> None:
    gate = Gate(1)
    gate.leave()

    assert gate.enter() is True
    assert gate.enter() is False


def test_the_busy_text_is_the_domains_first_variation() -> None:
    domain = SimpleNamespace(responses={"utter_busy": [{"text": "Dạ, em đang bận"}, {"text": "x"}]})
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(domain=domain)))

    assert busy_texts(app) == ["Dạ, em đang bận"]


@pytest.mark.parametrize(
    "app",
    [
        SimpleNamespace(ctx=SimpleNamespace(agent=None)),  # no model loaded yet
        SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
            domain=SimpleNamespace(responses={})))),  # a domain without the response
        SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
            domain=SimpleNamespace(responses={"utter_busy": [{"image": "x.png"}]})))),
    ],
)
def test_without_the_text_there_is_no_busy_text_rather_than_an_error(app: object) -> None:
    assert busy_texts(app) == []


def test_the_shipped_domain_has_the_busy_answer() -> None:
    from pathlib import Path

    import yaml

    channels = Path(__file__).resolve().parents[2] / "bot" / "domain" / "channels.yml"
    responses = yaml.safe_load(channels.read_text(encoding="utf-8"))["responses"]

    assert "thử lại sau ít phút" in responses["utter_busy"][0]["text"]
    assert "gửi lại sau ít phút" in responses[NOT_ANSWERED][0]["text"]
