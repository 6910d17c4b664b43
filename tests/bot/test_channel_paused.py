"""A conversation staff took over (Rasa's pause event) is silent on purpose: the channels must
not apologise for a failure there (bot/channels/paused.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, ConversationResumed, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.paused import paused


def _app(store: object) -> SimpleNamespace:
    return SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))


def test_paused_until_resumed() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker("zalo-1", slots=[])
    tracker.update(UserUttered("cho tôi gặp cán bộ"))
    asyncio.run(store.save(tracker))
    app = _app(store)
    assert asyncio.run(paused(app, "zalo-1")) is False

    tracker.update(ConversationPaused())
    asyncio.run(store.save(tracker))
    assert asyncio.run(paused(app, "zalo-1")) is True

    tracker.update(ConversationResumed())
    asyncio.run(store.save(tracker))
    assert asyncio.run(paused(app, "zalo-1")) is False


def test_unknown_conversation_or_no_model_is_not_paused() -> None:
    assert asyncio.run(paused(_app(InMemoryTrackerStore(Domain.empty())), "nobody")) is False
    assert asyncio.run(paused(SimpleNamespace(ctx=SimpleNamespace(agent=None)), "x")) is False


def test_a_failing_store_means_not_paused() -> None:
    class Broken:
        async def retrieve(self, sender_id: str) -> None:
            raise ConnectionError("redis down")

    assert asyncio.run(paused(_app(Broken()), "x")) is False
