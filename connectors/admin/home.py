"""The console's home (the sections this role may open) and the audit log page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from connectors.admin.audit import newest
from connectors.admin.auth import AdminPage, require_role
from connectors.admin.templating import render
from connectors.deps import SessionDep
from connectors.staff.models import StaffAccount

router = APIRouter()

AUDIT_PAGE_SIZE = 200


@router.get("/")
def home(
    request: Request, _staff: Annotated[StaffAccount, Depends(require_role("agent"))]
) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/audit")
def audit_log(
    request: Request,
    _admin: AdminPage,
    session: SessionDep,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    entries = newest(session, AUDIT_PAGE_SIZE, action_prefix=action, actor=actor)
    return render(
        request, "audit.html", {"entries": entries, "action": action, "actor": actor}
    )
