"""Who may use the catalogue's sqladmin pages, and what they may do there.

The console's own sign-in (cookie ``SESSION_COOKIE``, connectors/admin/auth.py) is the only way
in: no second login. Reviewers (and above) may list and read; editors and admins may also
create, edit and delete. Every unsafe request must carry the console's CSRF token (the sqladmin
app is mounted beside the admin router, so the router's check does not reach it): a small
script (static/catalogue.js) puts it in every form and request sqladmin's pages send.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import anyio
from fastapi import FastAPI
from sqladmin.authentication import AuthenticationBackend
from sqladmin.authorization import Action, AuthorizationBackend
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from connectors.admin.auth import clear_session_cookie, login_url
from connectors.admin.csrf import (
    FIELD,
    HEADER,
    REFUSED,
    SAFE_METHODS,
    SESSION_COOKIE,
    token_for_session,
)
from connectors.admin.csrf import same as same_token
from connectors.deps import current_time
from connectors.staff.models import role_rank
from connectors.staff.service import revoke, session_of

READ_ROLE = "supervisor"  # the reviewer
EDIT_ROLE = "editor"
READ_ACTIONS = frozenset({Action.LIST, Action.DETAILS, Action.EXPORT})
# request.state keys, read by the views' hooks (who changed what) and the base template
STATE_USERNAME = "catalogue_username"
STATE_ROLE = "catalogue_role"
STATE_CSRF = "admin_csrf"


def app_clock(app: FastAPI) -> Callable[[], datetime]:
    """The connectors' clock, as the API's endpoints see it (tests replace it)."""
    clock: Callable[[], datetime] = app.dependency_overrides.get(current_time, current_time)
    return clock


def _refused(message: str, status_code: int) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không được phép</title>'
        f'<p>{message}</p><p><a href="/admin/">Về bảng điều khiển</a></p></html>',
        status_code=status_code,
    )


class ConsoleSignIn(AuthenticationBackend):
    """Authentication by the console's session cookie, for the app ``app``."""

    def __init__(self, app: FastAPI) -> None:
        # no super().__init__(): it adds a session middleware (and a second cookie) that only
        # sqladmin's flash notes would use; they are optional, the console's session is the one
        self.middlewares = []
        self._app = app

    async def login(self, request: Request) -> Response | bool:
        return RedirectResponse(login_url("/admin/catalogue"), status_code=303)

    async def logout(self, request: Request) -> Response | bool:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await anyio.to_thread.run_sync(self._revoke, token)
        response = RedirectResponse("/admin/login", status_code=303)
        clear_session_cookie(response)
        return response

    def _revoke(self, token: str) -> None:
        now = app_clock(self._app)()
        with self._app.state.session_factory() as session:
            live = session_of(session, token, now)
            if live is not None:
                revoke(session, live, now)

    def _account(self, token: str) -> tuple[str, str] | None:
        with self._app.state.session_factory() as session:
            live = session_of(session, token, app_clock(self._app)())
            return None if live is None else (live.account.username, live.account.role)

    async def authenticate(self, request: Request) -> Response | bool:
        token = request.cookies.get(SESSION_COOKIE)
        account = await anyio.to_thread.run_sync(self._account, token) if token else None
        if account is None:
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(login_url(path), status_code=303)
            if token:
                clear_session_cookie(response)
            return response
        username, role = account
        if role_rank(role) < role_rank(READ_ROLE):
            return _refused("Tài khoản của anh/chị không có quyền xem danh mục thủ tục.", 403)
        assert token is not None
        expected = token_for_session(token)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(HEADER) or ""
            if not sent:
                form = await request.form()  # parsed once: sqladmin's endpoint reuses it
                value = form.get(FIELD)
                sent = value if isinstance(value, str) else ""
            if not same_token(sent, expected):
                return _refused(REFUSED, 403)
        setattr(request.state, STATE_USERNAME, username)
        setattr(request.state, STATE_ROLE, role)
        setattr(request.state, STATE_CSRF, expected)
        return True


class CatalogueRoles(AuthorizationBackend):
    """Reviewers read; editors and admins also write."""

    def has_permission(
        self, request: Request, identity: str, action: str, obj: object | None = None
    ) -> bool:
        role = getattr(request.state, STATE_ROLE, None)
        if role is None:
            return False
        if role_rank(role) >= role_rank(EDIT_ROLE):
            return True
        return action in READ_ACTIONS
