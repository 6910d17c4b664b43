"""Keeps one entity per span: the CRF and the regex extractor both find phone and ID numbers.

The regex result wins (exact by construction); other extractors' duplicates of the same span and
type are dropped, so stories and actions see each value once.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

PREFERRED = "RegexEntityExtractor"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class EntityDeduplicator(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityDeduplicator:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            kept: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
            for entity in entities:
                key = (entity.get("start"), entity.get("end"), entity.get("entity"))
                if key not in kept or entity.get("extractor") == PREFERRED:
                    kept[key] = entity
            if len(kept) != len(entities):
                message.set(ENTITIES, list(kept.values()), add_to_output=True)
        return messages
