"""Reading Rasa's conversations out of its Redis tracker store (read only: never written)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis

from connectors.admin.review.tracker import Session, all_sessions, parse_dialogue

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(Exception):
    """Redis cannot be read: the console says so instead of showing empty figures."""


@dataclass(frozen=True)
class TrackerStore:
    client: redis.Redis
    key_prefix: str  # e.g. "tldvctracker:tracker:"

    def _load(self, key: str) -> dict[str, Any] | None:
        raw = self.client.get(key)
        if raw is None:
            return None
        try:
            loaded = json.loads(raw)
        except ValueError:
            logger.warning("tracker %s is not JSON: skipped", key)
            return None
        return loaded if isinstance(loaded, dict) else None

    def dialogues(self) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            for key in self.client.scan_iter(match=self.key_prefix + "*", count=500):
                name = key.decode() if isinstance(key, bytes) else str(key)
                dialogue = self._load(name)
                if dialogue is not None:
                    yield name[len(self.key_prefix):], dialogue
        except redis.RedisError as exc:
            raise TrackerStoreUnavailable(str(exc)) from exc

    def dialogue(self, sender: str) -> dict[str, Any] | None:
        try:
            return self._load(self.key_prefix + sender)
        except redis.RedisError as exc:
            raise TrackerStoreUnavailable(str(exc)) from exc

    def sessions(self) -> list[Session]:
        return all_sessions(self.dialogues())

    def sessions_of(self, sender: str) -> list[Session]:
        dialogue = self.dialogue(sender)
        return parse_dialogue(sender, dialogue) if dialogue is not None else []
