"""Which dossiers a conversation has proved it owns: only those can be followed.

A successful look-up (code plus the applicant's CCCD or phone digits, checked and rate-limited
by the look-up endpoint) leaves a short-lived mark keyed by digests of the conversation and the
code. Subscribing asks for that mark, so nobody follows a code they only guessed, and the
subscribe endpoint is no second, unlimited way to test codes.
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


def remember_proof(cache: Cache, client: str, code: str) -> None:
    """After a found look-up by ``client`` (``id:<sender>`` or ``ip:<address>``)."""
    try:
        cache.client.set(_key(cache, client, code), "1", ex=PROOF_SECONDS)
    except redis.RedisError as exc:  # the citizen can still read the status; only opt-in fails
        logger.warning("look-up proof not kept (Redis unreachable): %s", exc)


def has_proof(cache: Cache, client: str, code: str) -> bool:
    try:
        return bool(cache.client.exists(_key(cache, client, code)))
    except redis.RedisError as exc:
        logger.warning("look-up proof not readable (Redis unreachable): %s", exc)
        return False
