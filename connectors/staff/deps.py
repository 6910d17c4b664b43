"""Guards for endpoints: staff (logged in, with a high enough role) and the action server.

Put them on the endpoint decorator (``dependencies=[Depends(require_service)]``) or take the
account as a parameter (``staff: AgentDep``) when the endpoint needs to know who calls.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from connectors.deps import NowDep, SessionDep, SettingsDep
from connectors.staff.models import RoleName, StaffAccount, StaffSession, role_rank
from connectors.staff.service import session_of

SERVICE_TOKEN_HEADER = "X-Service-Token"

_bearer = HTTPBearer(auto_error=False, description="the token of POST /api/v1/staff/login")
_service_token = APIKeyHeader(
    name=SERVICE_TOKEN_HEADER, auto_error=False,
    description="CONNECTORS_SERVICE_TOKEN: only the action server has it",
)
_BEARER = {"WWW-Authenticate": "Bearer"}


def require_service(
    settings: SettingsDep, token: Annotated[str | None, Depends(_service_token)]
) -> None:
    """The caller is the action server. Without a configured token nobody is."""
    expected = settings.connectors_service_token
    # bytes: compare_digest refuses non-ASCII str, and a header may hold anything
    if not expected or not token or not secrets.compare_digest(
        token.encode("utf-8"), expected.encode("utf-8")
    ):
        raise HTTPException(
            status_code=401,
            detail="Thiếu hoặc sai mã dịch vụ (X-Service-Token): chỉ máy chủ hành động của "
            "trợ lý được gọi địa chỉ này.",
        )


def current_staff_session(
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffSession:
    if credentials is None:
        raise HTTPException(
            status_code=401, detail="Cần đăng nhập bằng tài khoản cán bộ.", headers=_BEARER
        )
    found = session_of(session, credentials.credentials, now)
    if found is None:
        raise HTTPException(
            status_code=401,
            detail="Phiên đăng nhập không hợp lệ hoặc đã hết hạn: vui lòng đăng nhập lại.",
            headers=_BEARER,
        )
    return found


StaffSessionDep = Annotated[StaffSession, Depends(current_staff_session)]


@functools.cache  # one guard per role: FastAPI then runs it once per request
def require_staff(role: RoleName) -> Callable[[StaffSession], StaffAccount]:
    """A dependency: the logged-in staff account, refused (403) below ``role``."""

    def guard(staff_session: StaffSessionDep) -> StaffAccount:
        account = staff_session.account
        if role_rank(account.role) < role_rank(role):
            raise HTTPException(
                status_code=403,
                detail=f"Tài khoản không đủ quyền: cần vai trò {role} trở lên.",
            )
        return account

    return guard


AgentDep = Annotated[StaffAccount, Depends(require_staff("agent"))]
SupervisorDep = Annotated[StaffAccount, Depends(require_staff("supervisor"))]
AdminDep = Annotated[StaffAccount, Depends(require_staff("admin"))]
