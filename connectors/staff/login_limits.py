"""How many login attempts a username, and a client address, get before a cool-down.

Every attempt counts, the right password included, and the limit is checked before the password:
past the limit a guesser learns nothing, not even from a success. Unknown usernames are counted
like known ones, so a 429 does not reveal which accounts exist.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from connectors.applications.ratelimit import RateLimiter
from connectors.cache import Cache

ATTEMPTS_PER_USERNAME = 10
# staff of one office may share an address (NAT): the per-client limit is looser
ATTEMPTS_PER_CLIENT = 30
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class LoginLimits:
    per_username: RateLimiter
    per_client: RateLimiter

    def retry_after(self, username: str, client: str) -> int | None:
        """Counts one attempt; None when it may go on, else the seconds to wait."""
        decisions = [self.per_username.hit(username), self.per_client.hit(client)]
        refused = [d.retry_after for d in decisions if not d.allowed]
        return max(refused) if refused else None


def make_login_limits(cache: Cache, clock: Callable[[], float] = time.time) -> LoginLimits:
    return LoginLimits(
        per_username=RateLimiter(
            cache, "staff-login-user", ATTEMPTS_PER_USERNAME, WINDOW_SECONDS, clock
        ),
        per_client=RateLimiter(
            cache, "staff-login-client", ATTEMPTS_PER_CLIENT, WINDOW_SECONDS, clock
        ),
    )
