"""Text folding for search: citizens type without diacritics, with abbreviations and typos.

The words themselves (abbreviations, stopwords, everyday concepts) are data in ``lexicon/``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from connectors.lexicon import abbreviations, concepts, stopwords

__all__ = ["expand_query", "fold", "stopwords", "words"]

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Folded words with abbreviations expanded."""
    table = abbreviations()
    out: list[str] = []
    for w in _WORD_RE.findall(fold(text)):
        out.extend(table.get(w, w).split())
    return out


def _phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")


@lru_cache(maxsize=1)
def _concept_patterns() -> tuple[tuple[re.Pattern[str], str, tuple[re.Pattern[str], ...]], ...]:
    return tuple(
        (_phrase(c.phrase), c.official, tuple(map(_phrase, c.unless))) for c in concepts()
    )


def named_concepts(folded: str) -> list[tuple[str, str]]:
    """(everyday phrase, official wording) of the concepts a folded message names."""
    return [
        (pattern.pattern, official) for pattern, official, unless in _concept_patterns()
        if pattern.search(folded) and not any(u.search(folded) for u in unless)
    ]


def expand_query(text: str) -> str:
    """The query plus the official wording of the everyday concepts it names."""
    extra = [official for _, official in named_concepts(" ".join(words(text)))]
    return " ".join([text, *dict.fromkeys(extra)]) if extra else text
