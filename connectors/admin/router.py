"""The one /admin router: every console section's router is included here, behind CSRF.

A section adds one line to ``build_router`` (``router.include_router(x.router)``, its paths
starting with its own prefix, e.g. "/training"); its navigation entry is already listed in
sections.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from connectors.admin import home, signin
from connectors.admin.accounts import router as accounts
from connectors.admin.auth import RoleRefused, SignInRequired, role_refused, sign_in_required
from connectors.admin.catalogue import router as catalogue
from connectors.admin.catalogue.site import mount_catalogue
from connectors.admin.csrf import csrf_protect
from connectors.admin.intents import router as intents
from connectors.admin.kpi import router as kpi
from connectors.admin.responses import router as responses
from connectors.admin.review import router as review
from connectors.admin.templating import TEMPLATES_DIR
from connectors.admin.training import router as training

STATIC_DIR = TEMPLATES_DIR.parent / "static"


def build_router() -> APIRouter:
    router = APIRouter(
        prefix="/admin", dependencies=[Depends(csrf_protect)],
        default_response_class=HTMLResponse, include_in_schema=False,
    )
    router.include_router(signin.router)
    router.include_router(home.router)
    router.include_router(accounts.router)
    router.include_router(intents.router)
    router.include_router(responses.router)
    router.include_router(review.router)
    router.include_router(kpi.router)
    router.include_router(training.router)
    router.include_router(catalogue.router)
    # the other sections' routers: one line each, here
    return router


def mount_admin(app: FastAPI) -> None:
    """The console in the connectors app: pages, their static files, sign-in redirects."""
    app.include_router(build_router())
    app.mount("/admin/static", StaticFiles(directory=STATIC_DIR), name="admin-static")
    mount_catalogue(app)  # sqladmin, /admin/catalogue/db: its own sign-in check and CSRF
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(RoleRefused, role_refused)
