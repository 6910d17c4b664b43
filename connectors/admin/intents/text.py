"""Training example text: entity annotations, the plain and unaccented forms, comparisons.

Examples are written as Rasa reads them: ``hồ sơ [000.00.30.H56-241115-0012](application_code)``
(``[text](entity)``, ``[text](entity:value)`` or ``[text]{"entity": ...}``). What a citizen typed
is the plain form, with the annotations' brackets removed; duplicates are judged on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.text import fold

# rasa/shared/nlu/training_data/entities_parser.py (Rasa 3.6), the same groups
ENTITY_REGEX = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}|\[(?P<list_entity_dicts>.*?)\])"
)
_ENTITY_DICT_NAME = re.compile(r'"entity"\s*:\s*"([^"]+)"')
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")
MAX_EXAMPLE_LENGTH = 500


@dataclass(frozen=True)
class Annotation:
    text: str
    entity: str


def entities_of(example: str) -> list[Annotation]:
    found: list[Annotation] = []
    for match in ENTITY_REGEX.finditer(example):
        entity = match.group("entity")
        if entity is None:
            names = _ENTITY_DICT_NAME.findall(
                match.group("entity_dict") or match.group("list_entity_dicts") or ""
            )
            entity = names[0] if names else ""
        found.append(Annotation(match.group("entity_text"), entity.strip()))
    return found


def plain(example: str) -> str:
    """What the citizen typed: the example without its annotation markup."""
    return ENTITY_REGEX.sub(lambda m: m.group("entity_text"), example)


def exact_key(example: str) -> str:
    """Equal for examples Rasa would see as the same message (case and spacing aside)."""
    return _SPACES.sub(" ", plain(example)).strip().lower()


def folded_key(example: str) -> str:
    """Equal for the same words with or without diacritics (and punctuation)."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", fold(plain(example)))).strip()


def clean(raw: str) -> str:
    """The example as it will be written: one line, single spaces."""
    return _SPACES.sub(" ", raw).strip()


def problem(example: str, entities: frozenset[str]) -> str | None:
    """Why this example cannot be written to the training data, or None."""
    if not example:
        return "Câu mẫu đang để trống."
    if len(example) > MAX_EXAMPLE_LENGTH:
        return f"Câu mẫu dài quá {MAX_EXAMPLE_LENGTH} ký tự."
    if example.startswith(("#", "-", "|", ">", "!", "%", "@", "`")):
        return "Câu mẫu không được bắt đầu bằng ký tự đặc biệt (#, -, |, >, ...)."
    unknown = sorted({a.entity for a in entities_of(example)} - entities)
    if unknown:
        return (
            "Thực thể không có trong miền hội thoại: " + ", ".join(unknown)
            + ". Cách ghi đúng: [khai sinh](procedure)."
        )
    stripped = plain(example)
    if any(ch in stripped for ch in "[]") and "](" not in example:
        return "Dấu ngoặc vuông chỉ dùng để đánh dấu thực thể, ví dụ [khai sinh](procedure)."
    return None
