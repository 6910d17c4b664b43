"""Expected vs actual, turn by turn: each kind of check fails exactly when its fact is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from qa.check import Actual, actual_from, compare
from qa.loader import ConversationFile
from qa.model import Conversation, Expect, Turn
from qa.report import html_report, junit, totals
from qa.runner import ConversationResult, TurnResult

FEE = Actual(
    messages=[
        {"text": "Lệ phí Đăng ký khai sinh:\n• Trực tiếp: Miễn phí",
         "buttons": [{"title": "Nộp ở đâu", "payload": "/ask_office"}]},
    ],
    intent="ask_fee",
    entities=[{"entity": "procedure", "value": "khai sinh"}],
    actions=["action_answer_procedure"],
    responses=["utter_procedure_fee"],
    slots={"procedure_code": "1.001193", "application_code": None},
)


def expect(**fields: Any) -> Expect:
    return Expect.model_validate(fields)


@pytest.mark.parametrize(
    "fields, failing",
    [
        ({"intent": "ask_fee"}, []),
        ({"intent": "ask_documents"}, ["intent"]),
        ({"entities": {"procedure": "Khai sinh"}}, []),
        ({"entities": {"procedure": "kết hôn"}}, ["entity procedure"]),
        ({"entities": {"application_code": None}}, []),
        ({"entities": {"procedure": None}}, ["no entity procedure"]),
        ({"actions": ["action_answer_procedure"]}, []),
        ({"actions": ["status_form"]}, ["actions (in order)"]),
        ({"not_actions": ["action_answer_procedure"]}, ["action not run"]),
        ({"responses": "utter_procedure_fee"}, []),
        ({"not_responses": ["utter_procedure_fee"]}, ["response not used"]),
        ({"slots": {"procedure_code": "1.001193", "application_code": None}}, []),
        ({"slots": {"procedure_code": "1.000894"}}, ["slot procedure_code"]),
        ({"text": "Miễn phí"}, []),
        ({"text": ["Miễn phí", "20.000"]}, ["text contains"]),
        ({"text": {"not_contains": ["Miễn phí"]}}, ["text does not contain"]),
        ({"text": {"regex": [r"Trực (tiếp|tuyến)"]}}, []),
        ({"text": {"regex": [r"\d+ ngày"]}}, ["text matches"]),
        ({"text": {"not_regex": ["(?i)miễn"]}}, ["text does not match"]),
        ({"text": {"exact": "Lệ phí Đăng ký khai sinh:\n• Trực tiếp: Miễn phí"}}, []),
        ({"text": {"exact": "Lệ phí"}}, ["text is exactly"]),
        ({"buttons": ["nộp ở đâu"]}, []),
        ({"buttons": {"not_contains": ["Nộp ở đâu"]}}, ["buttons exclude"]),
        ({"buttons": {"exact": ["Nộp ở đâu"], "count": 1, "max": 5}}, []),
        ({"buttons": {"count": 2}}, ["number of buttons"]),
        ({"silent": True}, ["the bot stays silent"]),
    ],
)
def test_each_check_fails_only_when_its_fact_is_wrong(
    fields: dict[str, Any], failing: list[str]
) -> None:
    assert [p.what for p in compare(expect(**fields), FEE)] == failing


@pytest.mark.parametrize(
    "messages, failing",
    [
        ([], ["the bot answers"]),
        ([{"text": "Lệ phí {procedure_name}"}], ["no unfilled variable"]),
        ([{"text": "Lệ phí: None"}], ["no programming words in the answer"]),
        ([{"text": "Chọn", "buttons": [{"title": "Lệ phí"}, {"title": "lệ phí"}]}],
         ["distinct button titles"]),
        ([{"text": "Dạ."}], []),
    ],
)
def test_every_answer_is_checked_for_what_any_answer_must_be(
    messages: list[dict[str, Any]], failing: list[str]
) -> None:
    assert [p.what for p in compare(Expect(), Actual(messages=messages))] == failing
    assert compare(Expect(invariants=False, silent=not messages), Actual(messages=messages)) == []


def test_a_turn_reads_only_its_own_events_from_the_tracker() -> None:
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "phí?", "parse_data": {
            "intent": {"name": "ask_fee", "confidence": 0.9},
            "entities": [{"entity": "procedure", "value": "khai sinh"}]}},
        {"event": "action", "name": "action_answer_procedure"},
        {"event": "bot", "text": "Lệ phí", "metadata": {"utter_action": "utter_procedure_fee"}},
        {"event": "slot", "name": "procedure_code", "value": "1.001193"},
        {"event": "action", "name": "action_listen"},
    ]

    actual = actual_from([{"text": "Lệ phí"}], events, {"procedure_code": "1.001193"})

    assert (actual.intent, actual.confidence) == ("ask_fee", 0.9)
    assert actual.actions == ["action_answer_procedure"]
    assert actual.responses == ["utter_procedure_fee"]


def _result(problems: bool) -> ConversationResult:
    conversation = Conversation(title="Khai sinh", turns=[Turn(user="phí?")])
    f = ConversationFile(Path("tests/conversations/x.yml"), conversation, (3,))
    turn = TurnResult(0, 3, conversation.turns[0], "phí?", FEE,
                      compare(expect(text="20.000"), FEE) if problems else [])
    return ConversationResult(f, "qa-x-1", [turn], 0.5)


def test_junit_has_one_case_per_turn_with_the_diff_of_a_failure() -> None:
    results = [_result(problems=True), _result(problems=False)]

    root = ElementTree.fromstring(junit(results, totals(results, 1.0)))

    cases = root.findall(".//testcase")
    assert len(cases) == 2
    assert root.get("failures") == "1"
    failure = cases[0].find("failure")
    assert failure is not None and "expected: 20.000" in (failure.text or "")
    assert cases[1].find("failure") is None


def test_the_html_report_is_one_file_with_the_failing_turn_highlighted() -> None:
    results = [_result(problems=True)]

    page = html_report(results, totals(results, 1.0), "http://127.0.0.1:5005")

    assert '<div class="turn failed">' in page
    assert "Lệ phí Đăng ký khai sinh" in page  # the whole transcript
    assert "<script" not in page and "http" not in page.replace("http://127.0.0.1:5005", "")
