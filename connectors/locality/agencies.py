"""Which of this locality's offices handle a procedure, from the agency its record names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from connectors.locality.service import Locality, Office
from connectors.text import words

KINDS_FILE = Path(__file__).resolve().parent / "agency_kinds.yml"
PLACES_FILE = Path(__file__).resolve().parent / "places.yml"


class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    phrases: list[str]


@lru_cache(maxsize=1)
def _rules() -> tuple[KindRule, ...]:
    data = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8")) or []
    return tuple(KindRule.model_validate(item) for item in data)


def kinds_of(agency: str | None) -> list[str]:
    """Office kinds an agency text names, in the order the text names them."""
    ws = words(agency or "")
    taken: set[int] = set()
    found: dict[str, int] = {}
    for rule in _rules():
        for phrase in sorted(rule.phrases, key=lambda p: -len(p.split())):
            cue = phrase.split()
            n = len(cue)
            for i in range(len(ws) - n + 1):
                if ws[i:i + n] == cue and not taken.intersection(range(i, i + n)):
                    taken.update(range(i, i + n))
                    found.setdefault(rule.kind, i)
    return sorted(found, key=found.__getitem__)


# A record that names no agency still says at which level the procedure is settled; when that is
# one level, its offices are this locality's offices of that level (one-stop shops).
LEVEL_KINDS = {"cap xa": "commune", "cap tinh": "province_center"}
OTHER_LEVEL = "co quan khac"


def kinds_of_level(level: str | None) -> list[str]:
    """Office kinds for a record's level ("Cấp xã" -> commune), none when it names several."""
    parts = {" ".join(words(p)) for p in (level or "").split(",")} - {"", OTHER_LEVEL}
    if len(parts) != 1:
        return []
    kind = LEVEL_KINDS.get(parts.pop())
    return [kind] if kind else []


# A record settled at one level only is served by this locality's offices of that level: "nộp tại
# Bộ phận một cửa hoặc Trung tâm Phục vụ hành chính công" of a commune procedure (a death
# registration) means the commune's centre, not the province's.
OFFICE_LEVELS = {"cap xa": "xã", "cap tinh": "tỉnh"}


def office_level(level: str | None) -> str | None:
    """The offices' level ("xã") of a record settled at one level ("Cấp xã"), else None."""
    parts = {" ".join(words(p)) for p in (level or "").split(",")} - {"", OTHER_LEVEL}
    return OFFICE_LEVELS.get(parts.pop()) if len(parts) == 1 else None


def offices_for(locality: Locality, kinds: list[str], level: str | None = None) -> list[Office]:
    """The locality's offices of those kinds (of that level, if given), in the kinds' order, each
    once."""
    chosen: list[Office] = []
    for kind in kinds:
        for office in locality.offices:
            if kind in office.kinds and office not in chosen and level in (None, office.level):
                chosen.append(office)
    return chosen


class PlaceRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    place: str
    agency: list[str] = []
    name: list[str] = []


@lru_cache(maxsize=1)
def place_rules() -> tuple[PlaceRule, ...]:
    data = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8")) or []
    return tuple(PlaceRule.model_validate(item) for item in data)


def _says(ws: list[str], phrases: list[str]) -> bool:
    for phrase in phrases:
        cue = phrase.split()
        if any(ws[i:i + len(cue)] == cue for i in range(len(ws) - len(cue) + 1)):
            return True
    return False


def place_of(agency: str | None, name: str | None) -> str | None:
    """Whose commune a local office is for this procedure (connectors/locality/places.yml): the
    place rule its agency text states ("nơi cư trú cuối cùng của người chết"), else the one its
    name implies (a building permit: where the construction is); None when the record says none."""
    agency_words, name_words = words(agency or ""), words(name or "")
    for rule in place_rules():
        if _says(agency_words, rule.agency):
            return rule.place
    for rule in place_rules():
        if _says(name_words, rule.name):
            return rule.place
    return None
