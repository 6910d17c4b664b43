"""The sentences of one record that answer a question no field answers whole.

"Giấy khám sức khỏe có giá trị bao lâu?", "hai vợ chồng phải cùng đến à?": the answer is a
sentence somewhere in the record (a condition, a step, a document's note). A sentence is a
passage for the question when it holds most of what the question says beyond the procedure's
own name, weighted by how telling each word is; none at all is an honest answer too ("the record
does not say"), never the nearest field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from connectors.lexicon import context_words, stopwords
from connectors.procedures.resolve import applicable_concepts
from connectors.procedures.schemas import ProcedurePublic
from connectors.text import words

MIN_SHARE = 0.5  # of the question's weight, in one sentence
MIN_MATCHED = 2  # words: one shared word ("bán", "đến") is chance
LIMIT = 3
MAX_WEIGHT = 6.0
CONTEXT_WEIGHT = 0.25
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
# "thì sao", "ra sao", "thế nào": how a question ends, not what it asks ("sao" is also the
# records' "bản sao")
_QUESTION_ENDINGS = {("thi", "sao"), ("ra", "sao"), ("lam", "sao"), ("vi", "sao"), ("the", "nao")}


def _without_question_endings(ws: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for i, w in enumerate(ws) if i == 0 or (ws[i - 1], w) not in _QUESTION_ENDINGS)


@dataclass(frozen=True)
class Passage:
    field: str  # conditions, requesters, steps, channels, documents, result, fee_note, summary
    text: str
    share: float


def sentences(p: ProcedurePublic) -> Iterator[tuple[str, str]]:
    """(field, sentence) of the record, in the order an officer would read them."""
    def split(field: str, text: str | None) -> Iterator[tuple[str, str]]:
        for s in _SENTENCE.split(text or ""):
            s = s.strip(" -•;")
            if len(s.split()) >= 3:
                yield field, s

    yield from split("conditions", p.conditions)
    yield from split("requesters", p.requesters)
    for step in p.steps:
        yield from split("steps", step)
    # how each way of submitting works ("qua số điện thoại hoặc hộp thư điện tử do công an niêm
    # yết"): the answer to "gửi qua email được không"
    for channel in p.channels:
        yield from split("channels", channel.note)
    for d in p.documents:
        yield from split("documents", f"{d.name} ({d.note})" if d.note else d.name)
    yield from split("result", p.result)
    yield from split("fee_note", p.fee_note)
    yield from split("summary", p.summary)


def find(
    p: ProcedurePublic, question: str, weight: Callable[[str], float],
    own_words: frozenset[str] = frozenset(),
) -> list[Passage]:
    """The record's sentences that hold most of the question (beyond ``own_words``, the
    procedure's name), best first: asked in the record's words where an everyday phrase has
    them ("khám sức khỏe" -> "xác nhận y tế"), else as the citizen put it (a record may use
    the everyday words itself)."""
    return _find(p, question, weight, own_words, with_concepts=True) or _find(
        p, question, weight, own_words, with_concepts=False)


def _find(
    p: ProcedurePublic, question: str, weight: Callable[[str], float],
    own_words: frozenset[str], *, with_concepts: bool,
) -> list[Passage]:
    ws = _without_question_endings(tuple(words(question)))
    everyday: set[str] = set()
    official: list[str] = []
    for concept in applicable_concepts(ws) if with_concepts else []:
        everyday.update(concept.phrase.split())
        official += concept.official.split()
    def kept(w: str, *, own_official: bool) -> bool:
        return (w not in stopwords() and not w.isdigit()
                and (w not in own_words or (own_official and w in official))
                and (w not in everyday or w in official))

    candidates = list(dict.fromkeys([*ws, *official]))
    asked = [w for w in candidates if kept(w, own_official=False)]
    if len(asked) < MIN_MATCHED:
        # all the question says is an everyday phrase whose official words the name holds:
        # "người bán có phải làm gì" is "chủ cũ", though the procedure's name says "chủ xe"
        asked = [w for w in candidates if kept(w, own_official=True)]
    # a word about the citizen the record never uses ("cháu", "đưa") is how they tell their
    # case, not what they ask the record
    said = list(sentences(p))
    record_words = {w for _field, sentence in said for w in words(sentence)}
    about_the_citizen = context_words() - record_words
    weights = {
        w: min(weight(w), MAX_WEIGHT) * (
            CONTEXT_WEIGHT if w in about_the_citizen and w not in official else 1.0
        )
        for w in asked
    }
    total = sum(weights.values())
    if not total:
        return []
    found: list[Passage] = []
    for field, sentence in said:
        held = set(words(sentence)) & weights.keys()
        share = sum(weights[w] for w in held) / total
        if len(held) >= MIN_MATCHED and share >= MIN_SHARE:
            found.append(Passage(field, sentence, round(share, 3)))
    found.sort(key=lambda x: -x.share)  # stable: the record's order breaks ties
    return found[:LIMIT]
