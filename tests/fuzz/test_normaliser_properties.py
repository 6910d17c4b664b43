"""Properties of the connectors' normaliser (connectors/text.py) and of the reading of a message
(connectors/procedures/reading.py): what every search and resolve request goes through."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given

from connectors.procedures.reading import contains_phrase, read
from connectors.text import expand_query, fold, words
from tests.fuzz.strategies import ADVERSARIAL, any_text

VIETNAMESE = "ĐĂNG KÝ KHAI SINH cần giấy tờ gì, hòa hoà Hoà khoẻ ủy uỷ"


@given(text=any_text)
@example(text=VIETNAMESE)
@example(text="İ ǅ ﬁ ß ẞ")  # letters whose case mapping changes their length or decomposition
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(text=any_text)
@example(text=VIETNAMESE)
def test_fold_leaves_no_vietnamese_mark_and_no_capital_d_stroke(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded and "Đ" not in folded


@given(text=any_text)
@example(text=VIETNAMESE)
def test_fold_reads_composed_and_decomposed_text_alike(text: str) -> None:
    # phones send NFD ("a" + combining accent), keyboards NFC: one search either way
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@given(text=any_text)
@example(text="dang ky khai sinh cccd o dau")
def test_words_are_a_fixed_point(text: str) -> None:
    # the folded, expanded words read again give themselves: an expansion is never re-expanded
    once = words(text)
    assert words(" ".join(once)) == once
    assert all(w and w == w.strip() for w in once)


@given(text=any_text)
def test_expand_query_keeps_the_question(text: str) -> None:
    assert expand_query(text).startswith(text)


@given(text=any_text)
@example(text="bé nhà mình 5 tuổi có cần làm căn cước ko")
@example(text="99 tuoi 100 tuoi 7t")
def test_read_never_raises_and_points_inside_the_message(text: str) -> None:
    reading = read(text)
    positions = reading.cue_positions | reading.situation_positions
    assert all(0 <= i < len(reading.words) for i in positions)
    assert all(0 <= age <= 99 for age in reading.ages)
    assert reading.text == " ".join(reading.words)
    for name in reading.aspects + reading.out_of_reach:
        assert name  # every cue found has a name


@given(text=any_text)
def test_a_message_contains_its_own_words(text: str) -> None:
    ws = tuple(words(text))
    for word in ws[:5]:
        assert contains_phrase(ws, word)


@pytest.mark.parametrize("attack", sorted(ADVERSARIAL))
@pytest.mark.parametrize("normalise", [fold, words, expand_query, read])
def test_returns_on_a_backtracking_attack(attack: str, normalise: object) -> None:
    # plain run; on 50 kB: fold, words and expand_query under 0.3 s, read under 1 s (2-core machine)
    assert callable(normalise)
    normalise(ADVERSARIAL[attack])
