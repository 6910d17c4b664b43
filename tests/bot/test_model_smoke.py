"""A freshly trained model understands a few unseen, unaccented and abbreviated messages.

Uses the model `make train` builds for the current data (models/vi-*.tar.gz); `make test` trains
it before this runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture(scope="module")
def agent() -> Any:
    from rasa.core.agent import Agent

    models = sorted(MODELS.glob("vi-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.skip("no trained model: run `make train`")
    return Agent.load(str(models[-1]))


@pytest.mark.parametrize(
    "text, intent",
    [
        ("lam the can cuoc cho con 15 tuoi can nhung giay to nao", "ask_documents"),
        ("xin giay xac nhan doc than mat bao nhieu tien", "ask_fee"),
        ("dang ky tam tru thi bao lau co ket qua", "ask_processing_time"),
        ("sang ten so do thi nop ho so o cho nao", "ask_office"),
        ("ho chieu co lam tren mang duoc ko ad", "ask_online"),
        ("kiem tra giup em ho so da nop", "check_status"),
    ],
)
def test_unseen_unaccented_messages(agent: Any, text: str, intent: str) -> None:
    parsed = asyncio.run(agent.parse_message(text))

    assert parsed["intent"]["name"] == intent
