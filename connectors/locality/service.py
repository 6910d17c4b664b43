"""The locality (province/city) a deployment serves: name, offices, hotline, portal. From data only."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel


class Office(BaseModel):
    name: str
    level: str
    address: str
    hours: str
    phone: str | None = None


class Locality(BaseModel):
    name: str
    kind: str = "tỉnh"
    demo: bool = False
    hotline: str
    hotline_label: str | None = None
    portal_name: str
    portal_url: str
    vneid_note: str | None = None
    offices: list[Office]


@lru_cache(maxsize=4)
def load_locality(path: Path) -> Locality:
    with path.open(encoding="utf-8") as f:
        return Locality.model_validate(yaml.safe_load(f))
