"""One synchronous HTTP client per upstream system of a province, with the failure handling a
citizen-facing bot needs: a timeout on every attempt, one retry for reads, and a circuit breaker
so that an upstream which is down costs citizens nothing but a polite "busy" answer.

The connectors' endpoints are synchronous and run in FastAPI's threadpool, so the client is shared
between threads: the breaker state and the OAuth2 token each sit behind a lock.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from connectors.upstream.config import UpstreamConfig

logger = logging.getLogger(__name__)

BreakerState = Literal["closed", "open", "half_open"]

# refetch an OAuth2 token this long before the upstream says it expires (clock drift, slow calls)
_TOKEN_MARGIN_SECONDS = 30.0
_DEFAULT_TOKEN_LIFETIME_SECONDS = 300.0
_NO_TOKEN = "token endpoint answered without a usable access_token"


class UpstreamError(Exception):
    """Anything that keeps an upstream from answering what we asked."""


class UpstreamUnavailable(UpstreamError):
    """Timeout, connection refused, 5xx, 429 or an open circuit: try again later."""


class CircuitOpen(UpstreamUnavailable):
    """Refused at once, without calling the upstream."""


class UpstreamBadResponse(UpstreamError):
    """The upstream answered 2xx, but not with what we can read."""


class UpstreamConfigError(ValueError):
    """The configuration cannot work (a secret's environment variable is missing)."""


class _Breaker:
    """Consecutive-failure circuit breaker; the caller holds the lock around every method."""

    def __init__(self, failures: int, reset_seconds: float, clock: Callable[[], float]) -> None:
        self._threshold = failures
        self._reset = reset_seconds
        self._clock = clock
        self.consecutive_failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._trial_running or self._clock() - self._opened_at >= self._reset:
            return "half_open"
        return "open"

    def admit(self) -> bool:
        """True when a call may go out; in half-open, only one trial call at a time."""
        state = self.state()
        if state == "closed":
            return True
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def success(self) -> None:
        self.consecutive_failures = 0
        self._opened_at = None
        self._trial_running = False

    def failure(self) -> None:
        self.consecutive_failures += 1
        if self._trial_running or self.consecutive_failures >= self._threshold:
            # a failed trial keeps the circuit open for another full reset period
            self._opened_at = self._clock()
            self._trial_running = False


class _Token:
    def __init__(self, value: str, expires_at: float) -> None:
        self.value = value
        self.expires_at = expires_at


class UpstreamClient:
    def __init__(
        self,
        config: UpstreamConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = config.name
        self._config = config
        self._clock = clock
        self._sleep = sleep
        env = os.environ if environ is None else environ
        missing = [n for n in config.auth.env_names() if not env.get(n)]
        if missing:
            raise UpstreamConfigError(
                f"upstream {config.name!r}: environment variable(s) {', '.join(missing)} "
                "must hold the credentials named in its file"
            )
        self._secrets = {n: env[n] for n in config.auth.env_names()}
        self._http = httpx.Client(
            base_url=config.base_url,
            transport=transport,
            timeout=httpx.Timeout(config.resilience.timeout_seconds),
        )
        self._lock = threading.Lock()
        self._token_lock = threading.Lock()
        self._breaker = _Breaker(
            config.resilience.breaker_failures, config.resilience.breaker_reset_seconds, clock
        )
        self._token: _Token | None = None
        self._last_success_at: datetime | None = None
        self._last_failure_at: datetime | None = None
        self._last_error: str | None = None

    # -- public -----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The upstream's response for any status < 500 except 429; the caller maps 404 etc."""
        with self._lock:
            admitted = self._breaker.admit()
            state = self._breaker.state()
        if not admitted:
            raise CircuitOpen(f"upstream {self.name!r}: circuit {state}, not calling")
        # a half-open trial is one attempt: a retry would double the wait of the trial's citizen
        attempts = 1 + (self._config.resilience.retries if idempotent and state == "closed" else 0)
        error = "no attempt"
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                self._sleep(self._backoff(attempt - 1))
            try:
                response = self._send(method, path, json=json, params=params, headers=headers)
            except UpstreamUnavailable as exc:
                error = str(exc)
            except httpx.TimeoutException:
                error = f"timeout after {self._config.resilience.timeout_seconds:g} s"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            except Exception:
                # an unexpected error must not leave a half-open trial running forever
                self._failed("unexpected error")
                raise
            else:
                if response.status_code >= 500 or response.status_code == 429:
                    error = f"HTTP {response.status_code}"
                    response.close()
                else:
                    self._succeeded()
                    return response
            # no path: it carries a dossier code or, in a query, a citizen's identifiers
            logger.warning(
                "upstream %s: %s attempt %d/%d failed: %s",
                *(self.name, method, attempt, attempts, error),
            )
        self._failed(error)
        raise UpstreamUnavailable(f"upstream {self.name!r}: {error}")

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise UpstreamBadResponse(
                f"upstream {self.name!r}: HTTP {response.status_code} body is not JSON"
            ) from exc

    def health(self) -> dict[str, Any]:
        with self._lock:
            return {
                "name": self.name,
                "state": self._breaker.state(),
                "consecutive_failures": self._breaker.consecutive_failures,
                "last_success_at": _iso(self._last_success_at),
                "last_failure_at": _iso(self._last_failure_at),
                "last_error": self._last_error,
            }

    def close(self) -> None:
        self._http.close()

    # -- internals --------------------------------------------------------------------------

    def _backoff(self, retry: int) -> float:
        base = self._config.resilience.backoff_seconds * 2 ** (retry - 1)
        # jitter keeps many connectors instances from retrying in step
        return float(base + random.uniform(0, base / 2))

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        auth = self._config.auth
        sent = dict(headers or {})
        if auth.kind == "api_key":
            assert auth.key_env is not None  # checked by AuthConfig
            sent[auth.header] = self._secrets[auth.key_env]
        elif auth.kind == "oauth2_client_credentials":
            sent["Authorization"] = f"Bearer {self._bearer(refresh=False)}"
        response = self._http.request(method, path, json=json, params=params, headers=sent)
        if response.status_code == 401 and auth.kind == "oauth2_client_credentials":
            # the upstream may revoke or rotate tokens before their announced expiry
            response.close()
            sent["Authorization"] = f"Bearer {self._bearer(refresh=True)}"
            response = self._http.request(method, path, json=json, params=params, headers=sent)
        return response

    def _bearer(self, *, refresh: bool) -> str:
        with self._token_lock:
            token = self._token
            if not refresh and token is not None and self._clock() < token.expires_at:
                return token.value
            self._token = None
            self._token = self._fetch_token()
            return self._token.value

    def _fetch_token(self) -> _Token:
        auth = self._config.auth
        assert auth.token_url and auth.client_id_env and auth.client_secret_env
        data = {"grant_type": "client_credentials"}
        if auth.scope:
            data["scope"] = auth.scope
        # RFC 6749 2.3.1: client credentials in HTTP Basic, which every server must accept
        response = self._http.post(
            auth.token_url,
            data=data,
            auth=(self._secrets[auth.client_id_env], self._secrets[auth.client_secret_env]),
        )
        if response.status_code != 200:
            raise UpstreamUnavailable(f"token endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
            value = body["access_token"]
            lifetime = float(body.get("expires_in", _DEFAULT_TOKEN_LIFETIME_SECONDS))
        except (ValueError, KeyError, TypeError) as exc:
            raise UpstreamUnavailable(_NO_TOKEN) from exc
        if not isinstance(value, str) or not value:
            raise UpstreamUnavailable(_NO_TOKEN)
        margin = min(_TOKEN_MARGIN_SECONDS, lifetime / 2)
        return _Token(value, self._clock() + lifetime - margin)

    def _succeeded(self) -> None:
        with self._lock:
            if self._breaker.state() != "closed":
                logger.warning("upstream %s: answering again, circuit closed", self.name)
            self._breaker.success()
            self._last_success_at = datetime.now(UTC)

    def _failed(self, error: str) -> None:
        with self._lock:
            before = self._breaker.state()
            self._breaker.failure()
            after = self._breaker.state()
            self._last_failure_at = datetime.now(UTC)
            self._last_error = error
        if after == "open" and before != "open":
            logger.error(
                "upstream %s: circuit open after %d consecutive failures (%s); refusing for %g s",
                self.name,
                self._breaker.consecutive_failures,
                error,
                self._config.resilience.breaker_reset_seconds,
            )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
