from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from connectors.applications.models import ApplicationStatusName
from vnid import InvalidIdentifierError, parse_code


class SubscriptionCreate(BaseModel):
    code: str = Field(min_length=1, max_length=64, examples=["000.00.30.H56-261115-0012"])
    channel: Literal["zalo"] = "zalo"
    sender_id: str = Field(min_length=1, max_length=255, examples=["zalo-6142494823"])

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        try:
            return parse_code(value)
        except InvalidIdentifierError as exc:
            raise PydanticCustomError("invalid_identifier", str(exc)) from exc


class SubscriptionPublic(BaseModel):
    code: str
    channel: str
    created_at: datetime
    last_interaction_at: datetime


class CancelledPublic(BaseModel):
    cancelled: int = Field(description="how many dossiers the conversation stopped following")


class StatusEventCreate(BaseModel):
    status: ApplicationStatusName
    at: datetime | None = Field(
        default=None,
        description="when the status changed (default: now); the same change sent again, with "
        "the same time, is recorded and told once",
    )
    note: str | None = Field(default=None, max_length=2000)


class StatusEventPublic(BaseModel):
    code: str
    status: ApplicationStatusName
    at: datetime
    changed: bool = Field(description="false: the dossier already had this status")
    queued: bool = Field(description="false: this change had been queued for notification before")
