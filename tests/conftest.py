"""Fixtures shared by every test that runs in the app environment.

This file is also read by the Rasa environment's pytest (tests/bot), which has neither the
connectors' libraries nor needs them: imports stay inside the fixtures.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest


@pytest.fixture(scope="session")
def full_catalogue_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database as `make run` builds it: curated entries, the whole shipped national catalogue
    with its aliases and twins, and the demo dossiers dated for today. Built once per session."""
    from connectors import manage
    from connectors.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('catalogue') / 'portal.sqlite3'}"
    manage.migrate(url)
    manage.seed(url)
    manage.national(url, Settings().national_catalogue_file)
    manage.demo_data(url, datetime.now(timezone.utc))
    return url
