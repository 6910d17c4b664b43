"""/admin/review/handoffs: conversations handed to staff; take one over, reply, hand it back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from connectors.admin.auth import ReviewerPage
from connectors.admin.review.takeover import (
    MAX_REPLY_CHARS,
    RasaConversations,
    RasaUnavailable,
    TakeoverRefused,
    hand_back,
    reply,
    take_over,
)
from connectors.admin.review.tracker import VIETNAM_TZ
from connectors.admin.review.views import shown_text
from connectors.admin.templating import redirect, render
from connectors.admin.training.commands import TrainingConfig
from connectors.applications.service import as_utc
from connectors.conversations.models import Handoff
from connectors.deps import NowDep, SessionDep, SettingsDep

router = APIRouter(prefix="/handoffs")  # under the review router: /admin/review/handoffs

HandoffId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = "/admin/review/handoffs"


def rasa_conversations(settings: SettingsDep) -> Iterator[RasaConversations]:
    """Rasa's HTTP API: the first configured server (they share the trackers) and its token."""
    config = TrainingConfig(settings)
    with httpx.Client() as http:
        yield RasaConversations(config.rasa_urls[0], config.rasa_token, http)


RasaDep = Annotated[RasaConversations, Depends(rasa_conversations)]


def conversation_handoffs(session: SessionDep, sender: str) -> list[Handoff]:
    """The conversation's handoffs still waiting or taken, newest first."""
    return list(session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == sender, Handoff.status.in_(("open", "taken")))
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
    ))


@router.get("")
def handoffs_page(request: Request, staff: ReviewerPage, session: SessionDep) -> HTMLResponse:
    rows = session.scalars(
        select(Handoff).where(Handoff.status.in_(("open", "taken")))
        .order_by(Handoff.created_at.desc(), Handoff.id.desc()).limit(200)
    ).all()
    unmasked = staff.role == "admin"
    shown = [
        (h, as_utc(h.created_at).astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M"),
         shown_text(h.last_message or "", unmasked))
        for h in rows
    ]
    return render(request, "review/handoffs.html", {
        "rows": shown, "max_reply": MAX_REPLY_CHARS, "unmasked": unmasked,
    })


def _back(back: str) -> str:
    safe = back.startswith("/admin/review") and "\\" not in back and back.isprintable()
    return back if safe else PAGE


BackField = Annotated[str, Form(max_length=500)]


@router.post("/{handoff_id}/take")
def take(
    handoff_id: HandoffId, staff: ReviewerPage, session: SessionDep, rasa: RasaDep,
    now: NowDep, back: BackField = "",
) -> RedirectResponse:
    try:
        take_over(session, rasa, handoff_id, staff, now)
    except (TakeoverRefused, RasaUnavailable) as exc:
        return redirect(_back(back), flash=f"Chưa tiếp nhận: {exc}")
    return redirect(_back(back), flash="Đã tiếp nhận: trợ lý tạm dừng trả lời cuộc trò chuyện "
                    "này cho đến khi anh/chị trả lại.")


@router.post("/{handoff_id}/reply")
def send_reply(
    handoff_id: HandoffId, staff: ReviewerPage, session: SessionDep, rasa: RasaDep,
    now: NowDep, text: Annotated[str, Form(max_length=MAX_REPLY_CHARS + 100)],
    back: BackField = "",
) -> RedirectResponse:
    try:
        reply(session, rasa, handoff_id, staff, text, now)
    except (TakeoverRefused, RasaUnavailable) as exc:
        return redirect(_back(back), flash=f"Chưa gửi: {exc}")
    return redirect(_back(back), flash="Đã gửi câu trả lời tới người dân.")


@router.post("/{handoff_id}/release")
def release(
    handoff_id: HandoffId, staff: ReviewerPage, session: SessionDep, rasa: RasaDep,
    now: NowDep, back: BackField = "",
) -> RedirectResponse:
    try:
        hand_back(session, rasa, handoff_id, staff, now)
    except (TakeoverRefused, RasaUnavailable) as exc:
        return redirect(_back(back), flash=f"Chưa trả lại: {exc}")
    return redirect(_back(back), flash="Đã trả cuộc trò chuyện lại cho trợ lý.")
