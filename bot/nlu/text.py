"""Pure Vietnamese text helpers for the NLU pipeline (no Rasa import, unit-testable alone).

This is the one deliberate place where Unicode is normalised. Every function that changes the text
returns, or keeps, a map back to positions in the original message so that token offsets stay exact.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

# Old-style ("hoà", tone on the second vowel) and new-style ("hòa") tone placement are both in use;
# the pipeline sees one canonical form. Each pair has the same length, so offsets are unchanged.
_TONE_PAIRS = {
    "oa": ("oà oá oả oã oạ", "òa óa ỏa õa ọa"),
    "oe": ("oè oé oẻ oẽ oẹ", "òe óe ỏe õe ọe"),
    "uy": ("uỳ uý uỷ uỹ uỵ", "ùy úy ủy ũy ụy"),
}
_TONE_MAP: dict[str, str] = {}
for _old, _new in _TONE_PAIRS.values():
    for _o, _n in zip(_old.split(), _new.split(), strict=True):
        _TONE_MAP[_o] = _n
        _TONE_MAP[_o.capitalize()] = _n.capitalize()
        _TONE_MAP[_o.upper()] = _n.upper()
# Only at the end of a syllable: "hoàng", "khoẻ" -> keep "hoàng" (tone stays on the main vowel).
_TONE_RE = re.compile("(" + "|".join(map(re.escape, _TONE_MAP)) + r")(?![^\W\d_])")

LEXICON = Path(__file__).resolve().parents[2] / "lexicon"


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """How citizens abbreviate on phones (lexicon/abbreviations.yml, shared with the connectors):
    folded abbreviation -> folded expansion, so "cccd" and "căn cước công dân" look alike."""
    data = yaml.safe_load((LEXICON / "abbreviations.yml").read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


def to_nfc(text: str) -> tuple[str, list[int]]:
    """NFC with canonical tone placement, and for each output character its index in ``text``.

    The map has one extra entry (``len(text)``) so an end offset maps too.
    """
    out: list[str] = []
    index: list[int] = []
    i = 0
    while i < len(text):
        # a base character and the combining marks that follow it form one cluster
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        composed = unicodedata.normalize("NFC", text[i:j])
        # marks NFC cannot fold into the letter ("a" + three acute accents) carry no meaning in
        # Vietnamese: dropped, so the letter's offsets span the whole cluster and no token is empty
        composed = composed[0] + "".join(c for c in composed[1:] if not unicodedata.combining(c))
        out.append(composed)
        index.extend([i] * len(composed))
        i = j
    canonical = _TONE_RE.sub(lambda m: _TONE_MAP[m.group(0)], "".join(out))
    index.append(len(text))
    return canonical, index


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks: "Đăng ký" -> "Dang ky"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, diacritic-free form used as the token lemma."""
    return strip_diacritics(text).lower()


def lemma(word: str) -> str:
    """The feature form of one segmented word: folded, abbreviations expanded, syllables spaced."""
    folded = fold(word).replace("_", " ")
    table = abbreviations()
    return " ".join(table.get(s, s) for s in folded.split())


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text
