"""Digits alone always ask back; a message with words or with an entity keeps its intent."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.bare_numbers import BareNumbers


def classified(text: str, entities: list[dict[str, Any]] | None = None) -> Message:
    message = Message(data={TEXT: text, ENTITIES: entities or []})
    message.set(INTENT, {"name": "inform", "confidence": 0.49})
    message.set(INTENT_RANKING_KEY, [{"name": "inform", "confidence": 0.49},
                                     {"name": "rate", "confidence": 0.44}])
    return message


@pytest.mark.parametrize(
    "text, entities, confidence",
    [
        ("123456", None, 0.0),
        ("0", None, 0.0),
        ("  12 - 34 ", None, 0.0),
        # a phone or an ID number found in it: its own rules answer
        ("0912345678", [{"entity": "phone_number", "value": "0912345678"}], 0.49),
        # words: the classifier's reading stands
        ("5 sao", None, 0.49),
        ("mã 123456", None, 0.49),
        ("👍", None, 0.49),
        ("😀😀😀", None, 0.49),
    ],
)
def test_digits_alone_get_no_intent(
    text: str, entities: list[dict[str, Any]] | None, confidence: float
) -> None:
    message = BareNumbers().process([classified(text, entities)])[0]

    assert message.get(INTENT)["confidence"] == confidence
    expected_ranking = [0.0, 0.0] if confidence == 0.0 else [0.49, 0.44]
    assert [r["confidence"] for r in message.get(INTENT_RANKING_KEY)] == expected_ranking
