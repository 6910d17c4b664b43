from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from connectors.applications.ratelimit import RateLimiter, client_key
from connectors.applications.schemas import ApplicationStatusPublic, LookupNotFound, LookupRequest
from connectors.applications.service import lookup
from connectors.cache import Cache
from connectors.deps import NowDep, SessionDep
from connectors.settings import Settings

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])

def make_lookup_limiter(settings: Settings, cache: Cache) -> RateLimiter:
    """One per app (``app.state.lookup_limiter``), created in the lifespan."""
    return RateLimiter(
        cache, "lookup", settings.lookup_rate_limit, settings.lookup_rate_window_seconds
    )


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
    request: Request, client: Annotated[str, Depends(client_identity)]
) -> str:
    limiter: RateLimiter = request.app.state.lookup_limiter
    decision = limiter.hit(client)
    if not decision.allowed:
        raise HTTPException(
            status_code=429,
            detail=(
                "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. "
                f"Vui lòng thử lại sau {decision.retry_after} giây."
            ),
            headers={"Retry-After": str(decision.retry_after)},
        )
    return client


@router.post(
    "/lookup",
    response_model=ApplicationStatusPublic,
    responses={
        404: {"model": LookupNotFound, "description": "unknown code or identifier does not match"},
        429: {"description": "too many lookups from this client; see Retry-After"},
    },
)
def lookup_application(
    body: LookupRequest,
    session: SessionDep,
    client: Annotated[str, Depends(enforce_lookup_limit)],
    now: NowDep,
) -> ApplicationStatusPublic | JSONResponse:
    """Status, history and due date of a dossier, for its applicant only.

    An unknown code and a wrong identifier get the same 404 body, so codes cannot be probed.
    """
    result = lookup(session, body, client=client_key(client)[:8], now=now)
    if result is None:
        return JSONResponse(status_code=404, content=LookupNotFound().model_dump())
    return result
