"""The one HTTP client session the Zalo channel uses for Zalo's API and its token endpoint."""

from __future__ import annotations

import aiohttp

# Zalo answers a send in a fraction of a second; a citizen's next turn waits behind this one
TIMEOUT = aiohttp.ClientTimeout(total=10, connect=3)
# connections kept to Zalo at once: a burst of answers reuses them instead of opening dozens
MAX_CONNECTIONS = 20


class LazySession:
    """Made on first use, inside the server's event loop (aiohttp binds a session to its loop)."""

    def __init__(self, timeout: aiohttp.ClientTimeout = TIMEOUT) -> None:
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS)
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
