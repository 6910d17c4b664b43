from __future__ import annotations

from alembic import context

from connectors.db import make_engine
from connectors.models import Base
from connectors.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    # an explicit URL (tests, the manage command) wins over the environment
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        # batch mode lets ALTER TABLE work on SQLite
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
