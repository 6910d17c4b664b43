"""Operator commands for the connectors database.

    python -m connectors.manage migrate        # alembic upgrade head
    python -m connectors.manage seed           # curated procedures (idempotent)
    python -m connectors.manage init           # both: what `make run` does before starting
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from connectors.db import make_engine, make_session_factory
from connectors.settings import get_settings

logger = logging.getLogger("connectors.manage")

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def migrate(database_url: str) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def seed(database_url: str) -> tuple[int, int]:
    from connectors.seed.loader import load_curated

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return load_curated(session)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.manage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["migrate", "seed", "init"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[connectors] %(message)s")
    url = get_settings().database_url
    if args.command in ("migrate", "init"):
        migrate(url)
    if args.command in ("seed", "init"):
        created, updated = seed(url)
        logger.info("curated procedures: %d new, %d updated", created, updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
