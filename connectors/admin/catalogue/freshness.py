"""A console change reaches the bot at once.

Cached searches, readings and details are keyed on the catalogue version
(``connectors.procedures.service``): bumping it makes every connectors instance stop serving
the cached answers of the old catalogue. This process also rebuilds its search index now, so
its next answer (the bot's, or the "try it" box's) already reflects the change; other
instances rebuild theirs in the background on their next question.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors.procedures.service import (
    CatalogueService,
    bump_catalogue_version,
    catalogue_version,
)


def publish(session: Session, catalogue: CatalogueService | None) -> int:
    """Bumps the version in the session's transaction, commits, refreshes this process's
    index; returns the new version."""
    bump_catalogue_version(session)
    session.commit()
    if catalogue is not None:
        catalogue.refresh(session)
    return catalogue_version(session)
