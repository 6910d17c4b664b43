"""Rendering the console's pages: one Jinja2 environment, the signed-in context, flash notes."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from connectors.admin.csrf import FIELD
from connectors.admin.sections import ROLE_TITLES, visible_sections
from connectors.staff.models import StaffAccount

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FLASH_COOKIE = "tldvc_admin_flash"
# request.state keys set by the role guard (auth.py)
STATE_ACCOUNT = "admin_account"
STATE_CSRF = "admin_csrf"


@functools.cache
def templates() -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    return Jinja2Templates(env=environment)


def signed_in(request: Request) -> StaffAccount | None:
    account: StaffAccount | None = getattr(request.state, STATE_ACCOUNT, None)
    return account


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """The page ``name`` (under connectors/admin/templates) with what every page needs: the
    signed-in account (``staff``), the navigation it may open (``sections``), the CSRF token
    (``csrf_token``, ``csrf_field``) and the flash note left by the previous redirect."""
    account = signed_in(request)
    flash = request.cookies.get(FLASH_COOKIE)
    full: dict[str, Any] = {
        "staff": account,
        "sections": visible_sections(account, request.app) if account is not None else [],
        "csrf_token": getattr(request.state, STATE_CSRF, ""),
        "csrf_field": FIELD,
        "role_titles": ROLE_TITLES,
        "flash": unquote(flash) if flash else None,
        **(context or {}),
    }
    response = templates().TemplateResponse(request, name, full, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/admin")
    return response


def redirect(url: str, flash: str | None = None) -> RedirectResponse:
    """303 to ``url`` (POST-redirect-GET), with a note shown once on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), max_age=60, path="/admin", httponly=True, samesite="strict"
        )
    return response
