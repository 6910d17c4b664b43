"""Following a dossier's status (the action server) and recording a status change (the office's
system or staff tooling, with the service token): the change is then told to its followers."""

from __future__ import annotations

import logging
from typing import Annotated

import redis
from fastapi import APIRouter, Depends, HTTPException, Path
from sqlalchemy import select

from connectors.applications.models import Application, ApplicationEvent
from connectors.applications.service import as_utc
from connectors.deps import CacheDep, NowDep, SessionDep, SettingsDep
from connectors.notifications.proof import proved_status
from connectors.notifications.schemas import (
    CancelledPublic,
    StatusEventCreate,
    StatusEventPublic,
    SubscriptionCreate,
    SubscriptionPublic,
)
from connectors.notifications.service import cancel, subscribe
from connectors.notifications.stream import StatusChange, emit, know_status
from connectors.staff.deps import require_service

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["notifications"])

SenderId = Annotated[str, Path(min_length=1, max_length=255)]
Code = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "/notifications/subscriptions",
    response_model=SubscriptionPublic,
    status_code=201,
    dependencies=[Depends(require_service)],
    responses={403: {"description": "no successful look-up of this code in this conversation "
                     "within the last 30 minutes"}},
)
def create_subscription(
    body: SubscriptionCreate, session: SessionDep, cache: CacheDep, settings: SettingsDep,
    now: NowDep,
) -> SubscriptionPublic:
    """The conversation follows the dossier: only after it looked it up with the applicant's
    identifier (the look-up's X-Client-Id is the sender id). Again after a cancel: on again."""
    shown = proved_status(cache, "id:" + body.sender_id, body.code)
    if shown is None:
        raise HTTPException(
            status_code=403,
            detail="Chỉ nhận thông báo cho hồ sơ vừa tra cứu thành công trong cuộc trò chuyện "
            "này.",
        )
    found = subscribe(session, body.code, body.channel, body.sender_id, now)
    if settings.dossier_source == "upstream":
        # what the citizen was shown: the poller tells a change from it, even one made before
        # its next round (a status known from an earlier follower stays)
        try:
            know_status(cache, body.code, shown)
        except redis.RedisError as exc:  # the poller's first round notes it instead
            logger.warning("status shown not noted (Redis unreachable): %s", exc)
    return SubscriptionPublic(
        code=found.application_code, channel=found.channel,
        created_at=as_utc(found.created_at), last_interaction_at=as_utc(found.last_interaction_at),
    )


@router.delete(
    "/notifications/subscriptions/{sender_id}",
    response_model=CancelledPublic,
    dependencies=[Depends(require_service)],
)
def cancel_subscriptions(
    sender_id: SenderId, session: SessionDep, now: NowDep, code: str | None = None
) -> CancelledPublic:
    """"Huỷ thông báo": the conversation stops following its dossiers (or only ``code``)."""
    return CancelledPublic(cancelled=cancel(session, sender_id, now, code))


@router.post(
    "/applications/{code}/events",
    response_model=StatusEventPublic,
    dependencies=[Depends(require_service)],
    responses={
        404: {"description": "no such dossier in the local database"},
        409: {"description": "dossiers come from the province's system (DOSSIER_SOURCE=upstream)"},
        503: {"description": "recorded, but not queued for notification (Redis unreachable): "
              "send the same change (same `at`) again"},
    },
)
def record_status_change(
    code: Code, body: StatusEventCreate, session: SessionDep, cache: CacheDep,
    settings: SettingsDep, now: NowDep,
) -> StatusEventPublic:
    """A new status of a local dossier, added to its history and queued for its followers.
    Sending the same change again (same status and time) changes nothing and tells nobody twice."""
    if settings.dossier_source != "local":
        raise HTTPException(
            status_code=409,
            detail="Trạng thái hồ sơ do hệ thống của tỉnh quản lý, không ghi nhận tại đây.",
        )
    application = session.get(Application, code)
    if application is None:
        raise HTTPException(status_code=404, detail="Không tìm thấy hồ sơ.")
    at = as_utc(body.at or now)
    last = session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_code == code)
        .order_by(ApplicationEvent.position.desc())
    ).first()
    # the same change sent again (a lost answer): queued again, which adds nothing if it was
    repeated = last is not None and last.status == body.status and as_utc(last.at) == at
    if not repeated and application.status == body.status:
        return StatusEventPublic(code=code, status=body.status, at=at, changed=False, queued=False)
    if not repeated:
        application.events.append(
            ApplicationEvent(
                position=(last.position + 1) if last else 0, status=body.status, at=at,
                note=body.note,
            )
        )
        application.status = body.status
        if body.status == "done":
            application.completed_at = at
        session.commit()
    try:
        queued = emit(cache, StatusChange(code, body.status, at))
    except redis.RedisError as exc:
        raise HTTPException(
            status_code=503,
            detail="Đã ghi nhận trạng thái nhưng chưa gửi được thông báo: vui lòng gửi lại.",
        ) from exc
    return StatusEventPublic(code=code, status=body.status, at=at, changed=not repeated,
                             queued=queued)
