"""Public shapes of the staff API. Password hashes and session tokens' hashes never come out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from connectors.staff.models import DISPLAY_NAME_LENGTH, USERNAME_LENGTH, RoleName

# Lower case on the way in, so "Binh.NT" and "binh.nt" are one account.
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=USERNAME_LENGTH,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$",
    ),
]
DisplayName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=DISPLAY_NAME_LENGTH,
        pattern=r"^[^\x00-\x1f\x7f]+$",
    ),
]
PASSWORD_MIN_LENGTH = 12
# scrypt's cost does not grow with the length; the cap only keeps request bodies small
NewPassword = Annotated[str, StringConstraints(min_length=PASSWORD_MIN_LENGTH, max_length=256)]


class LoginRequest(BaseModel):
    # no format rules here: a malformed name is just a failed login, with the same 401
    username: Annotated[str, StringConstraints(max_length=256)] = Field(examples=["binh.nt"])
    password: Annotated[str, StringConstraints(max_length=256)]


class LoginResult(BaseModel):
    token: str = Field(description="send as `Authorization: Bearer <token>`")
    expires_at: datetime
    role: RoleName


class StaffPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    role: RoleName
    active: bool
    created_at: datetime


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username = Field(examples=["binh.nt"])
    display_name: DisplayName = Field(examples=["Nguyễn Thị Bình"])
    role: RoleName
    password: NewPassword = Field(description=f"at least {PASSWORD_MIN_LENGTH} characters")


class StaffUpdate(BaseModel):
    """Change the role, deactivate (or reactivate) an account; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    role: RoleName | None = None
    active: bool | None = None
