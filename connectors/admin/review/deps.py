"""Dependencies of the review and KPI pages: Rasa's tracker store, where saved tests go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from connectors.admin.review.service import RECORDED_DIR
from connectors.admin.review.store import TrackerStore
from connectors.admin.review.tracker import tracker_key_prefix
from connectors.cache import Cache
from connectors.settings import Settings


def tracker_store(request: Request) -> TrackerStore:
    """Rasa's trackers in the connectors' Redis, under the prefix `make run` gives Rasa."""
    settings: Settings = request.app.state.settings
    cache: Cache = request.app.state.cache
    return TrackerStore(cache.client, tracker_key_prefix(settings.redis_key_prefix))


def recorded_dir() -> Path:
    return RECORDED_DIR


TrackerStoreDep = Annotated[TrackerStore, Depends(tracker_store)]
RecordedDirDep = Annotated[Path, Depends(recorded_dir)]
