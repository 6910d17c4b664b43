"""A small project (training data, held-out set, one QA conversation) and a stand-in "live" Rasa
for the training service's tests, all driven by fake_rasa_cli.py (the Rasa CLI's stand-in)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

from connectors.admin.training.commands import TrainingConfig
from connectors.admin.training.models import ModelBuild, ModelPublication, ModelScore
from connectors.db import make_engine, make_session_factory
from connectors.settings import Settings
from scripts.stack import free_port

FAKE = Path(__file__).with_name("fake_rasa_cli.py")
TOKEN = "live-rasa-token-for-tests"

NLU = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - xin chào
- intent: ask_fee
  examples: |
    - lệ phí bao nhiêu
"""
HELDOUT = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - xin chào
- intent: ask_fee
  examples: |
    - lệ phí bao nhiêu
    - phí làm [hộ chiếu](procedure)
"""
CONVERSATION = """title: Hỏi phí hộ chiếu
tags: [smoke]
turns:
  - user: "xin chào"
    expect: {intent: greet}
  - user: "phí làm hộ chiếu"
    expect: {intent: ask_fee}
"""
# what the staff member adds: the phrasing the live model does not know
NEW_EXAMPLE = "    - phí làm hộ chiếu\n"


def add_example(data: Path) -> None:
    nlu = data / "nlu.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8") + NEW_EXAMPLE, encoding="utf-8")


def forget_fees(data: Path) -> None:
    """Training data that scores worse than the live model (no ask_fee examples left)."""
    nlu = data / "nlu.yml"
    nlu.write_text(NLU.split("- intent: ask_fee")[0], encoding="utf-8")


@dataclass
class Project:
    root: Path
    data: Path
    models: Path
    settings: Settings
    factory: sessionmaker[Session]
    live_url: str

    @property
    def config(self) -> TrainingConfig:
        return TrainingConfig(self.settings)

    def live_model(self) -> str:
        body = httpx.get(f"{self.live_url}/status", params={"token": TOKEN}, timeout=5).json()
        return str(body["model_file"])


def fake_settings(root: Path, rasa_urls: str, **extra: object) -> Settings:
    py = sys.executable
    return Settings(
        database_url=f"sqlite:///{root / 'db.sqlite3'}",
        rasa_auth_token=TOKEN,
        action_server_token="unused-by-the-fake",
        training_rasa_urls=rasa_urls,
        training_data_dir=root / "data",
        training_models_dir=root / "models",
        training_heldout_file=root / "heldout.yml",
        training_replay_paths=str(root / "conversations"),
        training_validate_command=f"{py} {FAKE} validate --data {{data}}",
        training_train_command=(
            f"{py} {FAKE} train --data {{data}} --out {{out}} --fixed-model-name {{name}}"
        ),
        training_serve_command=f"{py} {FAKE} serve --model {{model}} --port {{port}}",
        training_step_timeout_seconds=60,
        **extra,  # type: ignore[arg-type]
    )


@contextmanager
def fake_rasa_server(model: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A stand-in for a running Rasa server (`make run`'s), holding ``model``."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(FAKE), "serve", "--model", str(model), "--port", str(port)],
        env={**os.environ, "RASA_AUTH_TOKEN": TOKEN, **(env or {})},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def make_project(root: Path) -> tuple[Path, Path]:
    """The files of the project and the live model, trained from its first data."""
    data, models = root / "data", root / "models"
    data.mkdir()
    models.mkdir()
    (data / "nlu.yml").write_text(NLU, encoding="utf-8")
    (root / "heldout.yml").write_text(HELDOUT, encoding="utf-8")
    (root / "conversations").mkdir()
    (root / "conversations" / "fee.yml").write_text(CONVERSATION, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(FAKE), "train", "--data", str(data), "--out", str(models),
         "--fixed-model-name", "vi-live"],
        check=True, capture_output=True,
    )
    return data, models / "vi-live.tar.gz"


def session_factory(settings: Settings) -> sessionmaker[Session]:
    engine = make_engine(settings.database_url)
    tables = [ModelBuild.__table__, ModelScore.__table__, ModelPublication.__table__]
    ModelBuild.metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
    return make_session_factory(engine)
