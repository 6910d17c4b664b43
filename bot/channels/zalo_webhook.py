"""What the Zalo webhook answers, decided before anything slow happens.

Zalo wants HTTP 200 within about 2 seconds, or it sends the event again and may switch the
webhook off. So ``receive`` only checks the signature (401 otherwise), reads the event, drops
repeats and events older than EVENT_MAX_AGE_SECONDS (a signed event replayed after its duplicate
record expired), hands the rest to a background task and answers at once. The dialogue and the
sends happen in that task.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.channels.zalo_dedup import SEEN_SECONDS, Seen
from bot.channels.zalo_events import Incoming, read_event
from bot.channels.zalo_signature import signature_valid

logger = logging.getLogger(__name__)

# as long as a repeat is remembered: an older event could be a replay nobody can recognise
EVENT_MAX_AGE_SECONDS = SEEN_SECONDS


@dataclass(frozen=True)
class Ack:
    status: int
    body: dict[str, str]


UNSIGNED = Ack(401, {"detail": "Chữ ký của sự kiện không hợp lệ."})


@dataclass
class ZaloWebhook:
    app_id: str
    oa_secret_key: str
    seen: Seen
    deliver: Callable[[Incoming], Coroutine[Any, Any, None]]
    clock: Callable[[], float] = time.time
    # background tasks are referenced until they end (asyncio keeps only weak references)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def receive(self, signature: str | None, body: bytes) -> Ack:
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return Ack(400, {"detail": "Nội dung sự kiện không phải JSON hợp lệ."})
        if not isinstance(data, dict):
            return Ack(400, {"detail": "Nội dung sự kiện phải là một đối tượng JSON."})
        timestamp = data.get("timestamp")
        stamp = str(timestamp) if isinstance(timestamp, (str, int)) else ""
        if not signature_valid(signature, self.app_id, body, stamp, self.oa_secret_key):
            logger.warning("zalo: webhook event with a missing or wrong signature refused")
            return UNSIGNED
        if str(data.get("app_id")) != self.app_id:
            logger.warning("zalo: webhook event for another app refused")
            return UNSIGNED
        incoming = read_event(data)
        if incoming is None:
            return Ack(200, {"status": "ignored"})
        if self._too_old(incoming):
            logger.warning("zalo: %s event older than %d s dropped", incoming.event,
                           EVENT_MAX_AGE_SECONDS)
            return Ack(200, {"status": "stale"})
        if not await self.seen.first_time(incoming.key):
            return Ack(200, {"status": "duplicate"})
        task = asyncio.create_task(self.deliver(incoming))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return Ack(200, {"status": "accepted"})

    def _too_old(self, incoming: Incoming) -> bool:
        if incoming.timestamp_ms is None:
            return False
        return self.clock() - incoming.timestamp_ms / 1000 > EVENT_MAX_AGE_SECONDS
