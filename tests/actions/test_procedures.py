"""ActionAnswerProcedure: which procedure, which aspect, and what the citizen is told."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient, ProcedureHit
from actions.procedures import ActionAnswerProcedure, resolve
from tests.actions.conftest import TrackerFactory

pytestmark = pytest.mark.anyio

BIRTH = "1.001193"


async def run(
    portal: PortalClient, tracker: Any, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerProcedure(portal).run(dispatcher, tracker, domain)
    return dispatcher.messages, events


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    "text, intent, entities, response",
    [
        (
            "đăng ký khai sinh cần giấy tờ gì",
            "ask_documents",
            {"procedure": "đăng ký khai sinh"},
            "utter_procedure_documents",
        ),
        ("dang ky khai sinh can giay to gi", "ask_documents", {}, "utter_procedure_documents"),
        ("đkks phí bao nhiêu", "ask_fee", {"procedure": "đkks"}, "utter_procedure_fee"),
        (
            "đăng ký khai sinh mất mấy ngày",
            "ask_processing_time",
            {"procedure": "đăng ký khai sinh"},
            "utter_procedure_time",
        ),
        ("đkks nộp ở đâu", "ask_office", {"procedure": "đkks"}, "utter_procedure_office"),
        (
            "làm giấy khai sinh online được không",
            "ask_online",
            {"procedure": "làm giấy khai sinh"},
            "utter_procedure_online_yes",
        ),
        (
            "thủ tục đăng ký khai sinh",
            "ask_procedure",
            {"procedure": "đăng ký khai sinh"},
            "utter_procedure_overview",
        ),
    ],
)
async def test_answers_the_aspect_asked_for_the_procedure_named(
    portal: PortalClient,
    tracker: TrackerFactory,
    domain: dict[str, Any],
    text: str,
    intent: str,
    entities: dict[str, str],
    response: str,
) -> None:
    messages, events = await run(portal, tracker(text, intent, entities), domain)

    assert messages[0]["response"] == response
    assert slots(events)["procedure_code"] == BIRTH


async def test_documents_come_from_the_catalogue(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(
        portal,
        tracker("đăng ký khai sinh cần gì", "ask_documents", {"procedure": "đăng ký khai sinh"}),
        domain,
    )

    assert "Giấy chứng sinh" in messages[0]["documents"]
    assert messages[1]["response"] == "utter_procedure_present_documents"


async def test_follow_up_uses_the_procedure_in_focus(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(
        portal, tracker("phí bao nhiêu?", "ask_fee", slots={"procedure_code": BIRTH}), domain
    )

    assert messages[0]["response"] == "utter_procedure_fee"
    assert "Miễn phí" in messages[0]["fees"]
    assert slots(events)["procedure_code"] == BIRTH


async def test_follow_up_without_focus_asks_which_procedure(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(portal, tracker("/ask_fee", "ask_fee"), domain)

    assert [m["response"] for m in messages] == ["utter_ask_which_procedure"]
    assert "procedure_code" not in slots(events)


async def test_a_button_payload_picks_the_procedure_by_code(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(
        portal, tracker("/ask_documents", "ask_documents", {"procedure_code": BIRTH}), domain
    )

    assert messages[0]["response"] == "utter_procedure_documents"
    assert slots(events)["procedure_name"] == "Đăng ký khai sinh"


async def test_unknown_code_is_a_polite_not_found(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(
        portal, tracker("/ask_fee", "ask_fee", {"procedure_code": "9.999999"}), domain
    )

    assert messages[0]["response"] == "utter_procedure_not_found"
    assert slots(events)["procedure_code"] is None


async def test_connectors_down_gives_an_apology_not_an_error(
    portal_down: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(
        portal_down, tracker("khai sinh", "ask_documents", {"procedure": "khai sinh"}), domain
    )

    assert [m["response"] for m in messages] == ["utter_portal_unavailable"]


def hit(code: str, score: float, match_len: int = 0) -> ProcedureHit:
    return ProcedureHit(code=code, name=code, score=score, match_len=match_len)


@pytest.mark.parametrize(
    "hits, chosen, offered",
    [
        ([], None, []),
        ([hit("a", 5)], "a", []),
        ([hit("a", 10), hit("b", 5)], "a", []),  # clear lead
        ([hit("a", 10), hit("b", 9), hit("c", 2)], None, ["a", "b"]),  # ask to choose
        ([hit("a", 10, 2), hit("b", 9, 4)], "b", ["a"]),  # the longer whole name wins
        ([hit("a", 10, 3), hit("b", 9)], "a", ["b"]),  # named one, look-alike offered
        ([hit("a", 20), hit("b", 9, 2)], "a", []),  # a far better match beats a short name
    ],
)
def test_resolve(hits: list[ProcedureHit], chosen: str | None, offered: list[str]) -> None:
    picked, alternatives = resolve(hits)

    assert (picked.code if picked else None) == chosen
    assert [h.code for h in alternatives] == offered


async def test_a_message_without_a_procedure_name_asks_which_one(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(portal, tracker("lệ phí bao nhiêu?", "ask_fee"), domain)

    assert [m["response"] for m in messages] == ["utter_ask_which_procedure"]


async def test_a_slow_portal_still_gets_an_apology_within_three_seconds(
    portal_slow: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    started = time.monotonic()
    messages, _ = await run(
        portal_slow, tracker("hộ chiếu", "ask_documents", {"procedure": "hộ chiếu"}), domain
    )

    assert time.monotonic() - started < 3.0
    assert [m["response"] for m in messages] == ["utter_portal_unavailable"]
