"""Dossier status changes, as entries of a Redis stream read by the notifier's consumer group.

One idempotency key per change (dossier code, new status, time of the change): emitting the same
change twice (a retried request, two pollers) adds one entry. The key and the entry are written
by one Lua script, so a crash cannot leave the key without the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from connectors.applications.service import as_utc
from connectors.cache import Cache

GROUP = "notifier"
# how long a change's key is remembered: longer than any retry of the same change
KEY_SECONDS = 30 * 86_400
# the stream keeps about this many changes, handled or not (a notifier down for weeks loses the
# oldest rather than fill Redis)
MAX_ENTRIES = 100_000

_EMIT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'key', ARGV[2],
                    'code', ARGV[3], 'status', ARGV[4], 'at', ARGV[5])
end
return false
"""


@dataclass(frozen=True)
class StatusChange:
    code: str
    status: str
    at: datetime

    @property
    def key(self) -> str:
        return f"{self.code}|{self.status}|{as_utc(self.at).isoformat()}"

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> StatusChange:
        return cls(fields["code"], fields["status"], datetime.fromisoformat(fields["at"]))


def stream_key(cache: Cache) -> str:
    return cache.key("notify", "changes")


def emit(cache: Cache, change: StatusChange) -> bool:
    """Adds the change to the stream unless it was already; True when added. Raises
    redis.RedisError when Redis is unreachable (the caller answers 503: the change is recorded,
    sending it again is safe)."""
    added = cache.client.eval(
        _EMIT, 2, cache.key("notify", "emitted", change.key), stream_key(cache),
        str(KEY_SECONDS), change.key, change.code, change.status, as_utc(change.at).isoformat(),
        str(MAX_ENTRIES),
    )
    return cast(object, added) is not None  # nil: the change was emitted before
