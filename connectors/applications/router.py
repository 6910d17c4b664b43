from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from connectors.applications.lockout import LockoutPolicy, LookupLockout, Refusal
from connectors.applications.ratelimit import RateLimiter, client_key
from connectors.applications.schemas import (
    ApplicationStatusPublic,
    LookupNotFound,
    LookupRequest,
    LookupUnavailable,
)
from connectors.applications.service import lookup
from connectors.applications.sources.base import SourceUnavailable, SourceUnreadable
from connectors.applications.sources.build import Dossiers
from connectors.cache import Cache
from connectors.deps import NowDep, SessionDep
from connectors.notifications.proof import remember_proof
from connectors.settings import Settings
from connectors.staff.deps import require_service

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])


@dataclass(frozen=True)
class LookupLimits:
    per_client: RateLimiter  # every look-up of one client (X-Client-Id, else the IP)
    lockout: LookupLockout  # failed look-ups per dossier code and over all codes, whoever asks


def make_lookup_limiter(settings: Settings, cache: Cache) -> LookupLimits:
    """One per app (``app.state.lookup_limiter``), created in the lifespan."""
    return LookupLimits(
        per_client=RateLimiter(
            cache, "lookup", settings.lookup_rate_limit, settings.lookup_rate_window_seconds
        ),
        lockout=LookupLockout(
            cache,
            LockoutPolicy(
                code_failures=settings.lookup_code_failure_limit,
                code_window_seconds=settings.lookup_code_window_seconds,
                code_lockout_seconds=settings.lookup_code_lockout_seconds,
                global_failures=settings.lookup_global_failure_limit,
                global_window_seconds=settings.lookup_global_window_seconds,
            ),
        ),
    )


def _limits(request: Request) -> LookupLimits:
    limits: LookupLimits = request.app.state.lookup_limiter
    return limits


def _dossiers(request: Request) -> Dossiers:
    dossiers: Dossiers = request.app.state.dossiers
    return dossiers


# the province's system could not answer: the bot words these politely, with the hotline
UPSTREAM_BUSY = LookupUnavailable(
    reason="upstream_busy",
    detail="Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh đang bận, chưa trả lời được. "
    "Vui lòng thử lại sau ít phút.",
)
UPSTREAM_UNREADABLE = LookupUnavailable(
    reason="upstream_unreadable",
    detail="Chưa đọc được trạng thái hồ sơ từ hệ thống thông tin giải quyết thủ tục hành chính "
    "của tỉnh.",
)


def _too_many(detail: str, retry_after: int) -> HTTPException:
    return HTTPException(
        status_code=429,
        detail=f"{detail} Vui lòng thử lại sau {retry_after} giây.",
        headers={"Retry-After": str(retry_after)},
    )


REFUSED = {
    "code": "Mã hồ sơ này đang tạm khóa tra cứu vì có quá nhiều lần thử chưa đúng, để bảo vệ "
    "thông tin của người nộp hồ sơ.",
    "global": "Tra cứu hồ sơ đang tạm dừng vì có quá nhiều lượt tra cứu chưa đúng trong thời "
    "gian ngắn.",
}


def client_identity(
    request: Request,
    x_client_id: Annotated[
        str | None,
        Header(max_length=200, description="the citizen's conversation id (sent by the action "
               "server); without it the client IP is used"),
    ] = None,
) -> str:
    if x_client_id and x_client_id.strip():
        return "id:" + x_client_id.strip()
    return "ip:" + (request.client.host if request.client else "unknown")


def enforce_lookup_limit(
    request: Request, client: Annotated[str, Depends(client_identity)], now: NowDep
) -> str:
    decision = _limits(request).per_client.hit(client, now.timestamp())
    if not decision.allowed:
        raise _too_many(
            "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn.", decision.retry_after
        )
    return client


@router.post(
    "/lookup",
    response_model=ApplicationStatusPublic,
    responses={
        404: {"model": LookupNotFound, "description": "unknown code or identifier does not match"},
        429: {
            "description": "too many look-ups from this client, too many failed ones of this "
            "code (it is locked: even the right identifier is refused) or of all codes; see "
            "Retry-After",
        },
        502: {
            "model": LookupUnavailable,
            "description": "the province's system answered what cannot be read (malformed, or "
            "a status its file does not map): reason upstream_unreadable",
        },
        503: {
            "model": LookupUnavailable,
            "description": "the province's system is down, slow or its circuit open, and no "
            "recent copy of the dossier is kept: reason upstream_busy",
        },
    },
    dependencies=[Depends(require_service)],  # only the action server: X-Client-Id is its word
)
def lookup_application(
    request: Request,
    body: LookupRequest,
    session: SessionDep,
    client: Annotated[str, Depends(enforce_lookup_limit)],
    now: NowDep,
) -> ApplicationStatusPublic | JSONResponse:
    """Status, history and due date of a dossier, for its applicant only.

    An unknown code and a wrong identifier get the same 404 body, so codes cannot be probed;
    both count as failures of the code, so a locked code says nothing either.
    """
    lockout = _limits(request).lockout
    attempt = lockout.admit(body.code, now.timestamp())
    if isinstance(attempt, Refusal):
        raise _too_many(REFUSED[attempt.reason], attempt.retry_after)
    dossiers = _dossiers(request)
    try:
        result = lookup(
            session,
            body,
            dossiers.source,
            digests=dossiers.digests,
            client=client_key(client)[:8],
            now=now,
        )
    except (SourceUnavailable, SourceUnreadable) as exc:
        # not the citizen's failure: "found" takes this attempt's count back from the lockout
        lockout.settle(attempt, found=True)
        busy = isinstance(exc, SourceUnavailable)
        return JSONResponse(
            status_code=503 if busy else 502,
            content=(UPSTREAM_BUSY if busy else UPSTREAM_UNREADABLE).model_dump(),
        )
    lockout.settle(attempt, found=result is not None)
    if result is None:
        return JSONResponse(status_code=404, content=LookupNotFound().model_dump())
    # this conversation may now ask to follow the dossier (connectors/notifications)
    remember_proof(request.app.state.cache, client, result.code, result.status)
    return result
