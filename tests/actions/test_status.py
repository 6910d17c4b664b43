"""Dossier status: the form's validation and the look-up, against the real connectors app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.clients.portal import NotFound, PortalClient
from actions.procedures import ActionAnswerProcedure
from actions.status import (
    GAVE_UP,
    MISREAD,
    ActionCheckStatus,
    ValidateStatusForm,
    format_moment,
)
from connectors.deps import current_time
from connectors.main import create_app
from connectors.settings import Settings
from tests.actions.conftest import TrackerFactory
from tests.connectors.conftest import REDIS_TEST_URL, SERVICE_TOKEN
from tests.fakes.one_stop import ID_NUMBER as ONE_STOP_ID_NUMBER
from tests.fakes.one_stop import SUPPLEMENT_CODE, FakeOneStop, province_file, supplement_dossier
from tests.fakes.one_stop import VIETNAM_TZ as ONE_STOP_TZ
from tests.fakes.one_stop import running as running_one_stop
from tests.fakes.one_stop import secrets_env as one_stop_secrets

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


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


@pytest.mark.parametrize("attempts", [0, 1])
@pytest.mark.parametrize("wrong", ["last4:9999", "phone:0999999999", "id_number:001122334455"])
async def test_a_number_that_does_not_match_keeps_the_code_and_asks_the_number_again(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], attempts: int,
    wrong: str,
) -> None:
    """The right code with the wrong last digits: the form goes on with the code kept and asks
    only the number again, so the digits typed next are taken as the number."""
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": CODE, "applicant_identifier": wrong,
                       "status_attempts": attempts})

    events = await ActionCheckStatus(portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_status_not_found"]
    assert dispatcher.messages[0]["remaining"] == 3 - attempts - 1
    filled = slots(events)
    assert (filled["application_code"], filled["applicant_identifier"]) == (CODE, None)
    assert filled["status_attempts"] == attempts + 1
    assert followups(events) == ["status_form"]


def test_the_no_match_reply_says_the_number_does_not_match_and_keeps_the_code(
    domain: dict[str, Any],
) -> None:
    text = domain["responses"]["utter_status_not_found"][0]["text"]

    assert "chưa khớp với mã hồ sơ" in text and "còn {remaining} lần thử" in text
    assert "Em vẫn giữ mã hồ sơ" in text
    assert "gửi lại mã hồ sơ để tra cứu" not in text  # the number is asked, not the code


@pytest.mark.parametrize(
    "typed, tried, stored",
    [
        # the digits typed next are the number
        ("1234", "last4:9999", {"applicant_identifier": "last4:1234"}),
        ("so dt 0912 345 678", "last4:9999", {"applicant_identifier": "phone:0912345678"}),
        # "à nhầm, mã đúng là …": the corrected code, with the number given before
        (f"à nhầm, mã đúng là {WRONG_CODE}", "last4:9999",
         {"application_code": WRONG_CODE, "applicant_identifier": "last4:9999"}),
        # the same code again: the number is asked again, no try is counted
        (CODE, "last4:9999", {"applicant_identifier": None}),
    ],
)
def test_while_the_number_is_asked_again(
    tracker: TrackerFactory, domain: dict[str, Any], typed: str, tried: str,
    stored: dict[str, Any],
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(typed, "inform", active_loop="status_form",
                slots={"application_code": CODE, "requested_slot": "applicant_identifier",
                       "status_identifier_tried": tried, "status_code_tried": CODE,
                       "status_attempts": 1})

    result = ValidateStatusForm().validate_applicant_identifier(typed, dispatcher, t, domain)

    assert result == stored
    assert dispatcher.messages == []


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

    assert responses(dispatcher) == ["utter_portal_unavailable_no_hotline"]  # none known yet


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


# --- through the province's one-stop-shop system (DOSSIER_SOURCE=upstream, a loopback fake) -----

UPSTREAM_IDENTIFIER = f"id_number:{ONE_STOP_ID_NUMBER}"


@dataclass
class Upstream:
    portal: PortalClient
    fake: FakeOneStop
    clock: list[datetime]  # the connectors' clock, which a test moves


@pytest.fixture
async def upstream(
    full_catalogue_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Upstream]:
    """The connectors in-process, reading dossiers from the fake province system."""
    for name, value in one_stop_secrets().items():
        monkeypatch.setenv(name, value)
    now = [datetime(2026, 11, 23, 9, 0, tzinfo=ONE_STOP_TZ)]  # Monday 09:00, Vietnam
    with running_one_stop() as fake:
        fake.add(supplement_dossier(now[0]))
        app = create_app(
            Settings(
                database_url=full_catalogue_url,
                redis_url=REDIS_TEST_URL,
                redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
                connectors_service_token=SERVICE_TOKEN,
                dossier_source="upstream",
                dossier_upstream_file=province_file(
                    fake, tmp_path, resilience={"timeout_seconds": 0.3, "backoff_seconds": 0.01}
                ),
            )
        )
        app.dependency_overrides[current_time] = lambda: now[0]
        runtime._locality = None
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://c") as http:
                client = PortalClient(
                    "http://c", timeout=2.0, client=http, service_token=SERVICE_TOKEN
                )
                yield Upstream(client, fake, now)
        runtime._locality = None


async def test_an_upstream_answer_reads_like_a_local_one(
    upstream: Upstream, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": SUPPLEMENT_CODE, "applicant_identifier": "last4:9876"})

    events = await ActionCheckStatus(upstream.portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == ["utter_status_found", "utter_status_needs_supplement"]
    found = dispatcher.messages[0]
    assert (found["procedure_name"], found["due"], found["received"]) == (
        "Đăng ký khai sinh",  # our catalogue's name for the upstream's 1.001193.000.00.00.H56
        "28/11/2026",
        "21/11/2026",
    )
    assert slots(events)["procedure_code"] == "1.001193"


async def test_a_stale_copy_says_when_it_was_true(
    upstream: Upstream, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    slots_ = {"application_code": SUPPLEMENT_CODE, "applicant_identifier": UPSTREAM_IDENTIFIER}
    first = CollectingDispatcher()
    await ActionCheckStatus(upstream.portal).run(first, tracker(slots=slots_), domain)
    upstream.clock[0] += timedelta(hours=5, minutes=5)
    upstream.fake.set_mode("down")
    dispatcher = CollectingDispatcher()

    await ActionCheckStatus(upstream.portal).run(dispatcher, tracker(slots=slots_), domain)

    assert responses(dispatcher) == [
        "utter_status_found", "utter_status_stale", "utter_status_needs_supplement"
    ]
    assert dispatcher.messages[1]["as_of"] == "09:00 ngày 23/11/2026"
    assert dispatcher.messages[1]["support_hotline"]


@pytest.mark.parametrize(
    "mode, reply",
    [
        ("down", "utter_status_upstream_busy"),
        ("error", "utter_status_upstream_busy"),
        ("malformed", "utter_status_upstream_unreadable"),
        ("unknown-status", "utter_status_upstream_unreadable"),
    ],
)
async def test_the_upstream_failing_gets_its_own_polite_reply_with_the_hotline(
    upstream: Upstream, tracker: TrackerFactory, domain: dict[str, Any], mode: Any, reply: str
) -> None:
    upstream.fake.set_mode(mode)
    dispatcher = CollectingDispatcher()
    t = tracker(slots={"application_code": SUPPLEMENT_CODE, "applicant_identifier": "last4:9876"})

    events = await ActionCheckStatus(upstream.portal).run(dispatcher, t, domain)

    assert responses(dispatcher) == [reply]
    assert dispatcher.messages[0]["support_hotline"]  # the locality's hotline
    assert slots(events)["status_attempts"] == 0  # not the citizen's mistake
    assert "dossier_status" not in slots(events)


@pytest.mark.parametrize(
    "as_of, said",
    [
        ("2026-11-23T07:05:00+00:00", "14:05 ngày 23/11/2026"),
        ("2026-11-23T14:05:00+07:00", "14:05 ngày 23/11/2026"),
        ("2026-11-23T20:30:00+00:00", "03:30 ngày 24/11/2026"),  # next day in Vietnam
    ],
)
def test_the_age_of_a_copy_is_said_in_vietnam_time(as_of: str, said: str) -> None:
    assert format_moment(datetime.fromisoformat(as_of)) == said


NAMING_THE_HOTLINE = [
    "utter_status_upstream_busy", "utter_status_upstream_unreadable", "utter_status_stale",
    "utter_status_overdue", "utter_status_give_up", "utter_status_rate_limited",
    "utter_portal_unavailable", "utter_cannot_answer",
]


@pytest.mark.parametrize("hotline", ["18001096", None])
@pytest.mark.parametrize("response", NAMING_THE_HOTLINE)
def test_the_reply_names_the_hotline_only_when_it_is_known(
    hotline: str | None, response: str, domain: dict[str, Any]
) -> None:
    chosen = runtime.with_hotline(response, hotline)

    assert chosen == (response if hotline else response + "_no_hotline")
    variants = domain["responses"][chosen]
    # one text, no slot condition: Rasa would test it before the action sets the slot
    assert [set(v) - {"buttons"} for v in variants] == [{"text"}]
    assert ("{support_hotline}" in variants[0]["text"]) is bool(hotline)


@pytest.mark.parametrize(
    "tried_code, tried_number, reads",
    [
        # the look-up of this very pair just found nothing: the form, started again in the same
        # turn, must not read the same message again (a second try burnt, a second "chưa khớp")
        (WRONG_CODE, "phone:0771234567", {}),
        # another pair failed before: this message's pair is looked up
        (WRONG_CODE, "phone:0912345678", {"applicant_identifier": "phone:0771234567"}),
        (CODE, "phone:0771234567", {"applicant_identifier": "phone:0771234567"}),
        (None, None, {"applicant_identifier": "phone:0771234567"}),
    ],
)
async def test_a_message_with_code_and_number_is_looked_up_once(
    tracker: TrackerFactory, domain: dict[str, Any], tried_code: str | None,
    tried_number: str | None, reads: dict[str, Any],
) -> None:
    typed = f"hồ sơ {WRONG_CODE} của tôi sao rồi, sđt 0771234567"
    t = tracker(typed, "check_status", active_loop="status_form",
                slots={"status_code_tried": tried_code, "status_identifier_tried": tried_number})

    extracted = await ValidateStatusForm().extract_applicant_identifier(
        CollectingDispatcher(), t, domain
    )
    validated = ValidateStatusForm().validate_applicant_identifier(
        typed, CollectingDispatcher(), tracker(
            typed, "check_status", active_loop="status_form",
            slots={"application_code": WRONG_CODE, "status_code_tried": tried_code,
                   "status_identifier_tried": tried_number}), domain)

    assert extracted == reads
    assert validated == (reads or {"applicant_identifier": None})


async def test_a_question_that_opened_the_status_form_is_answered_in_place(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    """A question the NLU took for a status look-up ends the form and is answered right there;
    a follow-up action would end on a step no rule covers and add a fallback message."""
    dispatcher = CollectingDispatcher()
    t = tracker("làm hộ chiếu mất bao nhiêu tiền", "check_status",
                slots={"application_code": MISREAD, "applicant_identifier": MISREAD})

    events = await ActionCheckStatus(portal).run(dispatcher, t, domain)

    assert responses(dispatcher)[:1] == ["utter_procedure_fee"]
    assert followups(events) == []
    assert slots(events)["application_code"] is None
