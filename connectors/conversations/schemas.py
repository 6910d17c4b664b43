"""Public shapes of the handoff and rating API (read by the action server and the staff console)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from connectors.conversations.models import (
    COMMENT_LENGTH,
    CONVERSATION_ID_LENGTH,
    LAST_MESSAGE_LENGTH,
    HandoffReasonName,
    HandoffStatusName,
)
from connectors.validation import optional_phone

# Identifiers and names: printable, one line (PostgreSQL refuses NUL in text: it never gets there).
_NO_CONTROL = r"^[^\x00-\x1f\x7f]+$"
# Free text from citizens: keep newlines and tabs, drop the other control characters (NUL included).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ConversationId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=CONVERSATION_ID_LENGTH, pattern=_NO_CONTROL
    ),
]


def clean_text(value: str | None) -> str | None:
    """Citizen text without control characters and surrounding blanks; blank is None."""
    if value is None:
        return None
    return _CONTROL_IN_TEXT.sub("", value).strip() or None


class HandoffCreate(BaseModel):
    conversation_id: ConversationId = Field(examples=["c8f2a1d0-5b7e-4f3a-9c61-2e0d4b7a9f10"])
    channel: str | None = Field(
        default=None, max_length=32, description="web, zalo, rest, …", examples=["web"]
    )
    reason: HandoffReasonName = Field(examples=["request_human"])
    last_message: str | None = Field(
        default=None,
        description=f"the citizen's last message; cut to {LAST_MESSAGE_LENGTH} characters",
        examples=["Tôi muốn gặp cán bộ để hỏi về hồ sơ khai sinh"],
    )

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        channel = value.strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.\-]*", channel):
            raise PydanticCustomError(
                "invalid_channel", "Kênh là một tên ngắn không dấu, ví dụ web, zalo, rest."
            )
        return channel

    contact_phone: str | None = Field(
        default=None, max_length=32,
        description="a phone number the citizen gave to be called back on (normalised)",
        examples=["0912345678"],
    )

    @field_validator("last_message")
    @classmethod
    def _last_message(cls, value: str | None) -> str | None:
        text = clean_text(value)
        return None if text is None else text[:LAST_MESSAGE_LENGTH]

    @field_validator("contact_phone")
    @classmethod
    def _contact_phone(cls, value: str | None) -> str | None:
        return optional_phone(value)


class HandoffCreated(BaseModel):
    id: int
    status: HandoffStatusName
    staff_available: bool = Field(description="staff are on duty now (the locality's staff_hours)")
    next_opening: datetime | None = Field(
        default=None,
        description="when staff are next on duty, in the locality's time zone; null while they "
        "are on duty now or when no opening is known",
    )


class HandoffPublic(BaseModel):
    """A handoff as the staff console shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    channel: str | None = None
    reason: HandoffReasonName
    last_message: str | None = None
    contact_phone: str | None = None
    status: HandoffStatusName
    taken_by: str | None = None
    created_at: datetime
    updated_at: datetime


class HandoffUpdate(BaseModel):
    """Who takes it is the logged-in staff member: a ``taken_by`` in the body is refused."""

    model_config = ConfigDict(extra="forbid")

    status: HandoffStatusName


Score = Annotated[int, Field(ge=1, le=5, strict=True, description="1 (poor) to 5 (excellent)")]


class RatingCreate(BaseModel):
    conversation_id: ConversationId = Field(examples=["c8f2a1d0-5b7e-4f3a-9c61-2e0d4b7a9f10"])
    score: Score = Field(examples=[5])
    comment: str | None = Field(
        default=None, description=f"at most {COMMENT_LENGTH} characters",
        examples=["Trả lời nhanh, dễ hiểu."],
    )

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        text = clean_text(value)
        if text is not None and len(text) > COMMENT_LENGTH:
            raise PydanticCustomError(
                "comment_too_long",
                "Góp ý dài tối đa {max_length} ký tự.",
                {"max_length": COMMENT_LENGTH},
            )
        return text


class RatingSaved(BaseModel):
    id: int


class RatingSummary(BaseModel):
    count: int
    average: float | None = Field(description="mean score, 2 decimals; null without ratings")
    distribution: dict[int, int] = Field(
        description="number of ratings per score, every score 1..5 present",
        examples=[{"1": 0, "2": 1, "3": 2, "4": 5, "5": 12}],
    )
