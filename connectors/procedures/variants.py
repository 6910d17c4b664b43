"""Families of procedures citizens name alike, and the message details that pick the member
(``connectors/seed/variants.yml``): "mất hộ chiếu" is reporting the loss, not a new passport."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from connectors.procedures.reading import contains_phrase

VARIANTS_FILE = Path(__file__).resolve().parent.parent / "seed" / "variants.yml"


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    # what happened to the paper ("mất", "hết hạn", "hỏng"): the most telling evidence
    cues: list[str] = Field(default_factory=list)
    # generic words for the act ("làm lại", "cấp lại", "đổi"): they pick the member only when no
    # member's situation cue (or age) is in the message ("cccd hết hạn làm lại" is a renewal)
    verbs: list[str] = Field(default_factory=list)
    age_below: int | None = None
    default: bool = False


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    members: list[Member]
    # the members to offer, in this order, when nothing in the message picks one ("bằng lái B2":
    # a licence to get, or one the citizen holds?); empty: the default member answers
    ask_when_vague: list[str] = Field(default_factory=list)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.members)

    def pick(self, ws: tuple[str, ...], ages: tuple[int, ...], current: str) -> tuple[str, str]:
        """(the member the message means, why): a situation cue or an age, else a verb, else the
        default member. Within a tier, members are tried in order."""
        for member in self.members:
            cue = next((c for c in member.cues if contains_phrase(ws, c)), None)
            if cue is not None:
                return member.code, cue
            if member.age_below is not None and any(a < member.age_below for a in ages):
                return member.code, f"age<{member.age_below}"
        for member in self.members:
            verb = next((c for c in member.verbs if contains_phrase(ws, c)), None)
            if verb is not None:
                return member.code, verb
        default = next((m.code for m in self.members if m.default), current)
        return default, "default"


class Menu(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    cues: list[str]
    codes: list[str]


class Variants(BaseModel):
    model_config = ConfigDict(extra="forbid")

    families: list[Family] = Field(default_factory=list)
    menus: list[Menu] = Field(default_factory=list)

    def family_of(self, code: str) -> Family | None:
        return next((f for f in self.families if code in f.codes), None)

    def menu_for(self, ws: tuple[str, ...]) -> Menu | None:
        return next((m for m in self.menus if any(contains_phrase(ws, c) for c in m.cues)), None)


@lru_cache(maxsize=4)
def variants_fingerprint(path: Path = VARIANTS_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=4)
def load_variants(path: Path = VARIANTS_FILE) -> Variants:
    return Variants.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
