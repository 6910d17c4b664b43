"""The client every upstream system of a province is called through (connectors/upstream).

It is our own client talking to an outside system, so these tests answer for the outside system
with ``httpx.MockTransport``; the whole chain is tested against real loopback fakes elsewhere
(test_dossier_upstream.py). The breaker's clock and the backoff's sleep are injected.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from connectors.upstream.client import (
    CircuitOpen,
    UpstreamBadResponse,
    UpstreamClient,
    UpstreamConfigError,
    UpstreamUnavailable,
)
from connectors.upstream.config import UpstreamConfig, UpstreamFileError, read_yaml

KEY = "secret-key-value"
ENV = {"KEY": KEY, "CID": "client-id", "CSECRET": "client-secret"}
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Harness:
    """A client whose upstream answers from ``answers`` (one per call, the last repeated)."""

    answers: list[Any]
    config: dict[str, Any] = field(default_factory=dict)
    now: float = 100.0
    requests: list[httpx.Request] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if callable(answer):
            result: httpx.Response = answer(request)
            return result
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json={"ok": answer})

    def client(self) -> UpstreamClient:
        config = UpstreamConfig.model_validate(
            {"name": "demo", "base_url": "https://upstream.test/api", **self.config}
        )
        return UpstreamClient(
            config,
            transport=httpx.MockTransport(self.handle),
            environ=ENV,
            clock=lambda: self.now,
            sleep=self.slept.append,
        )

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def harness(*answers: Any, **config: Any) -> Harness:
    return Harness(list(answers), config)


@pytest.fixture
def api_key() -> dict[str, Any]:
    return {"auth": {"kind": "api_key", "header": "X-Api-Key", "key_env": "KEY"}}


# --- auth ---------------------------------------------------------------------------------------


def test_the_api_key_is_sent_in_the_configured_header(api_key: dict[str, Any]) -> None:
    h = harness(200, **api_key)

    h.client().request("GET", "/hoso/1", idempotent=True)

    assert h.requests[0].headers["X-Api-Key"] == KEY
    assert str(h.requests[0].url) == "https://upstream.test/api/hoso/1"


def oauth(token_answers: list[Any], api_answers: list[Any]) -> Harness:
    tokens = iter(token_answers)
    answers = iter(api_answers)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json=next(tokens))
        status = next(answers)
        return httpx.Response(status, json={})

    h = Harness(
        [handle],
        {
            "auth": {
                "kind": "oauth2_client_credentials",
                "token_url": "/oauth/token",
                "client_id_env": "CID",
                "client_secret_env": "CSECRET",
                "scope": "hoso.read",
            }
        },
    )
    return h


def test_oauth2_client_credentials_fetches_a_token_once_and_reuses_it() -> None:
    h = oauth([{"access_token": "t1", "expires_in": 3600}], [200, 200, 200])
    client = h.client()

    for _ in range(3):
        client.request("GET", "/hoso/1", idempotent=True)

    assert h.paths() == ["/api/oauth/token", "/api/hoso/1", "/api/hoso/1", "/api/hoso/1"]
    token_request = h.requests[0]
    basic = base64.b64encode(b"client-id:client-secret").decode()
    assert token_request.headers["Authorization"] == f"Basic {basic}"
    assert token_request.content == b"grant_type=client_credentials&scope=hoso.read"
    assert {r.headers["Authorization"] for r in h.requests[1:]} == {"Bearer t1"}


def test_oauth2_token_is_fetched_again_shortly_before_it_expires() -> None:
    h = oauth(
        [{"access_token": "t1", "expires_in": 300}, {"access_token": "t2", "expires_in": 300}],
        [200, 200, 200],
    )
    client = h.client()
    client.request("GET", "/a", idempotent=True)
    h.now += 269  # 300 s, less the 30 s margin: still good
    client.request("GET", "/a", idempotent=True)
    h.now += 2  # within the margin
    client.request("GET", "/a", idempotent=True)

    assert [r.headers["Authorization"] for r in h.requests if r.url.path == "/api/a"] == [
        "Bearer t1",
        "Bearer t1",
        "Bearer t2",
    ]


def test_oauth2_token_is_fetched_again_once_after_a_401() -> None:
    h = oauth(
        [{"access_token": "t1", "expires_in": 3600}, {"access_token": "t2", "expires_in": 3600}],
        [401, 200],
    )

    response = h.client().request("GET", "/a", idempotent=True)

    assert response.status_code == 200
    assert h.paths() == ["/api/oauth/token", "/api/a", "/api/oauth/token", "/api/a"]
    assert h.requests[-1].headers["Authorization"] == "Bearer t2"


def test_a_401_with_a_fresh_token_is_returned_not_retried_forever() -> None:
    h = oauth(
        [{"access_token": "t1", "expires_in": 3600}, {"access_token": "t2", "expires_in": 3600}],
        [401, 401],
    )

    response = h.client().request("GET", "/a", idempotent=True)

    assert response.status_code == 401
    assert len(h.requests) == 4


@pytest.mark.parametrize(
    "token_answer", [{"token_type": "Bearer"}, {"access_token": ""}, {"access_token": 5}]
)
def test_a_token_endpoint_without_a_token_makes_the_upstream_unavailable(
    token_answer: dict[str, Any],
) -> None:
    h = oauth([token_answer] * 4, [200])

    with pytest.raises(UpstreamUnavailable, match="access_token"):
        h.client().request("GET", "/a", idempotent=False)


@pytest.mark.parametrize(
    "auth, missing",
    [
        ({"kind": "api_key", "key_env": "NOPE"}, "NOPE"),
        (
            {
                "kind": "oauth2_client_credentials",
                "token_url": "/t",
                "client_id_env": "CID",
                "client_secret_env": "NOPE2",
            },
            "NOPE2",
        ),
    ],
)
def test_a_missing_secret_is_refused_when_the_client_is_made(
    auth: dict[str, Any], missing: str
) -> None:
    h = harness(200, auth=auth)

    with pytest.raises(UpstreamConfigError, match=missing):
        h.client()


@pytest.mark.parametrize(
    "auth, problem",
    [
        ({"kind": "api_key"}, "key_env"),
        ({"kind": "oauth2_client_credentials", "client_id_env": "CID"}, "token_url"),
        ({"kind": "basic"}, "kind"),
        ({"kind": "api_key", "key_env": "KEY", "key": "inline secret"}, "key"),
    ],
)
def test_an_incomplete_auth_section_is_refused(auth: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        UpstreamConfig.model_validate({"name": "x", "base_url": "https://x", "auth": auth})


# --- retries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [500, 502, 503, 429, httpx.ConnectError("refused"), httpx.ReadTimeout("slow")],
    ids=str,
)
def test_an_idempotent_call_is_retried_once_after_backoff(first: Any) -> None:
    h = harness(first, 200, resilience={"backoff_seconds": 0.2})

    response = h.client().request("GET", "/a", idempotent=True)

    assert response.status_code == 200
    assert len(h.requests) == 2
    assert len(h.slept) == 1 and 0.2 <= h.slept[0] <= 0.3  # backoff plus up to half in jitter


def test_a_call_that_is_not_idempotent_is_never_retried() -> None:
    h = harness(500, 200)

    with pytest.raises(UpstreamUnavailable, match="HTTP 500"):
        h.client().request("POST", "/a", idempotent=False, json={"x": 1})

    assert len(h.requests) == 1
    assert h.slept == []


def test_two_failures_raise_unavailable_with_the_last_error() -> None:
    h = harness(500, httpx.ReadTimeout("slow"), resilience={"timeout_seconds": 0.5})

    with pytest.raises(UpstreamUnavailable, match=r"timeout after 0\.5 s"):
        h.client().request("GET", "/a", idempotent=True)


@pytest.mark.parametrize("status", [200, 201, 204, 400, 401, 403, 404, 409, 422])
def test_answers_below_500_are_the_callers_to_read(status: int) -> None:
    h = harness(status)

    assert h.client().request("GET", "/a", idempotent=True).status_code == status
    assert len(h.requests) == 1


def test_the_timeout_of_the_file_applies_to_every_attempt() -> None:
    seen: list[Any] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200)

    h = harness(handle, resilience={"timeout_seconds": 0.7})
    h.client().request("GET", "/a", idempotent=True)

    assert seen == [{"connect": 0.7, "read": 0.7, "write": 0.7, "pool": 0.7}]


# --- circuit breaker ----------------------------------------------------------------------------


@pytest.fixture
def failing() -> Harness:
    return harness(500, resilience={"breaker_failures": 3, "breaker_reset_seconds": 30})


def fail(client: UpstreamClient, times: int) -> None:
    for _ in range(times):
        with pytest.raises(UpstreamUnavailable):
            client.request("GET", "/a", idempotent=False)


def test_the_circuit_opens_after_consecutive_failures_and_refuses_without_calling(
    failing: Harness,
) -> None:
    client = failing.client()
    fail(client, 3)

    with pytest.raises(CircuitOpen):
        client.request("GET", "/a", idempotent=True)

    assert len(failing.requests) == 3
    assert client.health()["state"] == "open"


def test_a_success_resets_the_count(failing: Harness) -> None:
    failing.answers = [500, 500, 200, 500, 500]
    client = failing.client()
    fail(client, 2)
    client.request("GET", "/a", idempotent=False)
    fail(client, 2)

    assert client.health()["state"] == "closed"
    assert client.health()["consecutive_failures"] == 2


def test_after_the_reset_period_one_trial_goes_out_and_closes_it(failing: Harness) -> None:
    failing.answers = [500, 500, 500, 200]
    client = failing.client()
    fail(client, 3)
    failing.now += 29.9
    assert client.health()["state"] == "open"
    failing.now += 0.1

    assert client.health()["state"] == "half_open"
    assert client.request("GET", "/a", idempotent=True).status_code == 200
    assert client.health()["state"] == "closed"
    assert len(failing.requests) == 4


def test_only_one_trial_at_a_time_in_half_open(failing: Harness) -> None:
    """A trial in flight: every other caller is refused at once."""
    client = failing.client()
    fail(client, 3)
    failing.now += 30
    refused: list[bool] = []

    def trial(request: httpx.Request) -> httpx.Response:
        try:
            client.request("GET", "/b", idempotent=True)
        except CircuitOpen:
            refused.append(True)
        return httpx.Response(200)

    failing.answers = [500, 500, 500, trial]
    client.request("GET", "/a", idempotent=True)

    assert refused == [True]
    assert client.health()["state"] == "closed"


def test_a_failed_trial_opens_it_for_another_full_period(failing: Harness) -> None:
    client = failing.client()
    fail(client, 3)
    failing.now += 30
    fail(client, 1)  # the trial: one attempt, no retry
    failing.now += 29

    with pytest.raises(CircuitOpen):
        client.request("GET", "/a", idempotent=True)
    assert len(failing.requests) == 4


def test_health_says_what_happened_without_secrets(api_key: dict[str, Any]) -> None:
    h = harness(200, 500, resilience={"retries": 0}, **api_key)
    client = h.client()
    client.request("GET", "/a", idempotent=True)
    fail(client, 1)

    health = client.health()

    assert health["name"] == "demo"
    assert health["state"] == "closed"
    assert health["consecutive_failures"] == 1
    assert health["last_error"] == "HTTP 500"
    assert health["last_success_at"] is not None and health["last_failure_at"] is not None
    assert KEY not in str(health)


# --- bodies and files ---------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_bad_response() -> None:
    h = harness(lambda _: httpx.Response(200, content=b"<html>"))
    client = h.client()

    with pytest.raises(UpstreamBadResponse):
        client.json(client.request("GET", "/a", idempotent=True))


def test_read_yaml_names_the_file_it_cannot_read(tmp_path: Any) -> None:
    broken = tmp_path / "province.yml"
    broken.write_text("upstream: [unclosed", encoding="utf-8")

    with pytest.raises(UpstreamFileError, match=r"province\.yml"):
        read_yaml(broken)
    with pytest.raises(UpstreamFileError, match=r"missing\.yml"):
        read_yaml(tmp_path / "missing.yml")


@pytest.fixture(autouse=True)
def _no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The client must sleep through the injected function only."""
    monkeypatch.setattr("time.sleep", lambda _: pytest.fail("slept for real"))
    yield
