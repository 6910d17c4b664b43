"""Staff accounts (who may read citizens' messages) and their login sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectors.db import Base

RoleName = Literal["agent", "supervisor", "editor", "admin"]
# Each role may do everything the roles before it may.
ROLES: tuple[RoleName, ...] = (
    "agent",  # the handoff queue
    "supervisor",  # + ratings, feedback lists; the console's "reviewer" (conversations, KPIs)
    "editor",  # + the console's intents, responses, catalogue, training and publishing
    "admin",  # + staff accounts, the audit log, deleting a citizen's data, unmasked personal data
)
USERNAME_LENGTH = 64
DISPLAY_NAME_LENGTH = 200
TOKEN_HASH_LENGTH = 64  # sha256, hex


def role_rank(role: str) -> int:
    return ROLES.index(role)


class StaffAccount(Base):
    __tablename__ = "staff_account"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(20))
    # scrypt$n$r$p$salt$hash (see passwords.py): the parameters travel with each hash
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffSession(Base):
    """One login. Only the token's sha256 is stored: a copy of the database opens no session."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    account: Mapped[StaffAccount] = relationship(lazy="joined")
