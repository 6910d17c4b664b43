"""The shared lexicon (``lexicon/*.yml``): how citizens write, as data every runtime reads alike.

Loaded once per process on first use. Keys are folded (no diacritics, lower case).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON = Path(__file__).resolve().parent.parent / "lexicon"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Changes whenever a lexicon file does: cached readings of messages key on it."""
    digest = hashlib.sha256()
    for path in sorted(LEXICON.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _read(name: str) -> Any:
    return yaml.safe_load((LEXICON / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    return {str(k): str(v) for k, v in (_read("abbreviations.yml") or {}).items()}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in _read("stopwords.yml") or [])


@lru_cache(maxsize=1)
def context_words() -> frozenset[str]:
    """Words about the citizen's situation, not the procedure (ignored when judging a match)."""
    return frozenset(str(w) for w in _read("context_words.yml") or [])


@dataclass(frozen=True)
class Concept:
    """An everyday phrase and the official wording it stands for, unless the message is about
    something else ("nhập khẩu" is registering a residence, unless it is about goods)."""

    phrase: str
    official: str
    unless: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def concepts() -> tuple[Concept, ...]:
    """In file order."""
    out = []
    for key, value in (_read("concepts.yml") or {}).items():
        if isinstance(value, dict):
            unless = tuple(map(str, value.get("unless", [])))
            out.append(Concept(str(key), str(value["to"]), unless))
        else:
            out.append(Concept(str(key), str(value)))
    return tuple(out)


@lru_cache(maxsize=1)
def people() -> frozenset[str]:
    """Words for people: "mất" after one of them is a death, not a loss."""
    return frozenset(str(w) for w in _read("people.yml") or [])


@lru_cache(maxsize=1)
def papers() -> tuple[str, ...]:
    """Words that name a paper, permit or card."""
    return tuple(str(w) for w in _read("papers.yml") or [])


@lru_cache(maxsize=1)
def aspect_cues() -> dict[str, tuple[str, ...]]:
    """Aspect -> its cue phrases, aspects in the order answers are given."""
    return {str(k): tuple(map(str, v)) for k, v in (_read("aspects.yml")["aspects"]).items()}


@lru_cache(maxsize=1)
def generic_phrases() -> tuple[str, ...]:
    """Phrases about any dossier that name no procedure ("hồ sơ"): set aside like cues."""
    return tuple(map(str, _read("aspects.yml").get("generic") or []))


@lru_cache(maxsize=1)
def situation_phrases() -> tuple[str, ...]:
    """The citizen's own situation ("nơi thường trú", "có căn cước rồi"): names no procedure."""
    return tuple(map(str, _read("aspects.yml").get("situation") or []))


@lru_cache(maxsize=1)
def out_of_reach_cues() -> dict[str, tuple[str, ...]]:
    """Kinds of question no procedure answers (penalty, policy, personal case) -> cues."""
    return {str(k): tuple(map(str, v)) for k, v in (_read("aspects.yml")["out_of_reach"]).items()}
