"""Signing in to and out of the console (the same accounts, sessions and limits as the API)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from connectors.admin.auth import (
    LiveSessionDep,
    clear_session_cookie,
    safe_next,
    secure_cookies,
    set_session_cookie,
)
from connectors.admin.csrf import LOGIN_COOKIE, new_login_token
from connectors.admin.templating import redirect, render
from connectors.applications.service import as_utc
from connectors.deps import NowDep, SessionDep, SettingsDep
from connectors.staff.login_limits import LoginLimits
from connectors.staff.service import authenticate, normalize_username, open_session, revoke

logger = logging.getLogger(__name__)

router = APIRouter()

LOGIN_FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."
SIGNED_OUT = "Anh/chị đã đăng xuất."


def _login_page(
    request: Request, settings_secure: bool, next_path: str, error: str | None = None,
    username: str = "", status_code: int = 200,
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_COOKIE) or new_login_token()
    response = render(
        request, "login.html",
        {"login_token": token, "next": next_path, "error": error, "username": username},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=3600, path="/admin/login", httponly=True,
        samesite="strict", secure=settings_secure,
    )
    return response


@router.get("/login")
def login_form(
    request: Request, settings: SettingsDep, live: LiveSessionDep, next: str = ""
) -> Response:
    if live is not None:  # already signed in: straight on
        return redirect(safe_next(next))
    return _login_page(request, secure_cookies(request, settings), safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=256)],
    password: Annotated[str, Form(max_length=256)],
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    secure = secure_cookies(request, settings)
    next_path = safe_next(next)
    limits: LoginLimits = request.app.state.staff_login_limits
    client = request.client.host if request.client else "unknown"
    retry_after = limits.retry_after(normalize_username(username), client)
    if retry_after is not None:
        return _login_page(
            request, secure, next_path, username=username, status_code=429,
            error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry_after} giây.",
        )
    account = authenticate(session, username, password)
    if account is None:
        logger.info("console login refused for %r", normalize_username(username)[:64])
        return _login_page(
            request, secure, next_path, error=LOGIN_FAILED, username=username, status_code=401
        )
    token, staff_session = open_session(
        session, account, now, timedelta(hours=settings.staff_session_hours)
    )
    response = redirect(next_path)
    set_session_cookie(
        response, request, settings, token, as_utc(staff_session.expires_at), as_utc(now)
    )
    response.delete_cookie(LOGIN_COOKIE, path="/admin/login")
    return response


@router.post("/logout")
def logout(live: LiveSessionDep, session: SessionDep, now: NowDep) -> Response:
    if live is not None:
        revoke(session, live, now)
    response = redirect("/admin/login", flash=SIGNED_OUT)
    clear_session_cookie(response)
    return response
