"""Which dossiers a conversation has proved it owns: only those can be followed.

A successful look-up (code plus the applicant's CCCD or phone digits, checked and rate-limited
by the look-up endpoint) leaves a short-lived mark keyed by digests of the conversation and the
code. Subscribing asks for that mark, so nobody follows a code they only guessed, and the
subscribe endpoint is no second, unlimited way to test codes. The mark holds the status the
citizen was shown: what a change of a province's dossier is told against (poller.py).
"""

from __future__ import annotations

import hashlib
import logging

import redis

from connectors.cache import Cache

logger = logging.getLogger(__name__)

# long enough for the opt-in question at the end of a look-up, short enough to be a fresh proof
PROOF_SECONDS = 30 * 60


def _key(cache: Cache, client: str, code: str) -> str:
    digest = hashlib.sha256(f"{client}\x00{code}".encode()).hexdigest()[:32]
    return cache.key("notify", "proof", digest)


def remember_proof(cache: Cache, client: str, code: str, status: str) -> None:
    """After a found look-up by ``client`` (``id:<sender>`` or ``ip:<address>``) that showed
    ``status``."""
    try:
        cache.client.set(_key(cache, client, code), status, ex=PROOF_SECONDS)
    except redis.RedisError as exc:  # the citizen can still read the status; only opt-in fails
        logger.warning("look-up proof not kept (Redis unreachable): %s", exc)


def proved_status(cache: Cache, client: str, code: str) -> str | None:
    """The status the conversation's recent look-up showed; None: no such look-up (or Redis
    unreachable), so no proof."""
    try:
        value = cache.client.get(_key(cache, client, code))
    except redis.RedisError as exc:
        logger.warning("look-up proof not readable (Redis unreachable): %s", exc)
        return None
    return value if isinstance(value, str) else None


def has_proof(cache: Cache, client: str, code: str) -> bool:
    return proved_status(cache, client, code) is not None
