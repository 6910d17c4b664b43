"""A message of digits alone ("123456", "0") says nothing an intent can be read from (an emoji
or a "👍" does: small talk has rules for them).

The classifier still names an intent for it (digits look like the ID numbers of ``inform``), at a
confidence that sits on the fallback threshold and flips with every retraining. Unless an
extractor found something in it (a phone, an ID number: those have their own rules), its intent
confidence is set to zero, so the FallbackClassifier after it always asks back.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

_BARE_NUMBER = re.compile(r"^[\s.,:;+\-()/#]*\d[\d\s.,:;+\-()/#]*$")
CONFIDENCE = "confidence"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class BareNumbers(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BareNumbers:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = str(message.get(TEXT) or "")
            intent = message.get(INTENT)
            if not intent or not _BARE_NUMBER.match(text) or message.get(ENTITIES):
                continue
            message.set(INTENT, {**intent, CONFIDENCE: 0.0}, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [{**r, CONFIDENCE: 0.0} for r in ranking],
                        add_to_output=True)
        return messages
