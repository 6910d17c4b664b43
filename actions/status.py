"""Dossier status: a form for the dossier code and the applicant's identifier, then the look-up."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.base import PortalAction
from actions.clients.portal import ApplicationStatus, NotFound, PortalUnavailable, RateLimited
from actions.parsing import Identifier, find_application_code, find_identifier, format_date
from actions.procedures import ActionAnswerProcedure
from actions.status_wait import retry_wait

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Fills both slots so the form completes; action_check_status then ends politely.
GAVE_UP = "__gave_up__"
# A procedure question the NLU took for a status look-up: the form ends, the question is answered.
MISREAD = "__question__"
# What a look-up request says (a message opening the form without any of this and without a code
# is a question about a procedure: "làm sổ đỏ lần đầu cho đất ông bà để lại chưa có sổ")
_LOOKUP_WORDS = re.compile(
    r"\b(?:tra\s*cứu|tra\s*cuu|tra|đến đâu|den dau|xong chưa|xong chua|tình trạng|tinh trang|"
    r"mã hồ sơ|ma ho so|mã hs|ma hs|kiểm tra|kiem tra|check|đã nộp|da nop|nộp rồi|nop roi|"
    r"của tôi|cua toi|của em|cua em|của mình|cua minh|ra sao rồi|ra sao roi|sao rồi|sao roi|"
    r"được chưa|duoc chua|có chưa|co chua|giải quyết chưa|giai quyet chua|hẹn trả|hen tra|"
    r"trạng thái|trang thai|tình hình|tinh hinh|xem hồ sơ|xem ho so|hồ sơ đã|ho so da)\b",
    re.IGNORECASE,
)
EXTRA_BY_STATUS = {
    "received": "utter_status_received",
    "in_progress": "utter_status_in_progress",
    "needs_supplement": "utter_status_needs_supplement",
    "done": "utter_status_done",
    "returned": "utter_status_returned",
    "overdue": "utter_status_overdue",
}

# statuses whose latest note from the office says why (the others' notes are in their reply)
NOTE_SAYS_WHY = {"in_progress", "overdue"}

# the province's system could not answer (the connectors say why): busy, or an answer they
# could not read; either way the citizen gets the hotline at once
UPSTREAM_REPLIES = {
    "upstream_busy": "utter_status_upstream_busy",
    "upstream_unreadable": "utter_status_upstream_unreadable",
}
VIETNAM_TZ = timezone(timedelta(hours=7))


def format_moment(value: datetime) -> str:
    """``14:05 ngày 23/11/2026``, in Vietnam time whatever the offset it came with."""
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M ngày %d/%m/%Y")


def _attempts(tracker: Tracker) -> int:
    return int(tracker.get_slot("status_attempts") or 0)


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    def _wrong(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str
    ) -> dict[str, Any]:
        attempts = _attempts(tracker) + 1
        if attempts >= MAX_ATTEMPTS:
            return {
                "application_code": GAVE_UP,
                "applicant_identifier": GAVE_UP,
                "status_attempts": attempts,
            }
        dispatcher.utter_message(response=response)
        return {slot: None, "status_attempts": attempts}

    async def extract_application_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        opening = tracker.get_slot("requested_slot") is None and not tracker.get_slot(
            "application_code"
        )
        text = str(tracker.latest_message.get("text") or "")
        if opening and not text.startswith("/") and not find_application_code(text) and not (
            _LOOKUP_WORDS.search(unicodedata.normalize("NFC", text))
        ):
            return {"application_code": MISREAD, "applicant_identifier": MISREAD}
        return {}

    async def extract_applicant_identifier(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """"mã 000.00.30.H56-261115-0012, cccd 079203001234" in one message: both at once; a
        corrected code alone retries with the identifier of the look-up that found nothing (the
        same code again means the identifier was wrong: it is asked for)."""
        if tracker.get_slot("applicant_identifier") is not None:
            return {}
        text = str(tracker.latest_message.get("text") or "")
        code = find_application_code(text)
        if code is None or tracker.get_slot("requested_slot") == "applicant_identifier":
            return {}
        identifier = find_identifier(_without_code(text))
        if identifier is not None and identifier.kind == "last4" and _SAYS_LAST_DIGITS.search(
            unicodedata.normalize("NFC", text)
        ):
            # "mã …, 4 số cuối đt 8123": the last digits, said as such
            return {"applicant_identifier": f"{identifier.kind}:{identifier.value}"}
        if identifier is None or identifier.kind == "last4":
            # "à nhầm, mã đúng là …" after a failed look-up: the identifier given then
            tried = tracker.get_slot("status_identifier_tried")
            corrected = code != tracker.get_slot("status_code_tried")
            return {"applicant_identifier": tried} if tried and corrected else {}
        value = f"{identifier.kind}:{identifier.value}"
        return {} if _just_failed(tracker, code, value) else {"applicant_identifier": value}

    def validate_application_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value in (GAVE_UP, MISREAD):
            return {"application_code": value}
        code = find_application_code(str(value or ""))
        if code is None:
            return self._wrong(
                dispatcher, tracker, "application_code", "utter_invalid_application_code"
            )
        return {"application_code": code}

    def validate_applicant_identifier(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None or value in (GAVE_UP, MISREAD):
            return {"applicant_identifier": value}
        text = str(value or "")
        code = tracker.get_slot("application_code") or ""
        # the code itself contains digits: never take them for an identifier
        identifier = find_identifier(text.replace(code, " ") if code else text)
        corrected = find_application_code(text) if identifier is None else None
        if corrected is not None:
            # a corrected dossier code (it replaced the earlier one): after a look-up that found
            # nothing, "à nhầm, mã đúng là …" retries with the identifier given then; the same
            # code again, or no look-up yet, asks the identifier again
            tried = tracker.get_slot("status_identifier_tried")
            if tried and corrected != tracker.get_slot("status_code_tried"):
                return {"application_code": corrected, "applicant_identifier": tried}
            return {"applicant_identifier": None}
        if identifier is None:
            return self._wrong(
                dispatcher, tracker, "applicant_identifier", "utter_invalid_identifier"
            )
        value = f"{identifier.kind}:{identifier.value}"
        if _just_failed(tracker, code, value):
            return {"applicant_identifier": None}
        return {"applicant_identifier": value}


def _just_failed(tracker: Tracker, code: str, identifier: str) -> bool:
    """The pair a look-up has just not found: after "chưa khớp" the form starts again in the
    same turn and would read the citizen's message (with its code and number) a second time,
    burning a try; the number is asked for instead."""
    return bool(code == tracker.get_slot("status_code_tried")
                and identifier == tracker.get_slot("status_identifier_tried"))


_SAYS_LAST_DIGITS = re.compile(r"\b(?:số cuối|so cuoi|số đuôi|so duoi|đuôi|duoi)\b",
                               re.IGNORECASE)
_CODE_SPAN = re.compile(
    r"(?:[0-9a-z]{1,5}\s*\.\s*){1,5}[0-9a-z]{1,5}\s*[-–—]\s*\d{6}\s*[-–—]\s*\d{4,6}",
    re.IGNORECASE,
)


def _without_code(text: str) -> str:
    return _CODE_SPAN.sub(" ", text)


def _identifier(slot: str) -> Identifier:
    kind, _, value = slot.partition(":")
    return Identifier(kind, value)


class ActionCheckStatus(PortalAction):
    def name(self) -> str:
        return "action_check_status"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = tracker.get_slot("application_code")
        identifier_slot = tracker.get_slot("applicant_identifier")
        reset: list[EventType] = [
            SlotSet("application_code", None),
            SlotSet("applicant_identifier", None),
            SlotSet("status_identifier_tried", None),
            SlotSet("status_code_tried", None),
        ]
        if code == MISREAD:
            # answered here, not as a follow-up action that no rule continues (see feedback.py)
            answered = await ActionAnswerProcedure(self._portal).run(dispatcher, tracker, domain)
            return [*reset, *answered]
        if GAVE_UP in (code, identifier_slot) or not code or not identifier_slot:
            self._give_up(dispatcher)
            return [*reset, SlotSet("status_attempts", 0)]
        identifier = _identifier(identifier_slot)
        try:
            status = await self._lookup(code, identifier, tracker.sender_id)
        except RateLimited as refused:
            # the connectors lock a code after too many wrong tries, whoever asks: a new chat
            # sender starts with no attempts of its own but meets the same lock
            hotline = runtime.hotline(runtime.known())
            dispatcher.utter_message(
                response=runtime.with_hotline("utter_status_rate_limited", hotline),
                retry_wait=retry_wait(refused.retry_after), support_hotline=hotline,
            )
            return [*reset, SlotSet("status_attempts", 0)]
        except PortalUnavailable as unavailable:
            reply = UPSTREAM_REPLIES.get(unavailable.reason or "")
            if reply is None:
                raise  # the connectors themselves: the shared apology (PortalAction)
            hotline = runtime.hotline(runtime.known())
            dispatcher.utter_message(
                response=runtime.with_hotline(reply, hotline), support_hotline=hotline
            )
            return [*reset, SlotSet("status_attempts", 0)]
        except NotFound:
            attempts = _attempts(tracker) + 1
            logger.info(
                "dossier not matched (attempt %d, identifier %s)", attempts, identifier.masked()
            )
            if attempts >= MAX_ATTEMPTS:
                self._give_up(dispatcher)
                return [*reset, SlotSet("status_attempts", 0)]
            dispatcher.utter_message(
                response="utter_status_not_found", remaining=MAX_ATTEMPTS - attempts
            )
            # the code is kept and the form asks the identifier again: the digits typed next are
            # the identifier ("9999" then "1234"), a corrected code alone retries with this one
            return [*reset, SlotSet("status_attempts", attempts),
                    SlotSet("application_code", code),
                    SlotSet("status_identifier_tried", identifier_slot),
                    SlotSet("status_code_tried", code),
                    FollowupAction("status_form")]
        self._say(dispatcher, status, runtime.hotline(await runtime.locality(self.portal)))
        if tracker.get_latest_input_channel() == "zalo":
            # the OA may write later only in Zalo (actions/notifications.py)
            dispatcher.utter_message(response="utter_offer_status_notifications")
        # the dossier's procedure is in focus ("thủ tục này phí bao nhiêu?"), and what it still
        # needs is remembered ("vậy em cần bổ sung cái gì?")
        return [
            *reset,
            SlotSet("status_attempts", 0),
            SlotSet("procedure_code", status.procedure_code),
            SlotSet("procedure_name", status.procedure_short_name or status.procedure_name),
            SlotSet("dossier_supplement", status.supplement_note
                    if status.status == "needs_supplement" else None),
            SlotSet("dossier_supplement_due", format_date(status.supplement_due_at)
                    if status.status == "needs_supplement" else None),
            # "khi nào có kết quả?", "hồ sơ đang ở đâu?" right after: answered from the dossier
            SlotSet("dossier_procedure", status.procedure_code),
            SlotSet("dossier_due", format_date(status.due_at)),
            SlotSet("dossier_agency", status.agency),
            SlotSet("dossier_note", status.status_note or ""),
            SlotSet("dossier_status", status.status),
            SlotSet("notify_code", status.code),  # what "Nhận thông báo" follows
        ]

    async def _lookup(self, code: str, identifier: Identifier, client_id: str) -> ApplicationStatus:
        if identifier.kind == "id_number":
            return await self.portal.lookup_application(
                code, id_number=identifier.value, client_id=client_id
            )
        if identifier.kind == "phone":
            return await self.portal.lookup_application(
                code, phone=identifier.value, client_id=client_id
            )
        # 4 digits: the last digits of the ID number or of the phone; try both
        try:
            return await self.portal.lookup_application(
                code, id_number=identifier.value, client_id=client_id
            )
        except NotFound:
            return await self.portal.lookup_application(
                code, phone=identifier.value, client_id=client_id
            )

    @staticmethod
    def _give_up(dispatcher: CollectingDispatcher) -> None:
        hotline = runtime.hotline(runtime.known())
        dispatcher.utter_message(response=runtime.with_hotline("utter_status_give_up", hotline),
                                 support_hotline=hotline)

    @staticmethod
    def _say(dispatcher: CollectingDispatcher, s: ApplicationStatus, hotline: str | None) -> None:
        dispatcher.utter_message(
            response="utter_status_found",
            code=s.code,
            procedure_name=s.procedure_short_name or s.procedure_name,
            status_label=s.status_label,
            received=format_date(s.received_at),
            due=format_date(s.due_at) or "-",
        )
        if s.stale and s.as_of is not None:
            # the province's system is not answering: this is its last answer, and when it was
            dispatcher.utter_message(
                response=runtime.with_hotline("utter_status_stale", hotline),
                as_of=format_moment(s.as_of),
                support_hotline=hotline,
            )
        status = "overdue" if s.is_overdue and s.status in ("received", "in_progress") else s.status
        extra = EXTRA_BY_STATUS.get(status)
        if status == "overdue":
            extra = runtime.with_hotline("utter_status_overdue", hotline)
        if extra:
            dispatcher.utter_message(
                response=extra,
                agency=s.agency,
                supplement_note=s.supplement_note or "-",
                supplement_due=format_date(s.supplement_due_at) or format_date(s.due_at) or "-",
                due=format_date(s.due_at) or "-",
                status_note=s.status_note or "-",
                support_hotline=hotline,
            )
        if s.status_note and status in NOTE_SAYS_WHY:
            # "Quá hạn: đang chờ kết quả xác minh từ cơ quan khác": why it is late, in the
            # office's words
            dispatcher.utter_message(response="utter_status_note", status_note=s.status_note)

