"""The locality (province/city) a deployment serves: offices, hotline, portal, staff hours. Data."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, model_validator

from connectors.locality.hours import StaffHours


class Office(BaseModel):
    name: str
    level: str
    kinds: list[str] = Field(
        default_factory=list, description="what it handles (connectors/locality/agency_kinds.yml)"
    )
    address: str
    placeholder: bool = Field(
        default=False, description="an invented address (demo): never shown as a real one"
    )
    hours: str
    phone: str | None = None

    @model_validator(mode="after")
    def _placeholder_has_no_phone(self) -> Office:
        # an invented office has no phone of its own: any number given would be someone else's
        if self.placeholder and self.phone:
            raise ValueError(f"{self.name}: a placeholder office has no phone (give the hotline)")
        return self


class Locality(BaseModel):
    name: str
    kind: str = "tỉnh"
    demo: bool = False
    hotline: str
    hotline_label: str | None = None
    staff_hours_text: str = Field(
        default="-", description="when staff answer, as citizens read it (the bot says it)"
    )
    portal_name: str
    portal_url: str
    vneid_note: str | None = None
    offices: list[Office]
    staff_hours: StaffHours | None = Field(
        default=None, description="when staff can take a conversation over from the bot"
    )
    holidays: list[date] = Field(
        default_factory=list, description="days without staff (public holidays), local dates"
    )

    @model_validator(mode="after")
    def _demo_offices_are_named_by_kind(self) -> Locality:
        # the demo province does not exist: an office named after it would read as a real office
        if self.demo:
            invented = [o.name for o in self.offices if self.name.casefold() in o.name.casefold()]
            if invented:
                raise ValueError(f"demo offices named after the invented {self.name}: {invented}")
        return self


@lru_cache(maxsize=4)
def load_locality(path: Path) -> Locality:
    with path.open(encoding="utf-8") as f:
        return Locality.model_validate(yaml.safe_load(f))
