"""Typed client for the connectors API. The only way actions reach the portal's data."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from vnid import request_id

logger = logging.getLogger(__name__)


class PortalError(Exception):
    """Base of the errors actions handle; none of them may reach the citizen as a traceback."""


class PortalUnavailable(PortalError):
    """The connectors are down, slow or answered with a server error.

    ``reason`` is the connectors' word for why, when they said it (``upstream_busy``: the
    province's system is not answering; ``upstream_unreadable``: it answered what cannot be read).
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(PortalError):
    """The thing asked for does not exist (or does not match, for dossiers)."""


class Withdrawn(NotFound):
    """A procedure withdrawn from the national catalogue (410): no longer in force, so never
    answered as current; actions that catch ``NotFound`` treat it as no such procedure."""


class RateLimited(PortalError):
    def __init__(self, retry_after: int | None) -> None:
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


class ResolvedProcedure(BaseModel):
    code: str
    name: str
    title: str
    short_name: str | None = None
    coverage: float = 0.0
    named: int = 0


class Resolution(BaseModel):
    """What the connectors read in a message: which procedure (how sure), and what it asks."""

    decision: str  # confident | weak | none | menu | no_fit
    reason: str = ""
    procedure: ResolvedProcedure | None = None
    candidates: list[ResolvedProcedure] = []
    aspects: list[str] = []
    out_of_reach: list[str] = []
    menu: str | None = None
    names_a_paper: bool = False


class Document(BaseModel):
    name: str
    copy_kind: str | None = None
    quantity: int | None = None
    form_name: str | None = None
    group: str = "nộp"
    note: str | None = None


class Channel(BaseModel):
    kind: str
    processing_time: float | None = None
    time_unit: str | None = None
    time_text: str | None = None
    fee_text: str | None = None
    fee_amount: int | None = None
    note: str | None = None


class LegalDocument(BaseModel):
    number: str | None = None
    title: str


class Procedure(BaseModel):
    code: str
    name: str
    title: str = ""  # how an officer would say it: the short name, or the name without level
    short_name: str | None = None
    summary: str | None = None
    domain: str | None = None
    level: str | None = None
    agency: str | None = None
    requesters: str | None = None
    conditions: str | None = None
    result: str | None = None
    source_url: str | None = None
    fee_note: str | None = None
    online_url: str | None = None
    documents: list[Document] = []
    channels: list[Channel] = []
    steps: list[str] = []
    legal_basis: list[LegalDocument] = []

    @property
    def display_name(self) -> str:
        return self.title or self.short_name or self.name


class Office(BaseModel):
    name: str
    level: str
    kinds: list[str] = []
    address: str
    placeholder: bool = False
    hours: str
    phone: str | None = None


class Passage(BaseModel):
    field: str
    text: str
    share: float = 0.0


class ProcedureOffices(BaseModel):
    code: str
    agency: str | None = None
    kinds: list[str] = []
    offices: list[Office] = []
    level: str | None = None  # the record names no agency: its offices come from its level
    place: str | None = None  # whose commune a local office is ("construction_site"...)


class Locality(BaseModel):
    name: str
    demo: bool = False  # the demo locality: its name and invented offices are never shown as real
    hotline: str
    staff_hours_text: str = "-"
    portal_name: str
    portal_url: str
    offices: list[Office] = []


class StatusEvent(BaseModel):
    status: str
    status_label: str
    at: datetime
    note: str | None = None


class ApplicationStatus(BaseModel):
    code: str
    status: str
    status_label: str
    procedure_code: str
    procedure_name: str
    procedure_short_name: str | None = None
    agency: str
    received_at: datetime
    due_at: datetime | None = None
    completed_at: datetime | None = None
    is_overdue: bool = False
    supplement_note: str | None = None
    supplement_due_at: datetime | None = None
    status_note: str | None = None
    history: list[StatusEvent] = []
    # when the province's system gave this answer (None: the connectors' own database), and
    # whether it is an older copy shown because that system is not answering now
    as_of: datetime | None = None
    stale: bool = False


class FeedbackReceipt(BaseModel):
    tracking_code: str
    status: str
    created_at: datetime


class FeedbackStatus(BaseModel):
    tracking_code: str
    status: str
    status_label: str
    topic: str
    created_at: datetime
    updated_at: datetime | None = None
    response: str | None = None


class HandoffReceipt(BaseModel):
    id: int
    status: str
    staff_available: bool
    next_opening: datetime | None = None


SERVICE_TOKEN_HEADER = "X-Service-Token"


def _reason(response: httpx.Response) -> str | None:
    """The ``reason`` of an error body (dossier look-ups through the province's system)."""
    try:
        body = response.json()
    except ValueError:
        return None
    reason = body.get("reason") if isinstance(body, dict) else None
    return reason if isinstance(reason, str) else None


def _request_id() -> dict[str, str]:
    """The citizen's message's id, so the connectors' log lines of this call carry it too."""
    rid = request_id.current.get()
    return {request_id.HEADER: rid} if rid else {}


class PortalClient:
    def __init__(
        self,
        base_url: str,
        timeout: float,
        client: httpx.AsyncClient | None = None,
        *,
        service_token: str = "",
    ):
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        # on every request (an injected client too): the public endpoints ignore it
        self._auth = {SERVICE_TOKEN_HEADER: service_token} if service_token else {}
        if not service_token:
            logger.warning(
                "CONNECTORS_SERVICE_TOKEN is not set: handoffs, ratings, feedback and dossier "
                "look-ups will be refused by the connectors"
            )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str, **params: Any) -> Any:
        return await self._request("GET", path, params=params or None)

    async def _request(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        try:
            response = await self._client.request(
                method, path, headers={**self._auth, **_request_id(), **(headers or {})},
                **kwargs,
            )
        except httpx.HTTPError as exc:
            logger.warning("connectors unreachable on %s %s: %s", method, path, type(exc).__name__)
            raise PortalUnavailable(str(exc)) from exc
        if response.status_code == 404:
            raise NotFound(path)
        if response.status_code == 410:
            raise Withdrawn(path)
        if response.status_code == 429:
            retry = response.headers.get("Retry-After")
            raise RateLimited(int(retry) if retry and retry.isdigit() else None)
        if response.status_code >= 500:
            logger.warning("connectors error %s on %s %s", response.status_code, method, path)
            raise PortalUnavailable(f"HTTP {response.status_code}", _reason(response))
        if response.status_code >= 400:
            # our own request was wrong: a bug to log, not something the citizen can fix
            logger.error("connectors refused %s %s: %s", method, path, response.text[:300])
            raise PortalError(f"HTTP {response.status_code}")
        return response.json()

    async def resolve(self, text: str, focus: str | None = None) -> Resolution:
        params: dict[str, Any] = {"q": text[:2000]}
        if focus:
            params["focus"] = focus
        return Resolution.model_validate(await self._get("/api/v1/procedures/resolve", **params))

    async def procedure(self, code: str) -> Procedure:
        return Procedure.model_validate(await self._get(f"/api/v1/procedures/{code}"))

    async def offices(self, code: str) -> ProcedureOffices:
        return ProcedureOffices.model_validate(
            await self._get(f"/api/v1/procedures/{code}/offices")
        )

    async def passages(self, code: str, question: str) -> list[Passage]:
        """The record's sentences that answer a question no field answers whole."""
        body = await self._get(f"/api/v1/procedures/{code}/passages", q=question[:2000])
        return [Passage.model_validate(p) for p in body.get("passages") or []]

    async def locality(self) -> Locality:
        return Locality.model_validate(await self._get("/api/v1/locality"))

    async def lookup_application(
        self,
        code: str,
        *,
        id_number: str | None = None,
        phone: str | None = None,
        client_id: str | None = None,
    ) -> ApplicationStatus:
        """Raises NotFound for an unknown code and for a non-matching identifier alike."""
        body = await self._request(
            "POST",
            "/api/v1/applications/lookup",
            json={"code": code, "id_number": id_number, "phone": phone},
            headers={"X-Client-Id": client_id} if client_id else None,
        )
        return ApplicationStatus.model_validate(body)

    async def create_feedback(
        self,
        *,
        topic: str,
        description: str,
        location: str | None,
        contact_phone: str | None,
        conversation_id: str | None = None,
    ) -> FeedbackReceipt:
        payload = {
            "topic": topic,
            "description": description,
            "location": location,
            "contact_phone": contact_phone,
            # lets a citizen's request to erase their data find the complaint's contact details
            "conversation_id": conversation_id,
        }
        body = await self._request("POST", "/api/v1/feedback", json=payload)
        return FeedbackReceipt.model_validate(body)

    async def feedback(self, tracking_code: str) -> FeedbackStatus:
        return FeedbackStatus.model_validate(await self._get(f"/api/v1/feedback/{tracking_code}"))

    async def request_handoff(
        self, conversation_id: str, reason: str, channel: str | None, last_message: str | None,
        contact_phone: str | None = None,
    ) -> HandoffReceipt:
        body = await self._request(
            "POST",
            "/api/v1/handoffs",
            json={
                "conversation_id": conversation_id,
                "reason": reason,
                "channel": channel,
                "last_message": (last_message or "")[:1000] or None,
                "contact_phone": contact_phone,
            },
        )
        return HandoffReceipt.model_validate(body)

    async def follow_status(self, code: str, sender_id: str, channel: str = "zalo") -> None:
        """Tells the conversation of the dossier's status changes; NotFound is never raised:
        a 403 (no successful look-up of this code here) is a PortalError."""
        await self._request(
            "POST", "/api/v1/notifications/subscriptions",
            json={"code": code, "sender_id": sender_id, "channel": channel},
        )

    async def unfollow_status(self, sender_id: str) -> int:
        """"Huỷ thông báo": how many dossiers the conversation stopped following."""
        path = f"/api/v1/notifications/subscriptions/{quote(sender_id, safe='')}"
        body = await self._request("DELETE", path)
        return int(body.get("cancelled", 0))

    async def rate(self, conversation_id: str, score: int) -> None:
        await self._request(
            "POST", "/api/v1/ratings", json={"conversation_id": conversation_id, "score": score}
        )
