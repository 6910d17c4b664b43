"""CSRF protection for every unsafe request under /admin.

Signed in, the token is an HMAC keyed by the session token (a 256-bit secret only the staff
member's browser holds, in an HttpOnly cookie): another site can neither read nor compute it, and
every connectors instance computes the same one without a shared secret. Before sign-in, the
login form uses a double-submit token: a random cookie that the form must repeat.

Every POST/PUT/PATCH/DELETE under /admin passes ``csrf_protect`` (a dependency of the admin
router): the token comes in the form field ``csrf_token`` or the ``X-CSRF-Token`` header; missing
or wrong, the answer is 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request

SESSION_COOKIE = "tldvc_admin"
LOGIN_COOKIE = "tldvc_admin_login"  # the pre-session token of the login form
FIELD = "csrf_token"
LOGIN_PATH = "/admin/login"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED = "Phiên biểu mẫu không hợp lệ hoặc đã hết hạn. Vui lòng tải lại trang rồi thử lại."


def token_for_session(session_token: str) -> str:
    return hmac.new(session_token.encode("utf-8"), b"admin-csrf", hashlib.sha256).hexdigest()


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def expected_token(request: Request) -> str | None:
    """The token this browser's forms must carry, or None when it has no cookie at all."""
    if request.url.path == LOGIN_PATH:  # even with an old session cookie still in the browser
        return request.cookies.get(LOGIN_COOKIE) or None
    session_token = request.cookies.get(SESSION_COOKIE)
    return token_for_session(session_token) if session_token else None


async def sent_token(request: Request) -> str:
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(FIELD)  # parsed once: the endpoint reuses it
        return value if isinstance(value, str) else ""
    return ""


def same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


async def csrf_protect(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = expected_token(request)
    if expected is None or not same(await sent_token(request), expected):
        raise HTTPException(status_code=403, detail=REFUSED)
