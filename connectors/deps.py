"""Typed FastAPI dependencies shared by the routers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from connectors.cache import Cache
from connectors.procedures.service import CatalogueService
from connectors.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


def get_catalogue(request: Request) -> CatalogueService:
    catalogue: CatalogueService = request.app.state.catalogue
    return catalogue


def current_time() -> datetime:
    """The clock, as a dependency: tests replace it through ``app.dependency_overrides``."""
    return datetime.now(timezone.utc)


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CacheDep = Annotated[Cache, Depends(get_cache)]
CatalogueDep = Annotated[CatalogueService, Depends(get_catalogue)]
NowDep = Annotated[datetime, Depends(current_time)]
