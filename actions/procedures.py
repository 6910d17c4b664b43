"""Procedure guidance: which procedure is meant; its documents, fees, time, office, online."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import render, runtime
from actions.base import PortalAction
from actions.clients.portal import NotFound, Procedure, ProcedureHit
from actions.phrases import Labels

logger = logging.getLogger(__name__)

ASPECT_BY_INTENT = {
    "ask_documents": "documents",
    "ask_fee": "fee",
    "ask_processing_time": "time",
    "ask_office": "office",
    "ask_online": "online",
}
# A hit this far ahead of the next one is taken without asking.
CLEAR_LEAD = 1.3
# Hits within this share of the best are offered as alternatives.
CLOSE_SHARE = 0.6
MAX_BUTTONS = 5
# words of a procedure's name the message must contain when no procedure entity was found
MIN_NAMED_WORDS = 2


def resolve(hits: list[ProcedureHit]) -> tuple[ProcedureHit | None, list[ProcedureHit]]:
    """(chosen, alternatives). No choice + alternatives means: ask the citizen to pick."""
    if not hits:
        return None, []
    top = hits[0]
    named = [h for h in hits if h.match_len]
    # the most specific name the citizen typed whole wins, unless another hit matches far better
    # ("khai sinh có yếu tố nước ngoài" names "khai sinh" but means the foreign-element variant)
    best_named = max(named, key=lambda h: (h.match_len, h.score)) if named else None
    if best_named and best_named.score * CLEAR_LEAD >= top.score:
        chosen = best_named
    elif len(hits) == 1 or top.score >= CLEAR_LEAD * hits[1].score:
        chosen = top
    else:
        close = [h for h in hits if h.score >= CLOSE_SHARE * top.score]
        return None, close[:MAX_BUTTONS]
    others = [h for h in hits if h.code != chosen.code and h.score >= CLOSE_SHARE * hits[0].score]
    return chosen, others[: MAX_BUTTONS - 1]


def procedure_button(hit: ProcedureHit, intent: str) -> dict[str, str]:
    title = hit.short_name or hit.name
    return {
        "title": title if len(title) <= 60 else title[:57] + "...",
        "payload": f'/{intent}{{"procedure_code": "{hit.code}"}}',
    }


class ActionAnswerProcedure(PortalAction):
    def name(self) -> str:
        return "action_answer_procedure"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "ask_procedure"
        aspect = ASPECT_BY_INTENT.get(intent, "overview")
        button_intent = intent if intent in ASPECT_BY_INTENT else "ask_procedure"
        code = next(tracker.get_latest_entity_values("procedure_code"), None)
        mentioned = next(tracker.get_latest_entity_values("procedure"), None)
        focus = tracker.get_slot("procedure_code")
        alternatives: list[ProcedureHit] = []

        if code is None:
            query = mentioned
            if query is None and focus is None:
                # the NLU found no procedure name: the whole message may still name one
                query = tracker.latest_message.get("text") or ""
            if query and not query.startswith("/"):
                hits = await self.portal.search_procedures(query)
                if mentioned is None:
                    # a whole message only counts when it names a procedure outright: "lệ phí bao
                    # nhiêu?" must ask which procedure, not land on one that mentions fees
                    hits = [h for h in hits if h.match_len >= MIN_NAMED_WORDS]
                chosen, alternatives = resolve(hits)
                if chosen is None and alternatives:
                    dispatcher.utter_message(
                        response="utter_choose_procedure",
                        buttons=[procedure_button(h, button_intent) for h in alternatives],
                    )
                    return []
                if chosen is None and mentioned:
                    dispatcher.utter_message(response="utter_procedure_not_found", query=mentioned)
                    return []
                code = chosen.code if chosen else None
            if code is None:
                code = focus
        if code is None:
            dispatcher.utter_message(response="utter_ask_which_procedure")
            return []

        try:
            procedure = await self.portal.procedure(code)
        except NotFound:
            dispatcher.utter_message(response="utter_procedure_not_found", query=code)
            return [SlotSet("procedure_code", None), SlotSet("procedure_name", None)]

        detail = next(tracker.get_latest_entity_values("detail"), None)
        await self._say(dispatcher, procedure, aspect, Labels(domain), full=detail == "all")
        if alternatives:
            dispatcher.utter_message(
                response="utter_procedure_alternatives",
                buttons=[procedure_button(h, button_intent) for h in alternatives],
            )
        return [
            SlotSet("procedure_code", procedure.code),
            SlotSet("procedure_name", procedure.display_name),
        ]

    async def _say(
        self,
        dispatcher: CollectingDispatcher,
        p: Procedure,
        aspect: str,
        labels: Labels,
        *,
        full: bool,
    ) -> None:
        name = p.display_name
        if aspect == "documents":
            text, shown, total = render.documents_block(
                p.documents, None if full else render.SHORT_LIST
            )
            response = (
                "utter_procedure_documents" if shown == total else "utter_procedure_documents_more"
            )
            dispatcher.utter_message(
                response=response, procedure_name=name, documents=text, shown=shown, total=total
            )
            present = [d for d in p.documents if d.group == "xuất trình"]
            if present:
                dispatcher.utter_message(
                    response="utter_procedure_present_documents",
                    documents="\n".join(render.document_line(d) for d in present),
                )
        elif aspect == "fee":
            dispatcher.utter_message(
                response="utter_procedure_fee",
                procedure_name=name,
                fees=render.fees_block(p.channels, labels) or labels["unknown"],
            )
            if p.fee_note:
                dispatcher.utter_message(response="utter_procedure_fee_note", fee_note=p.fee_note)
        elif aspect == "time":
            dispatcher.utter_message(
                response="utter_procedure_time",
                procedure_name=name,
                times=render.times_block(p.channels, labels) or labels["unknown"],
            )
        elif aspect == "office":
            known = await runtime.locality(self.portal)
            dispatcher.utter_message(
                response="utter_procedure_office",
                procedure_name=name,
                agency=p.agency or labels["unknown"],
                offices=render.offices_block(known.offices if known else [], labels),
            )
        elif aspect == "online":
            online = [c for c in p.channels if c.kind == "online"]
            if online and p.online_url:
                known = await runtime.locality(self.portal)
                dispatcher.utter_message(
                    response="utter_procedure_online_yes",
                    procedure_name=name,
                    channels=render.channel_names(p.channels, labels),
                    portal_name=known.portal_name if known else "",
                    online_url=p.online_url,
                )
            else:
                dispatcher.utter_message(
                    response="utter_procedure_online_no",
                    procedure_name=name,
                    channels=render.channel_names(p.channels, labels),
                )
        else:
            has_online = any(c.kind == "online" for c in p.channels)
            dispatcher.utter_message(
                response="utter_procedure_overview",
                procedure_name=name,
                summary=p.summary or p.name,
                agency=p.agency or labels["unknown"],
                fee_short=render.fee_short(p.channels, labels),
                time_short=render.time_short(p.channels, labels),
                online_short=labels["yes"] if has_online else labels["no"],
            )
