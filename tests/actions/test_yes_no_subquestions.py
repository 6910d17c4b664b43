"""Yes/no sub-questions about the procedure in focus, as a citizen asks them in passing (issue 9):
answered from the record (its documents, its place rule, who may submit), or said plainly that
the record does not say; never the documents of another procedure, never "ý anh/chị là...?"."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient
from actions.conversation import ActionClarify
from actions.procedures import ActionAnswerProcedure
from tests.actions.conftest import TrackerFactory

pytestmark = pytest.mark.anyio

BIRTH, RESIDENCE, CT07 = "1.001193", "1.004222", "1.010041"
CARD, CHILD_CARD = "1.014061", "1.014062"
# a fallback and a confident guess: both must reach the record's answer
ACTIONS: list[tuple[type[Action], str]] = [
    (ActionAnswerProcedure, "ask_procedure"),
    (ActionClarify, "nlu_fallback"),
]


async def ask(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], action: type[Action],
    intent: str, text: str, focus: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    t = tracker(text, intent, slots={"procedure_code": focus},
                ranking=[(intent, 0.4), ("ask_office", 0.3), ("ask_online", 0.2)])
    events = await action(portal).run(dispatcher, t, domain)
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m["response"] for m in messages]


def focus_after(events: list[dict[str, Any]]) -> Any:
    return next((e["value"] for e in reversed(events)
                 if e.get("event") == "slot" and e["name"] == "procedure_code"), None)


@pytest.mark.parametrize("text", ["có cần sổ hộ khẩu ko", "co can so ho khau ko",
                                  "có phải nộp sổ hộ khẩu không"])
@pytest.mark.parametrize("focus", [RESIDENCE, BIRTH])
async def test_the_household_book_is_not_in_the_documents_and_ct07_says_it_replaces_it(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str, focus: str
) -> None:
    messages, events = await ask(portal, tracker, domain, ActionAnswerProcedure, "ask_documents",
                                 text, focus)

    assert responses(messages) == [
        "utter_procedure_paper_not_listed", "utter_procedure_paper_replaced",
    ]
    replaced = messages[1]
    assert replaced["procedure_name"] == "Xác nhận thông tin về cư trú (CT07)"
    assert "thay cho sổ hộ khẩu giấy trước đây" in replaced["summary"]
    assert [b["payload"] for b in replaced["buttons"]] == [
        f'/ask_procedure{{"procedure_code": "{CT07}"}}'
    ]
    assert focus_after(events) == focus  # still the procedure asked about, not CT07


async def test_a_paper_no_record_replaces_gets_only_the_documents_answer(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await ask(portal, tracker, domain, ActionAnswerProcedure, "ask_documents",
                            "co can mang giay khai sinh ko", "1.014064")

    assert responses(messages) == ["utter_procedure_paper_not_listed"]


@pytest.mark.parametrize("action, intent", ACTIONS)
@pytest.mark.parametrize(
    "text, focus, rule",
    [
        ("phường nào cũng dc ko", BIRTH, "nơi cư trú của cha hoặc mẹ trẻ"),
        ("phuong nao cung duoc khong", CARD, "không phụ thuộc nơi cư trú"),
        ("làm ở xã nào cũng được hả", CHILD_CARD, "không phụ thuộc nơi cư trú"),
    ],
)
async def test_can_i_submit_at_any_ward_is_answered_by_the_records_place_rule(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], action: type[Action],
    intent: str, text: str, focus: str, rule: str,
) -> None:
    messages, _ = await ask(portal, tracker, domain, action, intent, text, focus)

    assert responses(messages)[0] in (
        "utter_procedure_office", "utter_procedure_office_agency_only",
    )
    assert rule in messages[0]["agency"]
    assert "utter_clarify" not in responses(messages)


@pytest.mark.parametrize("action, intent", ACTIONS)
@pytest.mark.parametrize(
    "text, focus, who",
    [
        ("bố mẹ có phải đi cùng không", BIRTH, "Cha, mẹ, ông, bà hoặc người thân thích khác"),
        ("bo me co phai di cung khong", CHILD_CARD, "Người đại diện hợp pháp (cha, mẹ"),
    ],
)
async def test_who_must_come_is_answered_by_who_may_submit(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], action: type[Action],
    intent: str, text: str, focus: str, who: str,
) -> None:
    messages, _ = await ask(portal, tracker, domain, action, intent, text, focus)

    assert responses(messages)[0] == "utter_procedure_requesters"
    assert who in messages[0]["value"]
    assert not {"utter_focus_does_not_say", "utter_clarify"} & set(responses(messages))
