"""What a message asks, read from cue words: which aspects of a procedure, and whether it is a
question no procedure answers (a penalty, a policy, a personal case).

Cues come from ``lexicon/aspects.yml``. They are matched on whole folded words of the message,
with abbreviations expanded; where two cues overlap the longer one wins ("khi nào có kết quả" is
a question about time, not about the result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from connectors.lexicon import (
    aspect_cues,
    generic_phrases,
    out_of_reach_cues,
    situation_phrases,
)
from connectors.text import words

_AGE = re.compile(r"(?<!\d)(\d{1,2})\s*(?:tuoi|t)\b")


@dataclass(frozen=True)
class Reading:
    words: tuple[str, ...]  # folded, abbreviations expanded
    aspects: tuple[str, ...]  # in the lexicon's order
    out_of_reach: tuple[str, ...]
    cue_positions: frozenset[int]  # indexes of words that belong to a cue (not the procedure)
    ages: tuple[int, ...]  # ages mentioned ("bé 5 tuổi" -> 5)
    # words about the citizen's own situation ("nơi thường trú", "có căn cước rồi")
    situation_positions: frozenset[int] = frozenset()

    @property
    def text(self) -> str:
        return " ".join(self.words)


OVERVIEW = "overview"


_HOW_LONG = {("bao", "lau"), ("bao", "nhieu", "lau")}


@lru_cache(maxsize=1)
def _cues() -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """(cue words, kind, name), longest first."""
    table = [
        (tuple(cue.split()), "aspect", name)
        for name, cues in aspect_cues().items() for cue in cues
    ] + [
        (tuple(cue.split()), "out_of_reach", name)
        for name, cues in out_of_reach_cues().items() for cue in cues
    ] + [(tuple(phrase.split()), "generic", "") for phrase in generic_phrases()] + [
        (tuple(phrase.split()), "situation", "") for phrase in situation_phrases()
    ]
    return tuple(sorted(table, key=lambda item: -len(item[0])))


def read(text: str) -> Reading:
    ws = tuple(words(text))
    taken: set[int] = set()
    situation: set[int] = set()
    found: dict[str, set[str]] = {
        "aspect": set(), "out_of_reach": set(), "generic": set(), "situation": set(),
    }
    first: dict[str, int] = {}
    matched: dict[str, set[tuple[str, ...]]] = {}
    for cue, kind, name in _cues():
        n = len(cue)
        for i in range(len(ws) - n + 1):
            if ws[i:i + n] == cue and not taken.intersection(range(i, i + n)):
                taken.update(range(i, i + n))
                if kind == "situation":
                    situation.update(range(i, i + n))
                found[kind].add(name)
                first[name] = min(first.get(name, i), i)
                matched.setdefault(name, set()).add(cue)
    if OVERVIEW in found["aspect"] and any(
        first[a] < first[OVERVIEW] for a in found["aspect"] if a != OVERVIEW
    ):
        # "Thành phần hồ sơ … quy định như thế nào?" asks the documents, not the whole procedure
        found["aspect"].discard(OVERVIEW)
    if "validity" in found["aspect"] and matched.get("time", set()) <= _HOW_LONG:
        # "thời hạn tạm trú tối đa là bao lâu": how long the paper lasts, not the office
        found["aspect"].discard("time")
    aspect_order = list(aspect_cues())
    reach_order = list(out_of_reach_cues())
    ages = tuple(int(m[1]) for m in _AGE.finditer(" ".join(ws)))
    return Reading(
        words=ws,
        aspects=tuple(a for a in aspect_order if a in found["aspect"]),
        out_of_reach=tuple(r for r in reach_order if r in found["out_of_reach"]),
        cue_positions=frozenset(taken),
        ages=ages,
        situation_positions=frozenset(situation),
    )


def contains_phrase(ws: tuple[str, ...], phrase: str) -> bool:
    """Whole-word containment of a folded phrase."""
    cue = tuple(phrase.split())
    n = len(cue)
    return any(ws[i:i + n] == cue for i in range(len(ws) - n + 1))
