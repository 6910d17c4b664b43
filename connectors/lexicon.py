"""The shared lexicon (``lexicon/*.yml``): how citizens write, as data every runtime reads alike.

Loaded once per process on first use. Keys are folded (no diacritics, lower case).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON = Path(__file__).resolve().parent.parent / "lexicon"


def _read(name: str) -> Any:
    return yaml.safe_load((LEXICON / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    return {str(k): str(v) for k, v in (_read("abbreviations.yml") or {}).items()}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(str(w) for w in _read("stopwords.yml") or [])


@lru_cache(maxsize=1)
def concepts() -> tuple[tuple[str, str], ...]:
    """Everyday phrase -> official wording, in file order."""
    return tuple((str(k), str(v)) for k, v in (_read("concepts.yml") or {}).items())


@lru_cache(maxsize=1)
def aspect_cues() -> dict[str, tuple[str, ...]]:
    """Aspect -> its cue phrases, aspects in the order answers are given."""
    return {str(k): tuple(map(str, v)) for k, v in (_read("aspects.yml")["aspects"]).items()}


@lru_cache(maxsize=1)
def out_of_reach_cues() -> dict[str, tuple[str, ...]]:
    """Kinds of question no procedure answers (penalty, policy, personal case) -> cues."""
    return {str(k): tuple(map(str, v)) for k, v in (_read("aspects.yml")["out_of_reach"]).items()}
