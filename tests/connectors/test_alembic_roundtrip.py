"""Migrations go up, down and up again on a fresh database, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from connectors import manage
from connectors.applications.demo import known_dossiers
from connectors.applications.service import count_applications
from connectors.db import make_engine, make_session_factory
from connectors.models import Base
from connectors.settings import get_settings
from tests.connectors.conftest import _postgres_database

OUR_TABLES = {
    "application", "application_event", "feedback", "feedback_event", "staff_account",
    "staff_session", "feedback_outbox", "catalogue_sync_run", "catalogue_review",
    "catalogue_curated_national", "admin_audit",
    "model_build", "model_score", "model_publication", "review_mark",
}


def _config(url: str) -> Config:
    config = Config(str(manage.ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        yield from _postgres_database()


def test_upgrade_downgrade_upgrade_on_a_fresh_database(fresh_url: str) -> None:
    url = fresh_url
    config = _config(url)

    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        command.upgrade(config, "head")
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()

    assert tables >= OUR_TABLES
    # only our tables: other features may be mid-way through adding theirs
    ours = [d for d in diff if any(t in repr(d) for t in OUR_TABLES)]
    assert ours == []


def test_manage_init_refreshes_the_demo_dossiers_without_duplicating_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'init.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert manage.main(["init"]) == 0
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            first = count_applications(session)
        assert manage.main(["init"]) == 0  # every start re-dates the demo, adding nothing
        assert manage.main(["demo-data"]) == 0
        with make_session_factory(engine)() as session:
            again = count_applications(session)
        engine.dispose()
    finally:
        get_settings.cache_clear()

    assert first == len(known_dossiers())
    assert again == first


@pytest.mark.parametrize(
    "environment, demo_data, loaded",
    [("development", None, True), ("production", None, False), ("production", "true", True),
     ("development", "false", False)],
)
def test_init_loads_the_invented_dossiers_only_where_wanted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: str, demo_data: str | None,
    loaded: bool,
) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ENVIRONMENT", environment)
    if demo_data is not None:
        monkeypatch.setenv("DEMO_DATA", demo_data)
    get_settings.cache_clear()
    try:
        assert manage.main(["init"]) == 0
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            count = count_applications(session)
        engine.dispose()
    finally:
        get_settings.cache_clear()

    assert count == (len(known_dossiers()) if loaded else 0)
