"""A staff account added straight into a running stack's database (the console's tests sign in
with it)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import create_engine
from sqlalchemy.orm import Session


def add_staff(database_url: str, role: str, display_name: str, password: str) -> str:
    """The new account's username."""
    from connectors.staff.schemas import StaffCreate
    from connectors.staff.service import create_account

    username = f"{role}-{uuid.uuid4().hex[:6]}"
    engine = create_engine(database_url)
    with Session(engine) as session:
        create_account(session, StaffCreate(username=username, display_name=display_name,
                                            role=role, password=password),
                       datetime.now(timezone.utc))
    engine.dispose()
    return username
