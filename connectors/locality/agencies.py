"""Which of this locality's offices handle a procedure, from the agency its record names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from connectors.locality.service import Locality, Office
from connectors.text import words

KINDS_FILE = Path(__file__).resolve().parent / "agency_kinds.yml"


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


def offices_for(locality: Locality, kinds: list[str]) -> list[Office]:
    """The locality's offices of those kinds, in the kinds' order, each once."""
    chosen: list[Office] = []
    for kind in kinds:
        for office in locality.offices:
            if kind in office.kinds and office not in chosen:
                chosen.append(office)
    return chosen
