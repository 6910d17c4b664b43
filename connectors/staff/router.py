"""Staff login and sessions, and the admin's management of staff accounts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response

from connectors.applications.service import VIETNAM_TZ, as_utc
from connectors.deps import NowDep, SessionDep, SettingsDep
from connectors.settings import Settings
from connectors.staff.deps import AdminDep, AgentDep, StaffSessionDep
from connectors.staff.login_limits import LoginLimits, make_login_limits
from connectors.staff.models import StaffAccount
from connectors.staff.schemas import (
    LoginRequest,
    LoginResult,
    StaffCreate,
    StaffPublic,
    StaffUpdate,
    Username,
)
from connectors.staff.service import (
    AccountExists,
    AccountNotFound,
    SelfLockout,
    authenticate,
    create_account,
    list_accounts,
    normalize_username,
    open_session,
    revoke,
    update_account,
)

logger = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # runs after the app's own lifespan has set settings and cache
    settings: Settings = app.state.settings
    if not settings.connectors_service_token:
        logger.warning(
            "CONNECTORS_SERVICE_TOKEN is not set: every endpoint reserved for the action server "
            "(handoffs, ratings, feedback, dossier look-up) answers 401"
        )
    app.state.staff_login_limits = make_login_limits(app.state.cache)
    yield


router = APIRouter(prefix="/api/v1/staff", tags=["staff"], lifespan=_lifespan)

_LOGIN_FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."


def _public(account: StaffAccount) -> StaffPublic:
    public = StaffPublic.model_validate(account)
    public.created_at = as_utc(account.created_at).astimezone(VIETNAM_TZ)
    return public


@router.post(
    "/login",
    response_model=LoginResult,
    responses={401: {"description": "unknown username, wrong password or inactive account alike"},
               429: {"description": "too many attempts for this username or client"}},
)
def login(
    body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> LoginResult:
    """Opens a session: the token goes in `Authorization: Bearer <token>` until it expires."""
    limits: LoginLimits = request.app.state.staff_login_limits
    client = request.client.host if request.client else "unknown"
    retry_after = limits.retry_after(normalize_username(body.username), client)
    if retry_after is not None:
        raise HTTPException(
            status_code=429,
            detail=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry_after} giây.",
            headers={"Retry-After": str(retry_after)},
        )
    account = authenticate(session, body.username, body.password)
    if account is None:
        logger.info("staff login refused for %r", normalize_username(body.username)[:64])
        raise HTTPException(status_code=401, detail=_LOGIN_FAILED)
    token, staff_session = open_session(
        session, account, now, timedelta(hours=settings.staff_session_hours)
    )
    return LoginResult(
        token=token,
        expires_at=as_utc(staff_session.expires_at).astimezone(VIETNAM_TZ),
        role=account.role,  # the database's check keeps it a RoleName
    )


@router.post("/logout", status_code=204)
def logout(staff_session: StaffSessionDep, session: SessionDep, now: NowDep) -> Response:
    """Ends this session: its token is refused from now on."""
    revoke(session, staff_session, now)
    return Response(status_code=204)


@router.get("/me", response_model=StaffPublic)
def me(staff: AgentDep) -> StaffPublic:
    return _public(staff)


@router.post(
    "/accounts",
    status_code=201,
    response_model=StaffPublic,
    responses={409: {"description": "the username is taken"}},
)
def add_account(
    body: StaffCreate, admin: AdminDep, session: SessionDep, now: NowDep
) -> StaffPublic:
    try:
        account = create_account(session, body, now)
    except AccountExists as exc:
        raise HTTPException(
            status_code=409, detail=f"Tên đăng nhập {body.username} đã có người dùng."
        ) from exc
    logger.info("staff account %s created by %s", account.username, admin.username)
    return _public(account)


@router.get("/accounts", response_model=list[StaffPublic])
def read_accounts(_admin: AdminDep, session: SessionDep) -> list[StaffPublic]:
    return [_public(a) for a in list_accounts(session)]


@router.patch(
    "/accounts/{username}",
    response_model=StaffPublic,
    responses={404: {"description": "no such account"},
               409: {"description": "an admin cannot demote or deactivate their own account"}},
)
def change_account(
    username: Username, body: StaffUpdate, admin: AdminDep, session: SessionDep, now: NowDep
) -> StaffPublic:
    """Changes the role, or deactivates (``active: false``) an account: its sessions end."""
    try:
        account = update_account(session, username, body, admin, now)
    except AccountNotFound as exc:
        raise HTTPException(
            status_code=404, detail=f"Không có tài khoản cán bộ {username}."
        ) from exc
    except SelfLockout as exc:
        raise HTTPException(
            status_code=409,
            detail="Không thể tự đổi vai trò hoặc khoá tài khoản của chính mình: "
            "hãy nhờ một quản trị viên khác.",
        ) from exc
    return _public(account)
