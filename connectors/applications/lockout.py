"""Dossier look-ups refused per dossier code and over every code, whoever asks.

The per-client limit (``ratelimit.RateLimiter``) counts per ``X-Client-Id``, which the caller
chooses: a fresh id on each request escapes it. These limits count failed look-ups of one code
(an unknown code and a wrong identifier alike, or locking would reveal which codes exist) and
failed look-ups over all codes, so guessing the last 4 digits gets nowhere however many client
ids or chat senders an attacker uses.

While a code is locked every look-up of it is refused, the right digits too: a brute force learns
nothing during the cool-down. A successful look-up does not clear the failures either, or the
owner's own success would hand the attacker fresh tries.

Each look-up is counted as failed when it is admitted and taken back only if it succeeds: counting
after the database answered would let a burst of concurrent guesses all pass the check first.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from typing import Literal

from connectors.applications.ratelimit import Counters
from connectors.cache import Cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockoutPolicy:
    code_failures: int  # failed look-ups of one code within code_window_seconds, then locked
    code_window_seconds: int
    code_lockout_seconds: int
    global_failures: int  # failed look-ups of all codes in one global window, then all refused
    global_window_seconds: int


@dataclass(frozen=True)
class Attempt:
    """An admitted look-up, counted as failed until ``LookupLockout.settle`` hears otherwise."""

    code: str
    now: float
    code_counter: str  # the key counting the code's failures in the window of ``now``
    recent: float  # the code's failures over the last window, this attempt included


@dataclass(frozen=True)
class Refusal:
    reason: Literal["code", "global"]
    retry_after: int  # seconds


def code_key(code: str) -> str:
    """Dossier codes are hashed in keys and logs: Redis never holds a citizen's code."""
    return hashlib.sha256(("dossier:" + code).encode("utf-8")).hexdigest()[:24]


class LookupLockout:
    """``now`` is the connectors' clock (seconds since the epoch): tests move it."""

    def __init__(self, cache: Cache, policy: LockoutPolicy) -> None:
        self._counters = Counters(cache)
        self._policy = policy

    def admit(self, code: str, now: float) -> Attempt | Refusal:
        """Counts a look-up of ``code`` as failed, or says why it is refused (before the database
        is asked: a refused look-up learns nothing, and does not count)."""
        policy = self._policy
        (locked_until_ms,) = self._counters.read([self._lock_key(code)], now)
        if locked_until_ms > now * 1000:
            return Refusal("code", max(1, math.ceil((locked_until_ms - now * 1000) / 1000)))
        # the end of the last lock names the generation of the code's counters: after a lock the
        # code counts afresh, without deleting counters that look-ups in flight still add to
        generation = str(locked_until_ms)
        failures = self._counters.incr(self._global_key(now), policy.global_window_seconds + 1, now)
        if failures > policy.global_failures:
            # refusals stay counted: the window is closed anyway, and this logs once a window
            if failures == policy.global_failures + 1:
                logger.warning(
                    "%d failed dossier look-ups within %ds over all codes: every look-up refused "
                    "until the window ends (a brute force over many codes?)",
                    policy.global_failures, policy.global_window_seconds,
                )
            width = policy.global_window_seconds
            return Refusal("global", max(1, math.ceil((now // width + 1) * width - now)))
        window = int(now // policy.code_window_seconds)
        counter = self._code_key(code, generation, window)
        # kept for two windows: the next one reads it as its previous window
        count = self._counters.incr(counter, 2 * policy.code_window_seconds + 1, now)
        (before,) = self._counters.read([self._code_key(code, generation, window - 1)], now)
        # failures over the last window's length, the previous window weighted by its share of
        # it: fixed windows alone would let 9 tries just before the hour and 10 just after pass
        share = ((window + 1) * policy.code_window_seconds - now) / policy.code_window_seconds
        recent = count + before * share
        if recent > policy.code_failures:  # tries in flight, all at once: lock now
            self._take_back(counter, now)
            self._lock(code, now, recent - 1)
            return Refusal("code", policy.code_lockout_seconds)
        return Attempt(code, now, counter, recent)

    def settle(self, attempt: Attempt, found: bool) -> None:
        """A found dossier takes its own count back (earlier failures stay); a failure that
        reaches the limit locks the code."""
        if found:
            self._take_back(attempt.code_counter, attempt.now)
            return
        if attempt.recent >= self._policy.code_failures:
            self._lock(attempt.code, attempt.now, attempt.recent)

    def _take_back(self, counter: str, now: float) -> None:
        policy = self._policy
        self._counters.incr(counter, 2 * policy.code_window_seconds + 1, now, -1)
        self._counters.incr(self._global_key(now), policy.global_window_seconds + 1, now, -1)

    def _lock(self, code: str, now: float, failures: float) -> None:
        policy = self._policy
        # the end of the lock in the value (milliseconds), by our clock: Redis only expires it
        until_ms = math.floor((now + policy.code_lockout_seconds) * 1000)
        # kept past its end while the counters of the generation before it may still be read
        keep = policy.code_lockout_seconds + 2 * policy.code_window_seconds + 1
        self._counters.put(self._lock_key(code), until_ms, keep, now)
        logger.warning(
            "dossier code #%s locked for %ds after %d failed look-ups",
            code_key(code)[:8], policy.code_lockout_seconds, math.ceil(failures),
        )

    def _code_key(self, code: str, generation: str, window: int) -> str:
        return self._counters.key("lookup-code", generation, str(window), code_key(code))

    def _lock_key(self, code: str) -> str:
        return self._counters.key("lookup-lock", code_key(code))

    def _global_key(self, now: float) -> str:
        return self._counters.key(
            "lookup-failures", str(int(now // self._policy.global_window_seconds))
        )
