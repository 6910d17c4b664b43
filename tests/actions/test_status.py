"""Dossier status: the form's validation and the look-up, against the real connectors app."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import NotFound, PortalClient
from actions.procedures import ActionAnswerProcedure
from actions.status import GAVE_UP, MISREAD, ActionCheckStatus, ValidateStatusForm
from tests.actions.conftest import TrackerFactory

pytestmark = pytest.mark.anyio

CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs_supplement, 079203001234 / 0912345678
WRONG_CODE = "000.00.30.H56-261115-0021"  # no such dossier


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    "typed, stored",
    [
        (CODE, CODE),
        ("mã hồ sơ là 000.00.30.h56 - 261115 - 0012 nhé", CODE),
    ],
)
def test_code_is_accepted_inside_a_sentence_lowercase_and_spaced(
    tracker: TrackerFactory, domain: dict[str, Any], typed: str, stored: str
) -> None:
    dispatcher = CollectingDispatcher()

    result = ValidateStatusForm().validate_application_code(
        typed, dispatcher, tracker(typed, "inform"), domain
    )

    assert result == {"application_code": stored}
    assert dispatcher.messages == []


@pytest.mark.parametrize("attempts, asks_again", [(0, True), (1, True), (2, False)])
def test_third_wrong_code_ends_the_form(
    tracker: TrackerFactory, domain: dict[str, Any], attempts: int, asks_again: bool
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker("abc", "inform", slots={"status_attempts": attempts})

    result = ValidateStatusForm().validate_application_code("abc", dispatcher, t, domain)

    assert result["status_attempts"] == attempts + 1
    if asks_again:
        assert result["application_code"] is None
        assert responses(dispatcher) == ["utter_invalid_application_code"]
    else:
        assert result["application_code"] == GAVE_UP
        assert result["applicant_identifier"] == GAVE_UP


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("079203001234", "id_number:079203001234"),
        ("sdt 0912 345 678", "phone:0912345678"),
        ("1234", "last4:1234"),
    ],
)
def test_identifier_forms(
    tracker: TrackerFactory, domain: dict[str, Any], typed: str, stored: str
) -> None:
    result = ValidateStatusForm().validate_applicant_identifier(
        typed, CollectingDispatcher(), tracker(typed, "inform"), domain
    )

    assert result == {"applicant_identifier": stored}


@pytest.mark.parametrize(
    "identifier",
    ["id_number:079203001234", "phone:0912345678", "last4:1234", "last4:5678"],
)
async def test_lookup_answers_status_and_what_to_do(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], identifier: str
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": CODE, "applicant_identifier": identifier})

    events = await ActionCheckStatus(portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_status_found", "utter_status_needs_supplement"]
    assert dispatcher.messages[0]["due"] != "-"
    assert slots(events)["application_code"] is None  # nothing personal lingers in the tracker


async def test_an_overdue_dossier_says_why_in_the_offices_words(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": "000.00.31.H56-261020-0021",
                       "applicant_identifier": "id_number:084190002468"})

    await ActionCheckStatus(portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == [
        "utter_status_found", "utter_status_overdue", "utter_status_note"]
    assert "chờ kết quả xác minh" in dispatcher.messages[2]["status_note"]


async def test_a_year_from_now_the_dossier_still_waits_for_the_supplement(
    portal_a_year_ahead: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": CODE, "applicant_identifier": "last4:1234"})

    await ActionCheckStatus(portal_a_year_ahead).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_status_found", "utter_status_needs_supplement"]
    received = datetime.strptime(dispatcher.messages[0]["received"], "%d/%m/%Y").date()
    assert received > date.today() + timedelta(days=350)


@pytest.mark.parametrize("attempts, retry", [(0, True), (1, True), (2, False)])
async def test_no_match_retries_then_gives_up_politely(
    portal: PortalClient,
    tracker: TrackerFactory,
    domain: dict[str, Any],
    attempts: int,
    retry: bool,
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(
        slots={
            "application_code": CODE,
            "applicant_identifier": "id_number:001122334455",
            "status_attempts": attempts,
        }
    )

    events = await ActionCheckStatus(portal).run(dispatcher, t, domain)

    if retry:
        assert responses(dispatcher) == ["utter_status_not_found"]
        assert slots(events)["status_attempts"] == attempts + 1
        assert slots(events)["status_identifier_tried"] == "id_number:001122334455"
        assert slots(events)["status_code_tried"] == CODE
    else:
        assert responses(dispatcher) == ["utter_status_give_up"]


@pytest.mark.parametrize(
    "typed, tried, stored",
    [
        # a corrected code alone, after a look-up that found nothing: the identifier given then
        (f"à nhầm, mã đúng là {CODE}", "phone:0912345678", "phone:0912345678"),
        # the same code again: the identifier was wrong, the form asks for it
        (f"{WRONG_CODE}", "phone:0912345678", None),
        # a new identifier with the code wins
        (f"mã {CODE}, cccd 079203001234", "phone:0912345678", "id_number:079203001234"),
        # no look-up failed before: the form asks for it
        (f"mã đúng là {CODE}", None, None),
        # the last digits, said as such, with the code
        (f"ma {CODE}, 4 so cuoi dt 5678", None, "last4:5678"),
    ],
)
async def test_a_corrected_code_retries_with_the_identifier_already_given(
    tracker: TrackerFactory, domain: dict[str, Any], typed: str, tried: str | None,
    stored: str | None,
) -> None:
    t = tracker(typed, "inform", active_loop="status_form",
                slots={"status_identifier_tried": tried, "status_code_tried": WRONG_CODE,
                       "status_attempts": 1})

    events = await ValidateStatusForm().run(CollectingDispatcher(), t, domain)

    assert slots(events).get("applicant_identifier") == stored


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("à nhầm, số đúng là 079203001234", "id_number:079203001234"),
        ("sđt đúng là 0912 345 678", "phone:0912345678"),
        # a question with a number in it is not a correction
        ("tôi muốn hỏi đăng ký thường trú cho con 5 tuổi cần những giấy tờ gì ạ", None),
    ],
)
async def test_a_corrected_identifier_alone_retries_the_code_that_found_nothing(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], typed: str,
    stored: str | None,
) -> None:
    t = tracker(typed, "inform", slots={"status_code_tried": CODE, "status_attempts": 1})

    events = await ActionAnswerProcedure(portal).run(CollectingDispatcher(), t, domain)

    got = slots(events)
    assert got.get("applicant_identifier") == stored
    assert (got.get("application_code") == CODE) is (stored is not None)


async def test_gave_up_in_the_form_ends_with_help(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": GAVE_UP, "applicant_identifier": GAVE_UP})

    await ActionCheckStatus(portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_status_give_up"]


@pytest.mark.parametrize("identifier", ["last4:1234", "phone:0912345678"])
async def test_a_code_locked_by_others_tries_answers_when_to_retry_not_the_status(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], identifier: str
) -> None:
    """Ten wrong tries from ten other conversations lock the code: this one, with the right
    identifier, hears that it is locked and when to try again (the portal's Retry-After)."""
    for n in range(10):
        with pytest.raises(NotFound):
            await portal.lookup_application(CODE, id_number=f"{n:04d}", client_id=f"other-{n}")
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": CODE, "applicant_identifier": identifier})

    events = await ActionCheckStatus(portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_status_rate_limited"]
    assert dispatcher.messages[0]["retry_wait"] == "1 giờ"
    assert slots(events)["application_code"] is None
    assert "dossier_status" not in slots(events)


async def test_connectors_down(
    portal_down: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": CODE, "applicant_identifier": "phone:0912345678"})

    await ActionCheckStatus(portal_down).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_portal_unavailable"]


@pytest.mark.parametrize(
    "text, misread",
    [
        ("làm sổ đỏ lần đầu cho mảnh đất ông bà để lại chưa có sổ", True),
        ("tra cứu hồ sơ", False),
        ("hồ sơ của tôi đến đâu rồi", False),
        ("kiem tra tinh trang ho so", False),
        (f"{CODE} xong chưa", False),
    ],
)
async def test_a_procedure_question_taken_for_a_look_up_is_answered(
    tracker: TrackerFactory, domain: dict[str, Any], text: str, misread: bool
) -> None:
    t = tracker(text, "check_status", active_loop="status_form")

    events = await ValidateStatusForm().run(CollectingDispatcher(), t, domain)

    filled = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert (filled.get("application_code") == MISREAD) is misread
