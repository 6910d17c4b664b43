"""What happened in one turn, and how it differs from what the conversation file expects."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from qa.model import ButtonCheck, Expect, TextCheck

_UNFILLED = re.compile(r"\{[a-z_][a-z0-9_]*\}")
_LEAKED = re.compile(r"\b(None|null|undefined|NaN|Traceback)\b")


def nfc(text: str) -> str:
    """Vietnamese can be typed composed or decomposed: compare one form."""
    return unicodedata.normalize("NFC", text)


@dataclass
class Actual:
    """One turn as the citizen saw it (messages) and as the bot understood it (tracker events)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(nfc(str(m["text"])) for m in self.messages if m.get("text"))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in (m.get("buttons") or []) if isinstance(b, dict)]

    @property
    def button_titles(self) -> list[str]:
        return [nfc(str(b.get("title", ""))) for b in self.buttons]

    def summary(self) -> dict[str, Any]:
        """The parts that decide an outcome (what --repeat compares between runs)."""
        return {
            "intent": self.intent,
            "entities": sorted((e.get("entity"), str(e.get("value"))) for e in self.entities),
            "actions": self.actions,
            "responses": self.responses,
            "text": self.text,
            "buttons": self.button_titles,
        }


def actual_from(
    messages: list[dict[str, Any]], new_events: Sequence[dict[str, Any]], slots: dict[str, Any]
) -> Actual:
    """``new_events``: the tracker events this turn added (session start included)."""
    actual = Actual(messages=messages, slots=slots)
    users = [i for i, e in enumerate(new_events) if e.get("event") == "user"]
    after = new_events[users[-1] + 1:] if users else new_events
    if users:
        parse = new_events[users[-1]].get("parse_data") or {}
        intent = parse.get("intent") or {}
        actual.intent = intent.get("name")
        actual.confidence = intent.get("confidence")
        actual.entities = list(parse.get("entities") or [])
    for event in after:
        kind = event.get("event")
        if kind == "action" and event.get("name") != "action_listen":
            actual.actions.append(str(event.get("name")))
        elif kind == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                actual.responses.append(str(name))
    return actual


@dataclass(frozen=True)
class Mismatch:
    what: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.what}: expected {self.expected!r}, got {self.actual!r}"


def _subsequence(wanted: Sequence[str], got: Sequence[str]) -> bool:
    it = iter(got)
    return all(any(w == g for g in it) for w in wanted)


def _check_text(check: TextCheck, text: str) -> list[Mismatch]:
    problems = [
        Mismatch("text contains", phrase, text)
        for phrase in check.contains if nfc(phrase) not in text
    ]
    problems += [
        Mismatch("text does not contain", phrase, text)
        for phrase in check.not_contains if nfc(phrase) in text
    ]
    problems += [
        Mismatch("text matches", pattern, text)
        for pattern in check.regex if not re.search(nfc(pattern), text)
    ]
    problems += [
        Mismatch("text does not match", pattern, text)
        for pattern in check.not_regex if re.search(nfc(pattern), text)
    ]
    if check.exact is not None and nfc(check.exact).strip() != text.strip():
        problems.append(Mismatch("text is exactly", check.exact, text))
    return problems


def _check_buttons(check: ButtonCheck, titles: list[str]) -> list[Mismatch]:
    folded = [t.casefold() for t in titles]
    problems = [
        Mismatch("buttons include", t, titles) for t in check.contains
        if nfc(t).casefold() not in folded
    ]
    problems += [
        Mismatch("buttons exclude", t, titles) for t in check.not_contains
        if nfc(t).casefold() in folded
    ]
    if check.exact is not None and [nfc(t) for t in check.exact] != titles:
        problems.append(Mismatch("buttons are exactly", check.exact, titles))
    if check.count is not None and len(titles) != check.count:
        problems.append(Mismatch("number of buttons", check.count, len(titles)))
    if check.max is not None and len(titles) > check.max:
        problems.append(Mismatch("at most this many buttons", check.max, len(titles)))
    return problems


def _entity_values(actual: Actual, name: str) -> list[str]:
    return [nfc(str(e.get("value"))) for e in actual.entities if e.get("entity") == name]


def invariants(expect: Expect, actual: Actual) -> list[Mismatch]:
    """What every answer must be, whatever the file says about it."""
    problems = []
    if not expect.silent and not actual.messages:
        problems.append(Mismatch("the bot answers", "at least one message", "nothing"))
    for placeholder in _UNFILLED.findall(actual.text):
        problems.append(Mismatch("no unfilled variable", "none", placeholder))
    for leaked in _LEAKED.findall(actual.text):
        problems.append(Mismatch("no programming words in the answer", "none", leaked))
    for message in actual.messages:
        titles = [nfc(str(b.get("title", ""))).casefold() for b in message.get("buttons") or []]
        repeated = [t for t, n in Counter(titles).items() if n > 1]
        if repeated:
            problems.append(Mismatch("distinct button titles", "each title once", repeated))
    return problems


def compare(expect: Expect, actual: Actual) -> list[Mismatch]:
    if actual.error:
        return [Mismatch("the bot answers", "a reply", actual.error)]
    problems: list[Mismatch] = []
    if expect.intent is not None and actual.intent != expect.intent:
        problems.append(Mismatch("intent", expect.intent, actual.intent))
    for name, value in expect.entities.items():
        values = _entity_values(actual, name)
        if value is None and values:
            problems.append(Mismatch(f"no entity {name}", None, values))
        elif value is not None and nfc(value).casefold() not in [v.casefold() for v in values]:
            problems.append(Mismatch(f"entity {name}", value, values or None))
    if expect.actions and not _subsequence(expect.actions, actual.actions):
        problems.append(Mismatch("actions (in order)", expect.actions, actual.actions))
    problems += [
        Mismatch("action not run", a, actual.actions)
        for a in expect.not_actions if a in actual.actions
    ]
    if expect.responses and not _subsequence(expect.responses, actual.responses):
        problems.append(Mismatch("responses (in order)", expect.responses, actual.responses))
    problems += [
        Mismatch("response not used", r, actual.responses)
        for r in expect.not_responses if r in actual.responses
    ]
    for slot, value in expect.slots.items():
        if actual.slots.get(slot) != value:
            problems.append(Mismatch(f"slot {slot}", value, actual.slots.get(slot)))
    if expect.silent and actual.messages:
        problems.append(Mismatch("the bot stays silent", "no message", actual.text))
    if expect.text is not None:
        problems += _check_text(expect.text, actual.text)
    if expect.buttons is not None:
        problems += _check_buttons(expect.buttons, actual.button_titles)
    if expect.invariants:
        problems += invariants(expect, actual)
    return problems
