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


@lru_cache(maxsize=1)
def _concept_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"(?<!\w){re.escape(k)}(?!\w)"), v) for k, v in concepts())


def expand_query(text: str) -> str:
    """The query plus the official wording of the everyday concepts it names."""
    folded = " ".join(words(text))
    extra = [v for pattern, v in _concept_patterns() if pattern.search(folded)]
    return " ".join([text, *dict.fromkeys(extra)]) if extra else text
