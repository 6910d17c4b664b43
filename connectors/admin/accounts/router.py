"""/admin/accounts: the account list, a creation form and per-account role/active changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from connectors.admin.audit import record
from connectors.admin.auth import AdminPage
from connectors.admin.templating import redirect, render
from connectors.deps import NowDep, SessionDep
from connectors.staff.models import ROLES
from connectors.staff.schemas import PASSWORD_MIN_LENGTH, StaffCreate, StaffUpdate
from connectors.staff.service import (
    AccountExists,
    AccountNotFound,
    SelfLockout,
    create_account,
    find_account,
    list_accounts,
    update_account,
)

router = APIRouter(prefix="/accounts")

PAGE = "/admin/accounts"
INVALID = (
    "Thông tin chưa hợp lệ: tên đăng nhập 3–64 ký tự (chữ, số, dấu chấm, gạch), "
    f"mật khẩu ít nhất {PASSWORD_MIN_LENGTH} ký tự, vai trò trong danh sách."
)


def _page(
    request: Request, session: SessionDep, error: str | None = None,
    form: dict[str, str] | None = None, status_code: int = 200,
) -> HTMLResponse:
    return render(
        request, "accounts/list.html",
        {"accounts": list_accounts(session), "roles": ROLES, "error": error,
         "form": form or {}, "password_min": PASSWORD_MIN_LENGTH},
        status_code=status_code,
    )


@router.get("")
def accounts_page(request: Request, _admin: AdminPage, session: SessionDep) -> HTMLResponse:
    return _page(request, session)


@router.post("")
def add_account(
    request: Request,
    admin: AdminPage,
    session: SessionDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=256)],
    display_name: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    form = {"username": username, "display_name": display_name, "role": role}
    try:
        data = StaffCreate.model_validate(
            {"username": username, "display_name": display_name, "role": role,
             "password": password}
        )
    except ValidationError:
        return _page(request, session, INVALID, form, status_code=422)
    try:
        account = create_account(session, data, now)
    except AccountExists:
        return _page(
            request, session, f"Tên đăng nhập {data.username} đã có người dùng.", form,
            status_code=409,
        )
    record(
        session, admin, "account.create", account.username, now=now,
        after={"role": account.role, "display_name": account.display_name, "active": True},
    )
    return redirect(PAGE, flash=f"Đã tạo tài khoản {account.username}.")


@router.post("/{username}")
def change_account(
    request: Request,
    username: str,
    admin: AdminPage,
    session: SessionDep,
    now: NowDep,
    role: Annotated[str, Form(max_length=20)],
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    existing = find_account(session, username)
    if existing is None:
        return _page(request, session, f"Không có tài khoản {username}.", status_code=404)
    before = {"role": existing.role, "active": existing.active}
    try:
        change = StaffUpdate.model_validate({"role": role, "active": active == "on"})
        account = update_account(session, username, change, admin, now)
    except ValidationError:
        return _page(request, session, INVALID, status_code=422)
    except AccountNotFound:
        return _page(request, session, f"Không có tài khoản {username}.", status_code=404)
    except SelfLockout:
        return _page(
            request, session,
            "Không thể tự đổi vai trò hoặc khoá tài khoản của chính mình: "
            "hãy nhờ một quản trị viên khác.",
            status_code=409,
        )
    after = {"role": account.role, "active": account.active}
    if after != before:
        record(session, admin, "account.update", account.username, before=before, after=after,
               now=now)
    return redirect(PAGE, flash=f"Đã lưu tài khoản {account.username}.")
