"""Shared by the catalogue console tests: a database of their own (they write to it), Redis on
a key prefix of their own, the audit entries written, a fixed clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.admin.models import AuditEntry
from connectors.cache import Cache

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
SAMPLE = Path(__file__).parent.parent / "fixtures" / "national_sample.jsonl"
BIRTH = "1.001193"  # curated "Đăng ký khai sinh"
# words no procedure of the seed explains: search abstains (no_fit) until an alias adds them
UNHEARD = "mừng chào đời"


def fresh_cache() -> Iterator[Cache]:
    cache = Cache(REDIS_TEST_URL, f"test:catalogue:{uuid.uuid4().hex[:8]}:", 600)
    yield cache
    for key in cache.client.scan_iter(match=cache.key("*")):
        cache.client.delete(key)
    cache.close()


def audit_entries(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ))
