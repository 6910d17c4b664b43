"""Who is signed in to the console: a cookie holding a staff session token (connectors/staff).

Pages declare the lowest role they need: ``staff: EditorPage`` (or
``Depends(require_role("editor"))``). Not signed in, or the session expired or was revoked: the
browser is sent to /admin/login?next=<this page>. Signed in below the role: a 403 page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from connectors.admin.csrf import SESSION_COOKIE, token_for_session
from connectors.admin.templating import STATE_ACCOUNT, STATE_CSRF, render
from connectors.deps import NowDep, SessionDep
from connectors.settings import Settings
from connectors.staff.models import RoleName, StaffAccount, StaffSession, role_rank
from connectors.staff.service import session_of

LOGIN_PATH = "/admin/login"


class SignInRequired(Exception):
    """No live session: the handler redirects to the login page, then back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class RoleRefused(Exception):
    def __init__(self, role: RoleName) -> None:
        super().__init__(role)
        self.role = role


def safe_next(raw: str | None) -> str:
    """Only a page of the console: never another site ("//evil", "https://...") after sign-in."""
    if raw and raw.startswith("/admin") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/admin/"


def login_url(next_path: str) -> str:
    return f"{LOGIN_PATH}?{urlencode({'next': next_path})}"


def live_session(request: Request, session: SessionDep, now: NowDep) -> StaffSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return session_of(session, token, now)


LiveSessionDep = Annotated[StaffSession | None, Depends(live_session)]


@functools.cache  # one guard per role, so FastAPI runs it once per request
def require_role(role: RoleName) -> Callable[[Request, StaffSession | None], StaffAccount]:
    """A page dependency: the signed-in account, which has ``role`` or a higher one."""

    def guard(request: Request, staff_session: LiveSessionDep) -> StaffAccount:
        if staff_session is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            # after a form post, back to the home page: the post's URL answers no GET
            raise SignInRequired(path if request.method == "GET" else "/admin/")
        account = staff_session.account
        # the base template shows who is signed in even on the refusal page
        setattr(request.state, STATE_ACCOUNT, account)
        setattr(request.state, STATE_CSRF, token_for_session(request.cookies[SESSION_COOKIE]))
        if role_rank(account.role) < role_rank(role):
            raise RoleRefused(role)
        return account

    return guard


ReviewerPage = Annotated[StaffAccount, Depends(require_role("supervisor"))]
EditorPage = Annotated[StaffAccount, Depends(require_role("editor"))]
AdminPage = Annotated[StaffAccount, Depends(require_role("admin"))]


def secure_cookies(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.environment == "production"


def set_session_cookie(
    response: Response, request: Request, settings: Settings, token: str,
    expires_at: datetime, now: datetime,
) -> None:
    """The cookie ends with the session (Max-Age), and a browser never sends it cross-site."""
    max_age = max(0, int((expires_at - now) / timedelta(seconds=1)))
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, path="/admin", httponly=True,
        samesite="strict", secure=secure_cookies(request, settings),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/admin", httponly=True, samesite="strict")


async def sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse(login_url(exc.next_path), status_code=303)
    if request.cookies.get(SESSION_COOKIE):  # an expired or revoked one: forget it
        clear_session_cookie(response)
    return response


async def role_refused(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, RoleRefused)
    return render(request, "forbidden.html", {"role": exc.role}, status_code=403)

