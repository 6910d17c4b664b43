"""The portal client sends the action server's service token on every request, and the
connectors let the action server's calls through with it (and only with it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from actions.clients.portal import PortalClient, PortalError
from actions.settings import ActionSettings

pytestmark = pytest.mark.anyio

Call = Callable[[PortalClient], Awaitable[Any]]

CALLS: dict[str, Call] = {
    "handoff": lambda p: p.request_handoff("c-1", "request_human", "web", "cho tôi gặp cán bộ"),
    "rating": lambda p: p.rate("c-1", 5),
    "feedback": lambda p: p.create_feedback(
        topic="Đèn đường", description="Đèn đường hỏng cả tuần", location=None,
        contact_phone=None,
    ),
    "feedback status": lambda p: p.feedback("PA-261122-7K3Q9X"),
    "dossier look-up": lambda p: p.lookup_application("000.00.30.H56-261115-0012",
                                                      id_number="079203001234", client_id="c-1"),
    "locality": lambda p: p.locality(),
}


@pytest.mark.parametrize("call", list(CALLS))
async def test_every_request_carries_the_service_token(call: str) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(answer), base_url="http://connectors"
    ) as http:
        portal = PortalClient("http://connectors", 1.0, http, service_token="the-token")
        with pytest.raises(PortalError):
            await CALLS[call](portal)

    assert [r.headers.get("X-Service-Token") for r in seen] == ["the-token"]
    if call == "dossier look-up":
        assert seen[0].headers["X-Client-Id"] == "c-1"  # the request's own headers kept


async def test_the_connectors_let_the_action_server_in(portal: PortalClient) -> None:
    """Refusals without the token: tests/connectors/test_staff_access.py."""
    receipt = await portal.request_handoff("c-token", "request_human", "web", None)

    assert receipt.status == "open"


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_SERVICE_TOKEN", "from-env")

    assert ActionSettings().connectors_service_token == "from-env"
