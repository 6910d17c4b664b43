"""Publishing a model to every configured Rasa server, one at a time, and rolling back.

One server at a time: while one loads the new model (PUT /model, seconds), the others keep
answering citizens with the old one. Each is then asked which model it runs (GET /status); a server
that fails stops the roll-out there, so the ones after it keep the old model and nothing is hidden.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.admin.training.builds import Clock, utcnow
from connectors.admin.training.commands import TrainingConfig
from connectors.admin.training.evaluation import cached_scores
from connectors.admin.training.models import ModelBuild, ModelPublication
from connectors.admin.training.rasa_http import RasaClient, RasaError
from connectors.admin.training.scores import Scores


class PublishRefused(Exception):
    """Why this publication or rollback is not done, in Vietnamese for the staff member."""


@dataclass(frozen=True)
class ServerResult:
    url: str
    ok: bool
    detail: str
    seconds: float


class Publisher:
    def __init__(
        self,
        config: TrainingConfig,
        factory: sessionmaker[Session],
        http: httpx.Client,
        *,
        clock: Clock = utcnow,
    ) -> None:
        self.config = config
        self.factory = factory
        self.http = http
        self.clock = clock

    def _client(self, url: str) -> RasaClient:
        return RasaClient(url, self.config.rasa_token, self.http)

    def live_model_file(self) -> str | None:
        try:
            return self._client(self.config.rasa_urls[0]).model_file()
        except RasaError:
            return None

    def worse_reasons(self, build: ModelBuild) -> list[str]:
        """How the build's candidate scores worse than the live model (empty: not worse, or the
        live model is not scored: nothing to compare with)."""
        if not build.scores_json:
            return []
        live = self.live_model_file()
        if live is None or live == build.model_file:
            return []
        live_scores = cached_scores(self.factory, self.config.models_dir / live)
        if live_scores is None:
            return []
        return Scores.from_json(build.scores_json).worse_than(live_scores)

    def publish_build(self, build_id: int, actor: str, *, confirm_worse: bool) -> ModelPublication:
        with self.factory() as session:
            build = session.get(ModelBuild, build_id)
        if build is None or build.status != "succeeded" or not build.model_file:
            raise PublishRefused("Chỉ đăng được mô hình của một lần huấn luyện đã hoàn tất.")
        reasons = self.worse_reasons(build)
        if reasons and not confirm_worse:
            raise PublishRefused(
                "Mô hình mới kém hơn mô hình đang chạy (" + "; ".join(reasons) + "). "
                "Nếu vẫn muốn đăng, xin đánh dấu ô xác nhận rồi bấm đăng lại."
            )
        return self._publish(build.model_file, actor, kind="publish")

    def rollback(self, actor: str) -> ModelPublication:
        """Publishes the model that was live before the newest publication not yet undone."""
        with self.factory() as session:
            last = session.scalars(
                select(ModelPublication)
                .where(
                    ModelPublication.kind == "publish",
                    ModelPublication.ok.is_(True),
                    ModelPublication.rolled_back.is_(False),
                )
                .order_by(ModelPublication.id.desc())
            ).first()
            if last is None or not last.previous_model_file:
                raise PublishRefused("Không còn mô hình trước đó để quay lại.")
            target, undone_id = last.previous_model_file, last.id
        publication = self._publish(target, actor, kind="rollback")
        if publication.ok:
            with self.factory() as session:
                undone = session.get(ModelPublication, undone_id)
                assert undone is not None
                undone.rolled_back = True
                session.commit()
        return publication

    def _publish(self, model_file: str, actor: str, *, kind: str) -> ModelPublication:
        model = self.config.models_dir / model_file
        if not model.is_file():
            raise PublishRefused(f"Không tìm thấy tệp mô hình {model_file} trong thư mục models.")
        previous = self.live_model_file()
        results: list[ServerResult] = []
        for url in self.config.rasa_urls:
            result = self._one(url, model)
            results.append(result)
            if not result.ok:
                break  # the servers after this one keep the old model
        ok = len(results) == len(self.config.rasa_urls) and all(r.ok for r in results)
        with self.factory() as session:
            publication = ModelPublication(
                kind=kind, model_file=model_file, previous_model_file=previous,
                published_by=actor, published_at=self.clock(), ok=ok, rolled_back=False,
                servers_json=json.dumps([asdict(r) for r in results], ensure_ascii=False),
            )
            session.add(publication)
            session.commit()
            return publication

    def _one(self, url: str, model: Path) -> ServerResult:
        client = self._client(url)
        started = time.monotonic()
        try:
            client.load_model(model)
            running = client.model_file()
        except RasaError as exc:
            return ServerResult(url, False, str(exc), time.monotonic() - started)
        seconds = time.monotonic() - started
        if running != model.name:
            return ServerResult(url, False, f"máy chủ vẫn chạy {running}", seconds)
        return ServerResult(url, True, f"đang chạy {running}", seconds)

    def publications(self, limit: int = 20) -> list[ModelPublication]:
        with self.factory() as session:
            return list(
                session.scalars(
                    select(ModelPublication).order_by(ModelPublication.id.desc()).limit(limit)
                )
            )
