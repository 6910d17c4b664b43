"""Vietnamese word segmentation (underthesea) as a Rasa 3.6 tokenizer.

Tokens keep exact offsets in the original message (the text Rasa stores and shows); their lemma is
the folded, abbreviation-expanded form (see ``bot.nlu.text``), read by the lemma-based featurizers
so that "đăng ký khai sinh", "dang ky khai sinh" and "đkks" produce the same features.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.text import has_diacritics, lemma, to_nfc

# Kept whole as one token each: dossier codes, feedback codes, and numbers with the separators
# citizens type inside them ("0987 654 321", "+84 912 345 678", "091.234.5678"). underthesea would
# glue them to the word before ("mã 000.00.07") or cut them at a dot, misaligning entities.
# The look-behind starts a dossier code only where a run of letters and digits starts: without it
# every position inside a long run was tried again to its end (2,000 letters took 0.4 s, 8,000 took
# 7 s). A code found from inside a run is always also found from its start, so nothing else changes.
_PROTECTED = re.compile(
    r"(?<![0-9a-z])[0-9a-z]+(?:\s*\.\s*[0-9a-z]+)+\s*-\s*\d{6}\s*-\s*\d{4,6}"
    r"|pa\s*-\s*\d{6}\s*-\s*[0-9a-z]{6}"
    r"|\+?\d(?:[\d.\-]|\s(?=\d))*\d|\d",
    re.IGNORECASE,
)
# Without diacritics underthesea's compounds are unreliable ("lam giay" joined): use syllables.
_SYLLABLE = re.compile(r"\w+|[^\w\s]")


# underthesea reads at most this many characters at once: its cost grows faster than the text
# (10,000 characters 0.7 s, 100,000 characters 10.6 s in one call), in pieces it grows linearly.
_PIECE_CHARS = 500


def _pieces(chunk: str) -> list[str]:
    """``chunk`` cut into consecutive pieces of at most ``_PIECE_CHARS``, after a sentence end
    when there is one in the second half of the piece, else after a space."""
    pieces: list[str] = []
    start = 0
    while len(chunk) - start > _PIECE_CHARS:
        window = chunk[start : start + _PIECE_CHARS]
        cut = max(window.rfind(mark) for mark in ".!?\n")
        if cut < _PIECE_CHARS // 2:
            cut = window.rfind(" ")
        if cut <= 0:  # no space at all: a word is never longer than this anyway
            cut = _PIECE_CHARS - 1
        pieces.append(window[: cut + 1])
        start += cut + 1
    pieces.append(chunk[start:])
    return pieces


def _words(chunk: str) -> list[str]:
    if not has_diacritics(chunk):
        return _SYLLABLE.findall(chunk)
    from underthesea import word_tokenize  # heavy import, kept out of module import

    return [word for piece in _pieces(chunk) for word in word_tokenize(piece)]


def segment(text: str) -> list[Token]:
    """Split ``text`` into words as Tokens with offsets into ``text`` itself."""
    canonical, index = to_nfc(text)
    spans: list[tuple[int, int, bool]] = []  # (start, end, protected) over ``canonical``
    position = 0
    for match in _PROTECTED.finditer(canonical):
        if match.start() > position:
            spans.append((position, match.start(), False))
        spans.append((match.start(), match.end(), True))
        position = match.end()
    if position < len(canonical):
        spans.append((position, len(canonical), False))

    tokens: list[Token] = []
    for start, end, protected in spans:
        chunk = canonical[start:end]
        words = [chunk] if protected else _words(chunk)
        offset = 0
        for word in words:
            # underthesea's words are substrings of the chunk, except that it sometimes inserts a
            # space ("TÒ$" -> "TÒ $"): such a word is placed piece by piece, never dropped
            pieces = [word] if chunk.find(word, offset) >= 0 else word.split()
            for piece in pieces:
                found = chunk.find(piece, offset)
                if found < 0:  # defensive: never lose the rest of a message over one odd word
                    continue
                offset = found + len(piece)
                o_start, o_end = index[start + found], index[start + offset]
                tokens.append(Token(text[o_start:o_end], o_start, o_end, lemma=lemma(piece)))
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
