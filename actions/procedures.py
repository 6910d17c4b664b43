"""Procedure guidance: which procedure is meant, and what the citizen asks about it.

Every turn the connectors read the whole message (``PortalClient.resolve``): a procedure and how
sure that is, the aspects asked (several at once: "phí và mất mấy ngày"), questions no procedure
answers. This action then follows the conversation rules of docs/answers.md:

| the message | focus | do |
|---|---|---|
| names a procedure confidently | any | switch the focus, answer the aspects (overview if none) |
| matches weakly | yes, and asks an aspect | keep the focus, answer |
| matches weakly | no | offer the close procedures as choices |
| names none, or nothing the focus does not explain | yes | answer the aspects for the focus |
| asks no aspect, but a sentence of the focus's record answers it | yes | that sentence |
| names none | no | ask which, with choices; the second time, choices and a person |
| fits no procedure of the catalogue | - | say so; the portal's search, the hotline, staff |

Right after a dossier look-up, questions about time, office, what to supplement, what to bring
(a finished dossier) and what now (a returned one) are answered from that dossier.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import render, runtime
from actions.base import PortalAction
from actions.clients.portal import NotFound, Procedure, Resolution
from actions.handoff import phone_reply
from actions.parsing import find_application_code, find_identifier
from actions.phrases import Labels
from actions.questions import (
    asks_if_online_costs,
    compares_online_fee,
    fold,
    is_question,
    paper_asked,
    replaces_paper,
)

logger = logging.getLogger(__name__)

ASPECT_BY_INTENT = {
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_processing_time": "time",
    "ask_office": "office",
    "ask_online": "online",
}
INTENT_BY_ASPECT = {aspect: intent for intent, aspect in ASPECT_BY_INTENT.items()}
# aspects answered straight from a field of the record (the response names the field)
RECORD_FIELDS = {
    "requesters": "requesters",
    "conditions": "conditions",
    "result": "result",
}
MAX_ASPECTS = 3
# where a record without its own link is read, and the portal when the locality is not known yet
NATIONAL_PORTAL = "https://dichvucong.gov.vn"
# "à nhầm, số đúng là 084190002468": a correction is short
CORRECTION_WORDS = 10
# answers that a sentence of the record may complete ("phải niêm yết bao lâu": the time, and the
# record's "niêm yết công khai trong 15 ngày")
WITH_THE_RECORDS_WORDS = {"overview", "time", "deadline", "requesters"}
# words that name a kind of office ("bộ phận một cửa làm việc giờ nào"), folded
OFFICE_WORDS = ("mot cua", "cong an", "trung tam", "xuat nhap canh", "giao thong", "dat dai",
                "bao hiem", "thue")
# "thế thì sao", "còn gì nữa không": vague enough for the overview of the procedure in focus
VAGUE_WORDS = 4
# an aspect intent without a cue word in the message is taken from this confidence on
SURE_INTENT = 0.8
MAX_BUTTONS = 5
OFFER_WHEN_UNSURE = 3
NAMED_TO_OFFER = 2
# "thế phí bao nhiêu" after a procedure: at most this many words about something else
FOLLOW_UP_WORDS = 2
# what to offer when the citizen has not said which procedure, twice in a row (code, label)
POPULAR = (
    ("1.001193", "popular_birth"),
    ("1.004222", "popular_residence"),
    ("1.014061", "popular_id_card"),
    ("1.001456", "popular_passport"),
)


def procedure_button(code: str, title: str, intent: str) -> dict[str, str]:
    return {
        "title": title if len(title) <= 60 else title[:57] + "...",
        "payload": f'/{intent}{{"procedure_code": "{code}"}}',
    }


def _asked_which_last(tracker: Tracker) -> bool:
    """Did the bot's last words ask which procedure? (never ask it twice in a row)"""
    last = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    return last is not None and (last.get("metadata") or {}).get("utter_action") in (
        "utter_ask_which_procedure", "utter_ask_which_procedure_again",
    )


_OFFERED = re.compile(r'^/\w+\{"procedure_code": "(?P<code>[^"]+)"\}$')


def _offered_last(tracker: Tracker) -> list[tuple[str, str]]:
    """The procedures the bot's last message offered as buttons, (code, title), if it did."""
    last = next((e for e in reversed(tracker.events) if e.get("event") == "bot"), None)
    buttons = ((last or {}).get("data") or {}).get("buttons") or []
    return [(m["code"], str(b.get("title") or "")) for b in buttons
            if (m := _OFFERED.match(str(b.get("payload") or "")))]


def _about_the_dossier(tracker: Tracker, reading: Resolution, focus: str | None) -> str | None:
    """Right after a look-up, the reply that comes from the dossier itself (what to supplement,
    when it is due, what to bring, what now, where it is), if the question is one of those."""
    if "supplement" in reading.aspects and tracker.get_slot("dossier_supplement"):
        return "utter_status_supplement_again"
    if focus is None or focus != tracker.get_slot("dossier_procedure") or (
        reading.decision == "confident"
    ):
        return None
    status = tracker.get_slot("dossier_status")
    said = fold(str(tracker.latest_message.get("text") or ""))
    if "supplement" in reading.aspects:
        # "có phải bổ sung giấy tờ gì không" while nothing is asked of the citizen
        return "utter_status_no_supplement"
    if _WHICH_PROCEDURE.search(said):
        return "utter_status_procedure_again"  # "hồ sơ này là thủ tục gì nhỉ, tôi quên mất"
    if not reading.aspects and _WHAT_NOW.search(said):
        # "vậy giờ em phải làm gì tiếp": the next step this dossier's status calls for
        return NEXT_STEP_AGAIN.get(str(status), "utter_status_agency_again")
    if "time" in reading.aspects and tracker.get_slot("dossier_due"):
        return "utter_status_due_again"
    if status == "done" and "documents" in reading.aspects:
        return "utter_status_pickup_again"  # the appointment slip, not the application's papers
    if status == "returned" and not reading.aspects:
        return "utter_status_returned_again"
    if "office" in reading.aspects and tracker.get_slot("dossier_agency"):
        return "utter_status_agency_again"
    return None


_WHAT_NOW = re.compile(
    r"\b(?:lam gi tiep|phai lam gi|lam gi bay gio|gio (?:lam|tinh) sao|gio sao|lam sao bay gio|"
    r"khieu nai o dau|phai lam sao|tiep theo (?:la )?gi)\b"
)
_WHICH_PROCEDURE = re.compile(r"\b(?:la )?thu tuc (?:gi|nao)\b")
NEXT_STEP_AGAIN = {
    "needs_supplement": "utter_status_supplement_again",
    "done": "utter_status_pickup_again",
    "returned": "utter_status_returned_again",
}


def _corrected_identifier(tracker: Tracker, text: str) -> str | None:
    """An ID number or phone typed alone right after a look-up that found nothing."""
    if not tracker.get_slot("status_code_tried") or len(text.split()) > CORRECTION_WORDS:
        return None
    identifier = find_identifier(text)
    return f"{identifier.kind}:{identifier.value}" if identifier else None


class ActionAnswerProcedure(PortalAction):
    def name(self) -> str:
        return "action_answer_procedure"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        labels = Labels(domain)
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "ask_procedure"
        intent_aspect = ASPECT_BY_INTENT.get(intent)
        text = str(tracker.latest_message.get("text") or "")
        focus = tracker.get_slot("procedure_code")
        chosen = next(tracker.get_latest_entity_values("procedure_code"), None)
        full = next(tracker.get_latest_entity_values("detail"), None) == "all"

        if chosen is not None or text.startswith("/"):
            # a button: the procedure is the one it names, or the one in focus
            code = chosen or focus
            if code is None:
                return self._ask_which(dispatcher, tracker, labels)
            return await self._answer(dispatcher, code, [intent_aspect or "overview"], labels,
                                      full=full)

        if find_application_code(text):
            # a dossier code: this is a status look-up, whatever the words around it
            return [SlotSet("application_code", find_application_code(text)),
                    FollowupAction("status_form")]
        retried = _corrected_identifier(tracker, text)
        if retried is not None:
            # "à nhầm, số đúng là 0841…" after a look-up that found nothing: the same code again
            return [SlotSet("application_code", tracker.get_slot("status_code_tried")),
                    SlotSet("applicant_identifier", retried), FollowupAction("status_form")]
        if phone_reply(tracker):
            # "09o3 111 222" after asking for staff: the number to call back, not a question
            return [FollowupAction("action_handoff_contact")]
        reading = await self.portal.resolve(text, focus)
        dossier_reply = _about_the_dossier(tracker, reading, focus)
        if dossier_reply is not None:
            dispatcher.utter_message(response=dossier_reply)
            return []
        # no cue word says what is asked: the NLU's guess, when it is sure ("lên ở nhờ" is not
        # a question about the office)
        sure = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        aspects = [a for a in reading.aspects if a != "supplement"] or (
            [intent_aspect] if intent_aspect and sure >= SURE_INTENT else []
        )
        if reading.out_of_reach:
            return self._cannot_answer(dispatcher, reading)
        if "hours" in aspects and focus is None and reading.decision != "confident":
            # "bộ phận một cửa làm việc giờ nào": no procedure needed, the locality's offices
            return await self._hours(dispatcher, text, labels)
        asked_paper = paper_asked(text) if focus is not None else None
        if asked_paper is not None and not (
            asked_paper.to_apply and reading.decision == "confident" and reading.procedure
            and reading.procedure.named > NAMED_TO_OFFER
        ):
            # "co can mang giay khai sinh ko" about the card in focus: is that paper one of its
            # documents? (not the birth registration the paper's name matches); "có cần xin giấy
            # phép xây dựng không" names a procedure of its own
            return await self._paper_in_documents(dispatcher, str(focus), asked_paper.paper,
                                                  asked_paper.telling)
        if focus is not None and "requesters" in aspects and is_question(text) and (
            reading.decision != "confident" or not reading.procedure or not reading.procedure.named
        ):
            # "bà nội có cần giấy ủy quyền công chứng không", "cha mẹ làm cho con có cần giấy ủy
            # quyền ko": who may submit the procedure in focus, not a notarisation or a
            # parent-child recognition
            return await self._answer(dispatcher, str(focus), aspects, labels, full=full,
                                      question=text)
        if reading.decision == "confident" and reading.procedure is not None:
            return await self._answer(dispatcher, reading.procedure.code, aspects or ["overview"],
                                      labels, full=full, question=text)
        read_focus = focus is not None and reading.decision != "menu" and (
            not reading.aspects or (reading.decision == "no_fit" and reading.names_a_paper)
        )
        if read_focus and await self.say_passages(dispatcher, str(focus), text):
            # "hai vợ chồng phải cùng đến à": no aspect, but a sentence of the record answers it;
            # "giấy xác nhận y tế có giá trị bao lâu": a paper of the record in focus
            return []
        if focus is not None and reading.decision == "none" and not aspects and is_question(
            text
        ) and len(text.split()) > VAGUE_WORDS:
            # "khi đi có phải nộp lại thẻ cũ không": a precise question its record does not
            # answer; the overview would not answer it either
            return await self._focus_does_not_say(dispatcher, str(focus))
        follow_up = (focus is not None and bool(aspects) and (
            reading.decision in ("weak", "none")
            or (reading.decision == "no_fit" and not reading.names_a_paper)
        )) or (focus is not None and reading.decision == "none")
        if follow_up:
            # the focus's sentences were read above already: not a second time
            return await self._answer(dispatcher, str(focus), aspects or ["overview"], labels,
                                      full=full, question="" if read_focus else text)
        if reading.decision == "menu" and reading.candidates and aspects == ["validity"]:
            # "bằng lái B2 cũ còn dùng được không": no record of these procedures says whether a
            # paper the citizen holds is still good; say so, name a person, offer the procedures
            return self._validity_not_in_records(dispatcher, reading)
        if reading.decision in ("weak", "menu") and reading.candidates:
            return self._choices(dispatcher, reading, aspects, intent)
        if reading.decision == "no_fit" and focus is not None and not reading.names_a_paper and (
            is_question(text)
        ):
            # "gửi qua email được không" about the procedure in focus: its record does not say,
            # which is not the same as "no procedure fits" ("thủ tục xin học bổng du học")
            return await self._focus_does_not_say(dispatcher, str(focus))
        if reading.decision == "no_fit":
            return self._not_covered(dispatcher)
        offered = _offered_last(tracker)
        if offered and aspects:
            # "mất bao lâu, phí bao nhiêu" right after the bot offered procedures: the same
            # choices, each now answering what was asked
            intent_asked = INTENT_BY_ASPECT.get(aspects[0], "ask_procedure")
            dispatcher.utter_message(response="utter_choose_procedure", buttons=[
                procedure_button(code, title, intent_asked) for code, title in offered
            ][:MAX_BUTTONS])
            return []
        return self._ask_which(dispatcher, tracker, labels)

    # --- the answers ---------------------------------------------------------------------------

    async def _answer(
        self, dispatcher: CollectingDispatcher, code: str, aspects: list[str], labels: Labels,
        *, full: bool, question: str = "",
    ) -> list[EventType]:
        try:
            procedure = await self.portal.procedure(code)
        except NotFound:
            dispatcher.utter_message(response="utter_procedure_not_found", query=code)
            return [SlotSet("procedure_code", None), SlotSet("procedure_name", None)]
        asked = list(dict.fromkeys(aspects))[:MAX_ASPECTS]
        if "office" in asked and "hours" in asked:
            asked.remove("hours")  # the offices' answer gives their hours already
        for aspect in asked:
            await self._say(dispatcher, procedure, aspect, labels, full=full, question=question)
        if set(asked) <= WITH_THE_RECORDS_WORDS and is_question(question):
            # "làm căn cước lần đầu có phải đưa cháu đi trực tiếp không": the card answers the
            # procedure, a sentence of the record the question itself
            await self.say_passages(dispatcher, procedure.code, question)
        return [
            SlotSet("procedure_code", procedure.code),
            SlotSet("procedure_name", procedure.display_name),
        ]

    async def _say(
        self, dispatcher: CollectingDispatcher, p: Procedure, aspect: str, labels: Labels,
        *, full: bool, question: str,
    ) -> None:
        name = p.display_name
        if aspect == "online" and compares_online_fee(question):
            aspect = "fee"  # "làm online có rẻ hơn không" asks about money, not the way to apply
        if aspect == "documents":
            answer = render.documents_answer(p.documents, labels, full=full)
            text, folded = answer.text, answer.folded
            if not text:
                self._not_in_record(dispatcher, p, labels["aspect_documents"])
            elif folded:
                dispatcher.utter_message(response="utter_procedure_documents_more",
                                         procedure_name=name, documents=text, folded=folded)
            else:
                dispatcher.utter_message(response="utter_procedure_documents",
                                         procedure_name=name, documents=text)
            if text and answer.clipped:
                dispatcher.utter_message(response="utter_procedure_documents_clipped",
                                         source_url=p.source_url or NATIONAL_PORTAL)
            present = [d for d in p.documents if d.group == "xuất trình"]
            if present:
                dispatcher.utter_message(
                    response="utter_procedure_present_documents",
                    documents="\n".join(render.document_line(d) for d in present),
                )
        elif aspect == "fee":
            fees = render.fees_block(p.channels, labels)
            if not fees and not p.fee_note:
                self._not_in_record(dispatcher, p, labels["aspect_fee"])
                return
            verdict = render.online_fee_verdict(p.channels) if compares_online_fee(question) \
                else None
            online = render.online_amount(p.channels) if asks_if_online_costs(question) \
                else None
            if verdict:
                # "làm online có rẻ hơn không" is a yes/no question: the answer comes first
                kind, web, desk = verdict
                dispatcher.utter_message(response=f"utter_fee_online_{kind}",
                                         online_fee=render.amount_vnd(web),
                                         in_person_fee=render.amount_vnd(desk))
            elif online is not None:
                # "online có mất phí không": yes or no first, with the figure in force today
                dispatcher.utter_message(
                    response="utter_fee_online_free" if online == 0 else "utter_fee_online_paid",
                    online_fee=render.amount_vnd(online),
                )
            dispatcher.utter_message(response="utter_procedure_fee", procedure_name=name,
                                     fees=fees or labels["unknown"])
            if p.fee_note:
                dispatcher.utter_message(response="utter_procedure_fee_note",
                                         fee_note=render.vnd(p.fee_note))
        elif aspect == "time":
            times = render.times_block(p.channels, labels)
            if not times:
                self._not_in_record(dispatcher, p, labels["aspect_time"])
                return
            dispatcher.utter_message(response="utter_procedure_time", procedure_name=name,
                                     times=times)
        elif aspect in ("office", "hours"):
            await self._office(dispatcher, p, labels)  # each office with its hours
        elif aspect == "online":
            await self._online(dispatcher, p, labels)
        elif aspect in RECORD_FIELDS:
            value = getattr(p, RECORD_FIELDS[aspect])
            proxy = render.proxy_documents(p.documents) if aspect == "requesters" else []
            if value:
                dispatcher.utter_message(response=f"utter_procedure_{aspect}",
                                         procedure_name=name, value=value.strip())
            elif not proxy:
                self._not_in_record(dispatcher, p, labels[f"aspect_{aspect}"])
            if proxy:
                # "nhờ người khác nộp hộ được không": the record's power-of-attorney paper says
                dispatcher.utter_message(response="utter_procedure_proxy",
                                         documents="\n".join(map(render.document_line, proxy)))
        elif aspect == "steps":
            if p.steps:
                dispatcher.utter_message(response="utter_procedure_steps", procedure_name=name,
                                         steps=render.bullets(p.steps))
            else:
                self._not_in_record(dispatcher, p, labels["aspect_steps"])
        elif aspect == "legal":
            laws = [f"{d.title} ({d.number})" if d.number else d.title for d in p.legal_basis]
            if laws:
                dispatcher.utter_message(response="utter_procedure_legal", procedure_name=name,
                                         laws=render.bullets(laws))
            else:
                self._not_in_record(dispatcher, p, labels["aspect_legal"])
        elif aspect == "deadline":
            found = render.deadlines(p.conditions, *p.steps)
            if found:
                dispatcher.utter_message(response="utter_procedure_deadline", procedure_name=name,
                                         deadlines=render.bullets(found))
            else:
                self._not_in_record(dispatcher, p, labels["aspect_deadline"])
        elif aspect == "validity":
            # the records hold no field for how long a paper is valid: a sentence may say it, not
            # a document's ("Hộ chiếu còn thời hạn" is what to bring, not how long the result is
            # good for)
            if not question or not await self.say_passages(dispatcher, p.code, question,
                                                           skip=frozenset({"documents"})):
                self._not_in_record(dispatcher, p, labels["aspect_validity"])
        else:
            has_online = any(c.kind == "online" for c in p.channels)
            dispatcher.utter_message(
                response="utter_procedure_overview",
                procedure_name=name,
                summary=p.summary or p.name,
                agency=p.agency or labels["unknown"],
                main_documents=render.main_documents(p.documents, labels),
                fee_short=render.fee_short(p.channels, labels),
                time_short=render.time_short(p.channels, labels),
                online_short=labels["yes"] if has_online else labels["no"],
            )

    async def _office(self, dispatcher: CollectingDispatcher, p: Procedure, labels: Labels) -> None:
        where = await self.portal.offices(p.code)
        known = await runtime.locality(self.portal)
        agency = p.agency or (
            labels["agency_by_level"].format(level=where.level.lower()) if where.level
            else labels["unknown"]
        )
        if not where.offices:
            dispatcher.utter_message(response="utter_procedure_office_agency_only",
                                     procedure_name=p.display_name, agency=agency)
        else:
            dispatcher.utter_message(response="utter_procedure_office",
                                     procedure_name=p.display_name, agency=agency,
                                     offices=render.offices_block(where.offices, labels,
                                                                  where.place))
        if any(o.placeholder for o in where.offices) or not where.offices:
            dispatcher.utter_message(
                response="utter_procedure_office_ask_address",
                portal_name=known.portal_name if known else labels["portal"],
                portal_url=known.portal_url if known else "",
                support_hotline=runtime.hotline(known),
            )

    async def _paper_in_documents(
        self, dispatcher: CollectingDispatcher, focus: str, paper: str, telling: frozenset[str]
    ) -> list[EventType]:
        try:
            p = await self.portal.procedure(focus)
        except NotFound:
            return self._not_covered(dispatcher)
        listed = [d for d in p.documents
                  if telling <= set(fold(f"{d.name} {d.note or ''}").split())]
        if listed:
            dispatcher.utter_message(response="utter_procedure_paper_listed",
                                     procedure_name=p.display_name,
                                     documents="\n".join(map(render.document_line, listed)))
        else:
            dispatcher.utter_message(response="utter_procedure_paper_not_listed",
                                     procedure_name=p.display_name, paper=paper,
                                     documents="\n".join(
                                         render.document_line(d) for d in p.documents
                                         if d.group == "nộp"))
            await self._paper_replaced(dispatcher, p.code, paper, telling)
        return [SlotSet("procedure_code", p.code), SlotSet("procedure_name", p.display_name)]

    async def _paper_replaced(
        self, dispatcher: CollectingDispatcher, focus: str, paper: str, telling: frozenset[str]
    ) -> None:
        """"có cần sổ hộ khẩu ko": a paper no longer issued, when a record says what replaces it
        ("… (mẫu CT07) …, thay cho sổ hộ khẩu giấy trước đây"), in that record's words."""
        reading = await self.portal.resolve(paper)
        if reading.decision != "confident" or reading.procedure is None or (
            reading.procedure.code == focus
        ):
            return
        try:
            instead = await self.portal.procedure(reading.procedure.code)
        except NotFound:
            return
        if instead.summary and replaces_paper(instead.summary, telling):
            dispatcher.utter_message(
                response="utter_procedure_paper_replaced", paper=paper,
                procedure_name=instead.display_name, summary=instead.summary,
                buttons=[procedure_button(instead.code, instead.display_name, "ask_procedure")],
            )

    async def _hours(
        self, dispatcher: CollectingDispatcher, question: str, labels: Labels
    ) -> list[EventType]:
        """The locality's offices and their hours; only those the question names, if any (the
        demo locality's invented name is never given as a real province's)."""
        known = await runtime.locality(self.portal)
        if known is None or not known.offices:
            dispatcher.utter_message(response="utter_hours_unknown",
                                     support_hotline=runtime.hotline(known))
            return []
        asked = fold(question)
        named = [o for o in known.offices
                 if any(kind in asked and kind in fold(o.name) for kind in OFFICE_WORDS)]
        lines = dict.fromkeys(f"{o.name}: {o.hours}" for o in named or known.offices)
        dispatcher.utter_message(response="utter_locality_hours",
                                 locality_name=labels["demo_locality"] if known.demo
                                 else known.name,
                                 hours=render.bullets(lines),
                                 support_hotline=runtime.hotline(known))
        return []

    async def _online(self, dispatcher: CollectingDispatcher, p: Procedure, labels: Labels) -> None:
        online = [c for c in p.channels if c.kind == "online"]
        if not online:
            dispatcher.utter_message(response="utter_procedure_online_no",
                                     procedure_name=p.display_name,
                                     channels=render.channel_names(p.channels, labels))
            return
        known = await runtime.locality(self.portal)
        notes = " ".join(c.note for c in online if c.note)
        dispatcher.utter_message(
            response="utter_procedure_online_yes",
            procedure_name=p.display_name,
            channels=render.channel_names(p.channels, labels),
            portal_name=known.portal_name if known else labels["portal"],
            online_url=p.online_url or (known.portal_url if known else ""),
        )
        if "vneid" in (notes + " " + (p.summary or "")).lower():
            dispatcher.utter_message(response="utter_procedure_online_vneid")
        elif notes:
            dispatcher.utter_message(response="utter_procedure_online_note",
                                     note=render.vnd(notes))

    async def say_passages(
        self, dispatcher: CollectingDispatcher, code: str, question: str,
        skip: frozenset[str] = frozenset(),
    ) -> bool:
        """Say the record's sentences that answer the question, if there are any (none from the
        fields in ``skip``)."""
        found = [p for p in await self.portal.passages(code, question) if p.field not in skip]
        if not found:
            return False
        procedure = await self.portal.procedure(code)
        dispatcher.utter_message(response="utter_procedure_passages",
                                 procedure_name=procedure.display_name,
                                 passages=render.bullets(p.text for p in found),
                                 source_url=procedure.source_url or NATIONAL_PORTAL)
        return True

    # --- when there is no answer -----------------------------------------------------------

    @staticmethod
    def _not_in_record(dispatcher: CollectingDispatcher, p: Procedure, what: str) -> None:
        dispatcher.utter_message(response="utter_procedure_not_in_record",
                                 procedure_name=p.display_name, aspect_label=what,
                                 source_url=p.source_url or NATIONAL_PORTAL)

    @staticmethod
    def _choices(
        dispatcher: CollectingDispatcher, reading: Resolution, aspects: list[str], intent: str
    ) -> list[EventType]:
        button_intent = INTENT_BY_ASPECT.get(aspects[0], "ask_procedure") if aspects else (
            intent if intent in ASPECT_BY_INTENT else "ask_procedure"
        )
        buttons: list[dict[str, str]] = []
        for c in reading.candidates:
            button = procedure_button(c.code, c.title, button_intent)
            if button["title"] not in {b["title"] for b in buttons}:  # titles cut alike
                buttons.append(button)
        dispatcher.utter_message(
            response="utter_choose_procedure_menu" if reading.decision == "menu"
            else "utter_choose_procedure",
            buttons=buttons[:MAX_BUTTONS],
        )
        return []

    @staticmethod
    def _validity_not_in_records(
        dispatcher: CollectingDispatcher, reading: Resolution
    ) -> list[EventType]:
        hotline = runtime.hotline(runtime.known())
        dispatcher.utter_message(
            response=runtime.with_hotline("utter_validity_not_in_records", hotline),
            support_hotline=hotline,
        )
        dispatcher.utter_message(
            response="utter_offer_procedure",
            buttons=[procedure_button(c.code, c.title, "ask_procedure")
                     for c in reading.candidates[:MAX_BUTTONS]],
        )
        return []

    @staticmethod
    def _cannot_answer(dispatcher: CollectingDispatcher, reading: Resolution) -> list[EventType]:
        hotline = runtime.hotline(runtime.known())
        dispatcher.utter_message(
            response=runtime.with_hotline("utter_cannot_answer", hotline), support_hotline=hotline
        )
        # the procedure the question names, to read instead ("tính giúp lương hưu" names none);
        # the close ones when unsure
        named = reading.procedure is not None and reading.procedure.named >= NAMED_TO_OFFER
        offered = [reading.procedure] if reading.decision == "confident" and named else (
            reading.candidates[:OFFER_WHEN_UNSURE] if reading.decision == "weak" else []
        )
        if offered:
            dispatcher.utter_message(
                response="utter_offer_procedure",
                buttons=[procedure_button(p.code, p.title, "ask_procedure")
                         for p in offered if p is not None],
            )
        return []

    async def _focus_does_not_say(
        self, dispatcher: CollectingDispatcher, focus: str
    ) -> list[EventType]:
        try:
            procedure = await self.portal.procedure(focus)
        except NotFound:
            return self._not_covered(dispatcher)
        dispatcher.utter_message(
            response="utter_focus_does_not_say", procedure_name=procedure.display_name,
            source_url=procedure.source_url or NATIONAL_PORTAL,
            support_hotline=runtime.hotline(runtime.known()),
        )
        return []

    @staticmethod
    def _not_covered(dispatcher: CollectingDispatcher) -> list[EventType]:
        known = runtime.known()
        dispatcher.utter_message(
            response="utter_not_covered",
            portal_name=known.portal_name if known else "Cổng Dịch vụ công quốc gia",
            portal_url=known.portal_url if known else NATIONAL_PORTAL,
            support_hotline=runtime.hotline(known),
        )
        return []

    @staticmethod
    def _ask_which(
        dispatcher: CollectingDispatcher, tracker: Tracker, labels: Labels
    ) -> list[EventType]:
        if _asked_which_last(tracker):
            dispatcher.utter_message(
                response="utter_ask_which_procedure_again",
                buttons=[
                    procedure_button(code, labels[label], "ask_procedure")
                    for code, label in POPULAR
                ] + [{"title": labels["talk_to_staff"], "payload": "/request_human"}],
            )
        else:
            dispatcher.utter_message(response="utter_ask_which_procedure")
        return []
