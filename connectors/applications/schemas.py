"""Public shapes of the dossier lookup API (stable: the actions and acceptance suites read them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from connectors.applications.models import ApplicationStatusName
from vnid import (
    InvalidIdentifierError,
    parse_code,
    parse_id_number_or_last_digits,
    parse_phone_or_last_digits,
)

STATUS_LABELS: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "in_progress": "Đang giải quyết",
    "needs_supplement": "Cần bổ sung hồ sơ",
    "done": "Đã có kết quả",
    "returned": "Trả lại hồ sơ (không giải quyết)",
    "overdue": "Quá hạn giải quyết",
}

NOT_FOUND_DETAIL = (
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và thông tin định danh đã cung cấp."
)


def _invalid(exc: InvalidIdentifierError) -> PydanticCustomError:
    # a custom error keeps the message as written (no "Value error, " prefix)
    return PydanticCustomError("invalid_identifier", str(exc))


class LookupRequest(BaseModel):
    """A dossier code plus what only the applicant knows: CCCD or phone, full or last 4 digits."""

    code: str = Field(min_length=1, max_length=64, examples=["000.00.30.H56-261115-0012"])
    id_number: str | None = Field(
        default=None, max_length=32, description="12-digit CCCD, or its last 4 digits",
        examples=["079203001234", "1234"],
    )
    phone: str | None = Field(
        default=None, max_length=32, description="phone in any spelling, or its last 4 digits",
        examples=["0912345678", "+84 912 345 678", "5678"],
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        try:
            return parse_code(value)
        except InvalidIdentifierError as exc:
            raise _invalid(exc) from exc

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return parse_id_number_or_last_digits(value)
        except InvalidIdentifierError as exc:
            raise _invalid(exc) from exc

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return parse_phone_or_last_digits(value)
        except InvalidIdentifierError as exc:
            raise _invalid(exc) from exc

    @model_validator(mode="after")
    def _needs_an_identifier(self) -> LookupRequest:
        if self.id_number is None and self.phone is None:
            raise PydanticCustomError(
                "identifier_missing",
                "Cần cung cấp số CCCD/định danh hoặc số điện thoại đã khai khi nộp hồ sơ "
                "(đầy đủ hoặc 4 số cuối).",
            )
        return self


class ApplicationEventPublic(BaseModel):
    status: ApplicationStatusName
    status_label: str
    at: datetime
    note: str | None = None


class ApplicationStatusPublic(BaseModel):
    found: Literal[True] = True
    code: str
    status: ApplicationStatusName
    status_label: str
    procedure_code: str
    procedure_name: str
    procedure_short_name: str | None = None
    applicant_name: str = Field(description="masked, e.g. 'N. V. An'")
    agency: str
    channel: str
    received_at: datetime
    due_at: datetime | None = Field(default=None, description="ngày hẹn trả kết quả")
    completed_at: datetime | None = None
    is_overdue: bool = Field(
        description="past the due date without a result (status overdue, or still open and late)"
    )
    supplement_note: str | None = Field(
        default=None, description="what the citizen must supplement (status needs_supplement)"
    )
    supplement_due_at: datetime | None = Field(
        default=None, description="the deadline for the supplement (status needs_supplement)"
    )
    status_note: str | None = Field(
        default=None, description="the note of the latest step, e.g. why a dossier was returned"
    )
    history: list[ApplicationEventPublic]
    as_of: datetime | None = Field(
        default=None,
        description="when the province's system gave this answer (None: the connectors' own "
        "database, always current)",
    )
    stale: bool = Field(
        default=False,
        description="a copy from as_of, shown because the province's system is not answering now",
    )


class LookupUnavailable(BaseModel):
    """503 (the province's system is down or busy) or 502 (it answered what we cannot read)."""

    found: Literal[False] = False
    reason: Literal["upstream_busy", "upstream_unreadable"]
    detail: str


class LookupNotFound(BaseModel):
    """Same body for an unknown code and for a wrong identifier: codes cannot be probed."""

    found: Literal[False] = False
    detail: str = NOT_FOUND_DETAIL
