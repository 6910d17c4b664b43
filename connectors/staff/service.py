"""Staff accounts and login sessions. Passwords and tokens are never logged; usernames are."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.applications.service import as_utc
from connectors.staff.models import StaffAccount, StaffSession
from connectors.staff.passwords import (
    dummy_hash,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from connectors.staff.schemas import StaffCreate, StaffUpdate

logger = logging.getLogger(__name__)


class AccountExists(Exception):
    pass


class AccountNotFound(LookupError):
    pass


class SelfLockout(Exception):
    """An admin may not demote or deactivate their own account (the last admin would lock all
    out)."""


def normalize_username(raw: str) -> str:
    return raw.strip().lower()


def find_account(session: Session, username: str) -> StaffAccount | None:
    return session.scalars(
        select(StaffAccount).where(StaffAccount.username == normalize_username(username))
    ).first()


def list_accounts(session: Session) -> list[StaffAccount]:
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.username)))


def create_account(session: Session, data: StaffCreate, now: datetime) -> StaffAccount:
    account = StaffAccount(
        username=data.username, display_name=data.display_name, role=data.role,
        password_hash=hash_password(data.password), active=True, created_at=as_utc(now),
    )
    session.add(account)
    try:
        session.commit()
    except IntegrityError as exc:  # the unique username, also when two admins race
        session.rollback()
        raise AccountExists(data.username) from exc
    logger.info("staff account %s created (%s)", account.username, account.role)
    return account


def update_account(
    session: Session, username: str, data: StaffUpdate, acting: StaffAccount, now: datetime
) -> StaffAccount:
    account = find_account(session, username)
    if account is None:
        raise AccountNotFound(username)
    if account.id == acting.id and (
        (data.role is not None and data.role != account.role) or data.active is False
    ):
        raise SelfLockout(username)
    if data.role is not None:
        account.role = data.role
    if data.active is not None:
        account.active = data.active
    if data.active is False:  # a deactivated account's open sessions end now
        session.execute(
            update(StaffSession)
            .where(StaffSession.account_id == account.id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=as_utc(now))
        )
    session.commit()
    logger.info(
        "staff account %s changed by %s: role=%s active=%s",
        account.username, acting.username, account.role, account.active,
    )
    return account


def authenticate(session: Session, username: str, password: str) -> StaffAccount | None:
    """The active account with this password, else None; unknown names cost one scrypt too."""
    account = find_account(session, username)
    if account is None:
        verify_password(password, dummy_hash())
        return None
    if not verify_password(password, account.password_hash) or not account.active:
        return None
    return account


def open_session(
    session: Session, account: StaffAccount, now: datetime, lifetime: timedelta
) -> tuple[str, StaffSession]:
    """A new session: (the token, given once to the caller; the stored session)."""
    now = as_utc(now)
    # housekeeping: this account's ended sessions are of no use any more
    session.execute(
        delete(StaffSession).where(
            StaffSession.account_id == account.id, StaffSession.expires_at <= now
        )
    )
    token = new_token()
    staff_session = StaffSession(
        token_hash=token_hash(token), account_id=account.id, created_at=now,
        expires_at=now + lifetime, revoked_at=None,
    )
    session.add(staff_session)
    session.commit()
    logger.info("staff %s logged in (session %s)", account.username, staff_session.id)
    return token, staff_session


def session_of(session: Session, token: str, now: datetime) -> StaffSession | None:
    """The live session of this token: not revoked, not expired, its account active."""
    found = session.scalars(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    ).first()
    if found is None or found.revoked_at is not None or not found.account.active:
        return None
    if as_utc(found.expires_at) <= as_utc(now):
        return None
    return found


def revoke(session: Session, staff_session: StaffSession, now: datetime) -> None:
    staff_session.revoked_at = as_utc(now)
    session.commit()
    logger.info(
        "staff %s logged out (session %s)", staff_session.account.username, staff_session.id
    )
