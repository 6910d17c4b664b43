"""/admin/review: the inbox of messages to review, each conversation, and the decisions.

Reviewers (supervisor) and up. ID numbers and phones are masked on screen unless the role is
admin; what is written to the training data, the aliases and test files is always masked.
The message text a decision uses is read again from the tracker store, never taken from the form,
unless the reviewer rewrote the phrasing (then that text, masked).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from connectors.admin.auth import ReviewerPage
from connectors.admin.catalogue.aliases import add_alias
from connectors.admin.catalogue.validation import EditRefused
from connectors.admin.intents.router import FilesDep
from connectors.admin.kpi.router import DateText, choose_range
from connectors.admin.review import examples, handoffs
from connectors.admin.review.deps import RecordedDirDep, TrackerStoreDep
from connectors.admin.review.inbox import REASONS
from connectors.admin.review.models import Decision
from connectors.admin.review.service import (
    MessageGone,
    entries,
    mark,
    save_as_test,
)
from connectors.admin.review.store import TrackerStore, TrackerStoreUnavailable
from connectors.admin.review.takeover import MAX_REPLY_CHARS
from connectors.admin.review.tracker import VIETNAM_TZ, Turn
from connectors.admin.review.views import Shown, shown_sessions, shown_text
from connectors.admin.templating import redirect, render
from connectors.deps import CatalogueDep, NowDep, SessionDep, SettingsDep
from connectors.settings import ROOT
from connectors.staff.models import StaffAccount

router = APIRouter(prefix="/review")
router.include_router(handoffs.router)

PAGE_SIZE = 200
SenderField = Annotated[str, Form(min_length=1, max_length=255)]
PositionField = Annotated[int, Form(ge=0)]
BackField = Annotated[str, Form(max_length=500)]
UNREADABLE = "Không đọc được kho hội thoại (Redis). Vui lòng thử lại sau ít phút."


def sees_personal_data(staff: StaffAccount) -> bool:
    return staff.role == "admin"


def _back(raw: str) -> str:
    """Back to the inbox page the form came from (only a console page)."""
    safe = raw.startswith("/admin/review") and "\\" not in raw and raw.isprintable()
    return raw if safe else "/admin/review"


@router.get("")
def inbox_page(
    request: Request, staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep,
    now: NowDep, files: FilesDep, since: DateText = "", until: DateText = "",
    show: Annotated[str, Query(pattern="^(open|all)$")] = "open",
    reason: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    days, warning = choose_range(since, until, now)
    try:
        found = entries(session, store, days)
    except TrackerStoreUnavailable:
        return render(request, "review/inbox.html", {
            "error": UNREADABLE, "rows": [], "days": days, "warning": warning, "show": show,
            "reason": reason, "reasons": REASONS, "intents": [], "total": 0,
        }, status_code=503)
    if show == "open":
        found = [e for e in found if not e.closed]
    if reason in REASONS:
        found = [e for e in found if reason in e.item.reasons]
    unmasked = sees_personal_data(staff)
    rows = [(e, shown_text(e.item.turn.text, unmasked)) for e in found[:PAGE_SIZE]]
    return render(request, "review/inbox.html", {
        "rows": rows, "total": len(found), "days": days, "warning": warning, "show": show,
        "reason": reason, "reasons": REASONS, "intents": examples.intent_names(files),
        "unmasked": unmasked, "error": None, "tz": VIETNAM_TZ, "back": str(request.url.path) + (
            f"?{request.url.query}" if request.url.query else ""),
    })


@router.get("/conversation")
def conversation_page(
    request: Request, staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep,
    sender: Annotated[str, Query(min_length=1, max_length=255)],
    position: Annotated[int, Query(ge=-1)] = -1,
) -> HTMLResponse:
    try:
        sessions = store.sessions_of(sender)
    except TrackerStoreUnavailable:
        return render(request, "review/conversation.html", {"error": UNREADABLE},
                      status_code=503)
    if not sessions:
        return render(request, "review/conversation.html", {
            "error": "Không còn hội thoại này trong kho (có thể đã hết thời hạn lưu giữ)."
        }, status_code=404)
    shown: list[Shown] = shown_sessions(sessions, sees_personal_data(staff))
    return render(request, "review/conversation.html", {
        "sessions": shown, "position": position, "sender": sender,
        "unmasked": sees_personal_data(staff), "error": None,
        "handoffs": handoffs.conversation_handoffs(session, sender),
        "max_reply": MAX_REPLY_CHARS, "back": str(request.url.path) + f"?{request.url.query}",
    })


def _turn(store: TrackerStore, sender: str, position: int) -> Turn:
    for session in store.sessions_of(sender):
        for turn in session.turns:
            if turn.position == position:
                return turn
    raise MessageGone(f"{sender}@{position}")


def _phrasing(turn: Turn, rewritten: str) -> str:
    """What goes into the data: the reviewer's rewording, else the message; always masked."""
    return shown_text(" ".join(rewritten.split()) or turn.text, unmasked=False)


def _decide(
    store: TrackerStore, sender: str, position: int
) -> Turn | RedirectResponse:
    try:
        return _turn(store, sender, position)
    except TrackerStoreUnavailable:
        return redirect("/admin/review", flash=UNREADABLE)
    except MessageGone:
        return redirect("/admin/review", flash="Tin nhắn này không còn trong kho hội thoại.")


def _marked(
    session: SessionDep, turn: Turn, decision: Decision, detail: str | None,
    staff: StaffAccount, now: datetime,
) -> None:
    mark(session, turn.sender, turn.position, turn.at, decision, detail, staff, now)


@router.post("/intent")
def assign_intent(
    staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep, now: NowDep,
    files: FilesDep, sender: SenderField, position: PositionField,
    intent: Annotated[str, Form(min_length=1, max_length=100)],
    text: Annotated[str, Form(max_length=500)] = "", back: BackField = "",
    confirm: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    turn = _decide(store, sender, position)
    if isinstance(turn, RedirectResponse):
        return turn
    try:
        example = examples.add_example(session, files, intent.strip(), _phrasing(turn, text),
                                       staff, now, confirm=confirm)
    except examples.ExampleRefused as refused:
        return redirect(_back(back), flash=f"Chưa thêm câu mẫu: {refused}")
    _marked(session, turn, "intent", intent, staff, now)
    return redirect(_back(back), flash=f"Đã thêm “{example}” làm câu mẫu của ý định {intent}.")


@router.post("/alias")
def add_as_alias(
    staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep, now: NowDep,
    catalogue: CatalogueDep, settings: SettingsDep, sender: SenderField, position: PositionField,
    code: Annotated[str, Form(min_length=1, max_length=40)],
    text: Annotated[str, Form(max_length=500)] = "", back: BackField = "",
) -> RedirectResponse:
    turn = _decide(store, sender, position)
    if isinstance(turn, RedirectResponse):
        return turn
    phrasing = _phrasing(turn, text)
    try:
        # a curated procedure's new alias also goes to its seed file, to survive the next init
        change = add_alias(session, catalogue, code.strip(), phrasing, staff, now,
                           seed_dir=settings.catalogue_seed_dir)
    except EditRefused as refused:
        session.rollback()
        return redirect(_back(back), flash=f"Chưa thêm tên gọi: {refused}")
    _marked(session, turn, "alias", change.code, staff, now)
    note = f"Đã thêm “{change.alias}” làm tên gọi của thủ tục {change.code}."
    if change.elsewhere:
        note += f" Lưu ý: tên gọi này cũng thuộc thủ tục {', '.join(change.elsewhere)}."
    return redirect(_back(back), flash=note)


@router.post("/out-of-scope")
def out_of_scope(
    staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep, now: NowDep,
    sender: SenderField, position: PositionField, back: BackField = "",
) -> RedirectResponse:
    turn = _decide(store, sender, position)
    if isinstance(turn, RedirectResponse):
        return turn
    _marked(session, turn, "out_of_scope", None, staff, now)
    return redirect(_back(back), flash="Đã đánh dấu tin nhắn nằm ngoài phạm vi của trợ lý.")


@router.post("/save-test")
def save_test(
    staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep, now: NowDep,
    out: RecordedDirDep, sender: SenderField, position: PositionField, back: BackField = "",
) -> RedirectResponse:
    turn = _decide(store, sender, position)
    if isinstance(turn, RedirectResponse):
        return turn
    path = save_as_test(store, sender, position, out)
    shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    _marked(session, turn, "test", shown, staff, now)
    day = turn.at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y")
    return redirect(_back(back), flash=f"Đã lưu hội thoại ngày {day} thành bài kiểm thử {shown} "
                    "(số định danh, số điện thoại đã được che).")

