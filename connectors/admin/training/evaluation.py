"""Scoring a model: the held-out intents through ``/model/parse``, then the QA replay, both against
a Rasa server holding that model. Each model (by content digest) is scored once, then cached."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from connectors.admin.training.commands import StepFailed, TrainingConfig, run_logged
from connectors.admin.training.models import ModelScore
from connectors.admin.training.rasa_http import RasaClient, RasaError
from connectors.admin.training.scores import Scores, intent_scores, load_heldout, replay_totals


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def cached_scores(factory: sessionmaker[Session], model: Path) -> Scores | None:
    if not model.is_file():
        return None
    with factory() as session:
        row = session.get(ModelScore, digest(model))
        return Scores.from_json(row.scores_json) if row else None


def store_scores(
    factory: sessionmaker[Session], model: Path, scores: Scores, now: datetime
) -> None:
    with factory() as session:
        key = digest(model)
        row = session.get(ModelScore, key)
        if row is None:
            session.add(
                ModelScore(
                    digest=key, model_file=model.name, computed_at=now,
                    scores_json=scores.to_json(),
                )
            )
        else:
            row.scores_json, row.computed_at = scores.to_json(), now
        session.commit()


def score(
    config: TrainingConfig, rasa: RasaClient, log: Callable[[str], None], timeout: float
) -> Scores:
    """Scores the model ``rasa`` holds now (a temporary server's: its token never leaves here)."""
    heldout = load_heldout(config.settings.training_heldout_file)
    log(f"đánh giá trên tập kiểm tra riêng: {len(heldout)} câu")
    try:
        predicted = [rasa.parse(example.text) for example in heldout]
    except RasaError as exc:
        raise StepFailed(str(exc)) from exc
    accuracy, macro_f1, fallback = intent_scores([e.intent for e in heldout], predicted)
    log(f"độ chính xác ý định {accuracy:.3f}, macro F1 {macro_f1:.3f}, fallback {fallback:.3f}")
    with tempfile.TemporaryDirectory(prefix="replay-") as out:
        argv = config.replay_argv(rasa.url, Path(out))
        env = config.subprocess_env({"RASA_AUTH_TOKEN": rasa.token})
        try:
            run_logged(argv, env=env, log=log, timeout=timeout)
        except StepFailed:
            # exit 1 means "some turns wrong": a score, not a broken step; junit.xml tells
            if not (Path(out) / "junit.xml").exists():
                raise
        turns, failed = replay_totals(Path(out) / "junit.xml")
    log(f"hội thoại kiểm thử: {turns - failed}/{turns} lượt đúng")
    return Scores(accuracy, macro_f1, fallback, len(heldout), turns, failed)
