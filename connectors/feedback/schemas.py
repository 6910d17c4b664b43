"""Public shapes of the feedback API. The contact details go in and never come out."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from connectors.feedback.models import FeedbackStatusName
from connectors.validation import optional_phone

# No 0/O, 1/I/L: a code read aloud over the phone or copied by hand survives.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_RANDOM_LENGTH = 6
TRACKING_CODE_RE = re.compile(rf"^PA-\d{{6}}-[{TRACKING_ALPHABET}]{{{TRACKING_RANDOM_LENGTH}}}$")

STATUS_LABELS: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "processing": "Đang xử lý",
    "answered": "Đã trả lời",
    "closed": "Đã đóng",
}

Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4000)
]
OptionalText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)]


def without_control_characters(text: str) -> str:
    """The text without control characters (and lone surrogates) except newline and tab."""
    text = text.replace("\r\n", "\n")
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def normalize_tracking_code(raw: str) -> str | None:
    """``' pa-261122-7k3q9x '`` -> ``'PA-261122-7K3Q9X'``; None when it cannot be one."""
    code = re.sub(r"\s*-\s*", "-", raw.strip().upper())
    return code if TRACKING_CODE_RE.match(code) else None


class FeedbackCreate(BaseModel):
    topic: Topic = Field(examples=["Đèn đường hỏng"])
    description: Description = Field(
        examples=["Đèn đường trước số 12 đường Mẫu bị hỏng hơn một tuần, buổi tối rất tối."]
    )
    location: OptionalText = Field(default=None, examples=["Số 12 đường Mẫu, phường Trung Tâm"])
    contact_name: Annotated[
        str | None, StringConstraints(strip_whitespace=True, max_length=200)
    ] = None
    contact_phone: Annotated[str | None, Field(max_length=32)] = None
    conversation_id: Annotated[
        str | None,
        StringConstraints(strip_whitespace=True, max_length=255),
        Field(description="the chat's sender id (sent by the action server; never returned)"),
    ] = None

    @field_validator("topic", "description", "location", "contact_name", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # NUL and other control characters break the staff console, logs and exports; newline
        # and tab are text. Removed before the length rules, so "\x00" alone is too short.
        return without_control_characters(value) if isinstance(value, str) else value

    @field_validator("location", "contact_name")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return optional_phone(value)


class FeedbackCreated(BaseModel):
    tracking_code: str
    status: FeedbackStatusName
    created_at: datetime


class FeedbackEventPublic(BaseModel):
    status: FeedbackStatusName
    status_label: str
    at: datetime
    note: str | None = None


class FeedbackPublic(BaseModel):
    tracking_code: str
    status: FeedbackStatusName
    status_label: str
    topic: str
    created_at: datetime
    updated_at: datetime
    response: str | None = Field(default=None, description="the agency's answer, once there is one")
    forwarded_at: datetime | None = Field(
        default=None,
        description="when the province's feedback system accepted it (None: not forwarded, or "
        "no such system configured)",
    )
    history: list[FeedbackEventPublic]
