"""Vietnamese word segmentation (underthesea) as a Rasa 3.6 tokenizer.

Tokens keep exact offsets in the original message (the text Rasa stores and shows); their lemma is
the folded, abbreviation-expanded form (see ``bot.nlu.text``), read by the lemma-based featurizers
so that "đăng ký khai sinh", "dang ky khai sinh" and "đkkh" produce the same features.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.text import lemma, to_nfc


def segment(text: str) -> list[Token]:
    """Split ``text`` into underthesea words as Tokens with offsets into ``text`` itself."""
    from underthesea import word_tokenize  # heavy import, kept out of module import

    canonical, index = to_nfc(text)
    tokens: list[Token] = []
    offset = 0
    for word in word_tokenize(canonical):
        # underthesea returns literal substrings of its input (the list form, not format="text")
        start = canonical.find(word, offset)
        if start < 0:  # defensive: never lose the rest of a message over one odd word
            continue
        end = start + len(word)
        offset = end
        o_start, o_end = index[start], index[end]
        tokens.append(Token(text[o_start:o_end], o_start, o_end, lemma=lemma(word)))
    return tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Word tokenizer for Vietnamese based on underthesea's ``word_tokenize``."""

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["vi"]

    @staticmethod
    def required_packages() -> list[str]:
        return ["underthesea"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The base class reads all four keys; dropping one raises KeyError at train time.
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute)
        if not text:
            return []
        return self._apply_token_pattern(segment(text))
