"""The sqladmin app of the catalogue, mounted at /admin/catalogue/db.

Its pages use the console's sign-in and roles (``access``), speak Vietnamese (``vi``), and load
the console's CSRF script; the database comes from the connectors app itself (its engine is
made at start, after this is mounted).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqladmin import Admin
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from connectors.admin.catalogue import vi
from connectors.admin.catalogue.access import CatalogueRoles, ConsoleSignIn
from connectors.admin.catalogue.views import VIEWS
from connectors.admin.templating import TEMPLATES_DIR

BASE_URL = "/admin/catalogue/db"
TEMPLATES = TEMPLATES_DIR / "catalogue" / "site"


class AppSessions(sessionmaker[Session]):
    """Sessions on the app's engine, which exists only once the app has started."""

    def __init__(self, app: FastAPI) -> None:
        super().__init__(class_=Session)
        self._app = app

    def __call__(self, **local_kw: Any) -> Session:
        local_kw.setdefault("bind", self._app.state.engine)
        return super().__call__(**local_kw)


class CatalogueAdmin(Admin):
    async def index(self, request: Request) -> Response:
        """sqladmin's own home (its title links there) is the console's catalogue page."""
        return RedirectResponse("/admin/catalogue", status_code=303)


def mount_catalogue(app: FastAPI) -> Admin:
    admin = CatalogueAdmin(
        app, session_maker=AppSessions(app), base_url=BASE_URL,
        title="Danh mục thủ tục", templates_dir=str(TEMPLATES),
        authentication_backend=ConsoleSignIn(app), authorization_backend=CatalogueRoles(),
    )
    admin.templates.env.install_gettext_callables(  # type: ignore[attr-defined]
        vi.gettext, vi.ngettext, newstyle=True
    )
    for view in VIEWS:
        view.app = app
        admin.add_view(view)
    return admin
