"""Helpers of the end-to-end tests. The ``stack``, ``say`` and ``sender`` fixtures live in
tests/conftest.py: tests/e2e and tests/security share one running stack per session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# the Redis database every test stack uses (its keys carry a per-run prefix)
REDIS_URL = "redis://127.0.0.1:6379/15"

Say = Callable[[str, str], list[dict[str, Any]]]
