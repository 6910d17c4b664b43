"""Status changes of dossiers kept in the province's system (DOSSIER_SOURCE=upstream).

They change there, not through our API, so nothing emits them: the notifier's worker polls, every
NOTIFY_POLL_SECONDS, each dossier someone follows, straight from the source (never a cached copy,
which is refreshed on the way), and compares its status with the last one known for it (Redis:
what the follower was shown on subscribing, else what the first round read). A difference is the
same ``StatusChange`` the API emits, on the same stream under the same key scheme. Moving the
known status and emitting happen in one script: of several connectors instances polling at once
exactly one emits, and after a restart the known status is still there, so nothing is told twice.
The time of the change is the upstream's (its history's latest step of that status, or the
completion time); an upstream that gives none gets the time of the round that saw it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from connectors.applications.sources.base import (
    DossierRecord,
    SourceUnavailable,
    SourceUnreadable,
)
from connectors.cache import Cache
from connectors.notifications.service import followed_codes
from connectors.notifications.stream import (
    StatusChange,
    keep_known,
    know_status,
    known_status,
    transition,
)

logger = logging.getLogger(__name__)

Read = Callable[[Session, str, datetime], DossierRecord | None]


@dataclass
class PollReport:
    checked: int = 0
    emitted: int = 0
    unavailable: int = 0  # the upstream could not answer for this dossier: asked next round


def change_time(record: DossierRecord, seen: datetime) -> datetime:
    """When the dossier took its current status, as its source says; else ``seen``."""
    for event in reversed(record.events):  # oldest first
        if event.status == record.status:
            return event.at
    if record.status == "done" and record.completed_at is not None:
        return record.completed_at
    return seen


class Poller:
    def __init__(
        self, cache: Cache, session_factory: sessionmaker[Session], read: Read,
        clock: Callable[[], datetime],
    ) -> None:
        self._cache = cache
        self._sessions = session_factory
        self._read = read
        self._clock = clock

    def claim_round(self, interval_seconds: float) -> bool:
        """True for the one connectors instance that polls this interval (the others skip it:
        the province's system is asked once per dossier and interval, not once per instance)."""
        return bool(self._cache.client.set(
            self._cache.key("notify", "poll-round"), "1", nx=True,
            px=max(1, int(interval_seconds * 1000)),
        ))

    def poll_once(self) -> PollReport:
        """Reads every followed dossier once. Raises redis.RedisError (the round is retried)."""
        report = PollReport()
        with self._sessions() as session:
            for code in followed_codes(session):
                report.checked += 1
                now = self._clock()
                known = known_status(self._cache, code)
                try:
                    record = self._read(session, code, now)
                except (SourceUnavailable, SourceUnreadable) as exc:
                    report.unavailable += 1
                    logger.info("followed dossier not read, asked again next round: %s", exc)
                    continue
                if record is None:  # the province no longer knows it: nothing to tell
                    continue
                if known is None:
                    know_status(self._cache, code, record.status)
                elif known == record.status:
                    keep_known(self._cache, code)
                elif transition(
                    self._cache, StatusChange(code, record.status, change_time(record, now)), known
                ):
                    report.emitted += 1
        return report
