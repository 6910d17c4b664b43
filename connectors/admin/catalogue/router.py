"""/admin/catalogue: the catalogue's home, the "try it" box, adding a phrasing, the import.

Browsing and editing rows is sqladmin's (/admin/catalogue/db, ``site``); these pages are what
a table cannot do: try a phrasing and compare with the last try, add a phrasing from there,
import a national catalogue file.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from connectors.admin.auth import EditorPage, ReviewerPage
from connectors.admin.catalogue.aliases import add_alias
from connectors.admin.catalogue.site import BASE_URL
from connectors.admin.catalogue.tryit import MAX_PHRASING_CHARS, TrialMemory, movement, try_phrasing
from connectors.admin.catalogue.upload import import_upload
from connectors.admin.catalogue.validation import EditRefused
from connectors.admin.models import AuditEntry
from connectors.admin.templating import redirect, render
from connectors.applications.service import as_utc
from connectors.deps import CacheDep, CatalogueDep, NowDep, SessionDep, SettingsDep
from connectors.procedures.dated import VIETNAM
from connectors.procedures.models import Procedure, ProcedureAlias
from connectors.staff.models import role_rank

router = APIRouter(prefix="/catalogue")

HOME = "/admin/catalogue"
RECENT = 15


def local_time(value: datetime) -> str:
    """An audit time as staff read it: Vietnam time."""
    return as_utc(value).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def try_url(phrasing: str) -> str:
    return f"{HOME}/try?{urlencode({'q': phrasing})}"


@router.get("")
def home(request: Request, staff: ReviewerPage, session: SessionDep) -> HTMLResponse:
    in_force = session.scalar(
        select(func.count()).select_from(Procedure).where(Procedure.retired_at.is_(None))
    ) or 0
    curated = session.scalar(
        select(func.count()).select_from(Procedure).where(Procedure.source == "curated")
    ) or 0
    aliases = session.scalar(select(func.count()).select_from(ProcedureAlias)) or 0
    recent = list(session.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith("catalogue."))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(RECENT)
    ))
    return render(request, "catalogue/home.html", {
        "in_force": in_force, "curated": curated, "aliases": aliases,
        "recent": [(entry, local_time(entry.at)) for entry in recent],
        "db": BASE_URL, "can_edit": role_rank(staff.role) >= role_rank("editor"),
    })


@router.get("/try")
def try_it(
    request: Request, staff: ReviewerPage, session: SessionDep, catalogue: CatalogueDep,
    cache: CacheDep, q: str = "",
) -> HTMLResponse:
    phrasing = " ".join(q.split())[:MAX_PHRASING_CHARS]
    memory = TrialMemory(cache)
    before = memory.last(staff.username)
    trial = try_phrasing(session, catalogue, phrasing) if phrasing else None
    if trial is not None:
        memory.keep(staff.username, trial)
    earlier = before if trial is not None and before is not None and (
        before.phrasing == trial.phrasing) else None
    rows = [] if trial is None else [
        {"rank": rank, "hit": hit, "moved": movement(earlier, trial, hit.code)}
        for rank, hit in enumerate(trial.hits, start=1)
    ]
    return render(request, "catalogue/try.html", {
        "q": phrasing, "trial": trial, "earlier": earlier, "rows": rows,
        "can_edit": role_rank(staff.role) >= role_rank("editor"), "db": BASE_URL,
    })


@router.post("/aliases")
def add_phrasing(
    staff: EditorPage, session: SessionDep, catalogue: CatalogueDep, settings: SettingsDep,
    now: NowDep,
    code: Annotated[str, Form(max_length=32)], alias: Annotated[str, Form(max_length=1000)],
    q: Annotated[str, Form(max_length=MAX_PHRASING_CHARS)] = "",
) -> RedirectResponse:
    back = try_url(q) if q.strip() else HOME
    try:
        change = add_alias(session, catalogue, code.strip(), alias, staff, now,
                           seed_dir=settings.catalogue_seed_dir)
    except EditRefused as exc:
        session.rollback()
        return redirect(back, flash=f"Chưa thêm: {exc}")
    note = f"Đã thêm cách gọi “{change.alias}” cho thủ tục {change.code}."
    if change.elsewhere:
        note += " Lưu ý: thủ tục " + ", ".join(change.elsewhere) + " cũng có cách gọi này."
    return redirect(back, flash=note)


@router.post("/import")
def import_catalogue(
    staff: EditorPage, session: SessionDep, catalogue: CatalogueDep, settings: SettingsDep,
    now: NowDep, file: UploadFile,
) -> RedirectResponse:
    try:
        import_upload(session, catalogue, file.filename or "", file.file,
                      max_bytes=settings.catalogue_sync_max_mb << 20, actor=staff, now=now)
    except EditRefused as exc:
        session.rollback()
        return redirect(HOME, flash=f"Chưa nhập: {exc}")
    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "catalogue.import",
                                 AuditEntry.actor == staff.username)
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    assert entry is not None
    return redirect(f"{HOME}/imports/{entry.id}", flash="Đã nhập danh mục.")


@router.get("/imports/{entry_id}")
def import_result(
    request: Request, staff: ReviewerPage, session: SessionDep, entry_id: int
) -> HTMLResponse:
    entry = session.get(AuditEntry, entry_id)
    if entry is None or entry.action != "catalogue.import":
        raise HTTPException(status_code=404, detail="Không có lần nhập này.")
    return render(request, "catalogue/import.html", {
        "entry": entry, "at": local_time(entry.at), "summary": json.loads(entry.after or "{}"),
    })
