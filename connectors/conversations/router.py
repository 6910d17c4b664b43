"""Handoffs to staff (for the bot and the staff console) and satisfaction ratings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from connectors.applications.service import VIETNAM_TZ, as_utc
from connectors.conversations.models import Handoff, HandoffStatusName
from connectors.conversations.schemas import (
    HandoffCreate,
    HandoffCreated,
    HandoffPublic,
    HandoffUpdate,
    RatingCreate,
    RatingSaved,
    RatingSummary,
)
from connectors.conversations.service import (
    HandoffConflict,
    HandoffNotFound,
    list_handoffs,
    open_handoff,
    rating_summary,
    save_rating,
    staff_status,
    update_handoff,
)
from connectors.deps import NowDep, SessionDep, SettingsDep
from connectors.locality.service import Locality, load_locality
from connectors.staff.deps import AgentDep, require_service, require_staff

handoffs_router = APIRouter(prefix="/api/v1/handoffs", tags=["handoffs"])
ratings_router = APIRouter(prefix="/api/v1/ratings", tags=["ratings"])
router = APIRouter()

MAX_ID = 2**31 - 1  # the integer primary keys; a larger id could only be a typo


def current_locality(settings: SettingsDep) -> Locality:
    return load_locality(settings.locality_file)


LocalityDep = Annotated[Locality, Depends(current_locality)]
HandoffId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _public(handoff: Handoff) -> HandoffPublic:
    public = HandoffPublic.model_validate(handoff)
    public.created_at = as_utc(handoff.created_at).astimezone(VIETNAM_TZ)
    public.updated_at = as_utc(handoff.updated_at).astimezone(VIETNAM_TZ)
    return public


@handoffs_router.post(
    "",
    status_code=201,
    response_model=HandoffCreated,
    responses={200: {"model": HandoffCreated,
                     "description": "the conversation already has an open handoff: that one"}},
    dependencies=[Depends(require_service)],
)
def request_handoff(
    body: HandoffCreate,
    session: SessionDep,
    locality: LocalityDep,
    now: NowDep,
    response: Response,
) -> HandoffCreated:
    """Asks staff to take the conversation over; says whether (or when) staff are on duty.

    Idempotent per conversation: while it has an open handoff, that one is returned (200).
    """
    handoff, created = open_handoff(session, body, now)
    if not created:
        response.status_code = 200
    available, opening = staff_status(locality, now)
    return HandoffCreated(
        id=handoff.id, status="open", staff_available=available, next_opening=opening
    )


@handoffs_router.get(
    "", response_model=list[HandoffPublic], dependencies=[Depends(require_staff("agent"))]
)
def read_handoffs(
    session: SessionDep,
    status: Annotated[HandoffStatusName | None, Query(description="only this status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[HandoffPublic]:
    """Handoffs, newest first (the staff console's queue is ``?status=open``)."""
    return [_public(h) for h in list_handoffs(session, status, limit)]


@handoffs_router.patch(
    "/{handoff_id}",
    response_model=HandoffPublic,
    responses={404: {"description": "no handoff with this id"},
               409: {"description": "not possible from the current status (closed is final)"}},
)
def change_handoff(
    handoff_id: HandoffId, body: HandoffUpdate, staff: AgentDep, session: SessionDep, now: NowDep
) -> HandoffPublic:
    """Staff take (``taken``), release (``open``) or close a handoff; ``taken_by`` becomes the
    logged-in staff member's username."""
    try:
        handoff = update_handoff(session, handoff_id, body.status, staff.username, now)
    except HandoffNotFound as exc:
        raise HTTPException(
            status_code=404, detail=f"Không có yêu cầu chuyển cán bộ số {handoff_id}."
        ) from exc
    except HandoffConflict as exc:
        raise HTTPException(
            status_code=409,
            detail="Không thể chuyển yêu cầu sang trạng thái này (yêu cầu đã đóng, hoặc cuộc "
            "hội thoại đã có một yêu cầu khác đang chờ).",
        ) from exc
    return _public(handoff)


@ratings_router.post(
    "",
    status_code=201,
    response_model=RatingSaved,
    responses={200: {"model": RatingSaved,
                     "description": "rated again within 10 minutes: the first rating updated"}},
    dependencies=[Depends(require_service)],
)
def rate_conversation(
    body: RatingCreate, session: SessionDep, now: NowDep, response: Response
) -> RatingSaved:
    """Records the citizen's satisfaction (1-5, optional comment) with a conversation."""
    rating, created = save_rating(session, body, now)
    if not created:
        response.status_code = 200
    return RatingSaved(id=rating.id)


@ratings_router.get(
    "/summary", response_model=RatingSummary, dependencies=[Depends(require_staff("supervisor"))]
)
def read_rating_summary(session: SessionDep) -> RatingSummary:
    """Satisfaction KPI: how many ratings, their mean, and how many per score."""
    return rating_summary(session)


router.include_router(handoffs_router)
router.include_router(ratings_router)
