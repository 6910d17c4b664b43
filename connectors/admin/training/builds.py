"""A build: validate the data, train a candidate, score it (and the live model, once), in a
background thread; one at a time; every step's output kept in the database as it comes."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.admin.training.commands import StepFailed, TrainingConfig, run_logged
from connectors.admin.training.evaluation import cached_scores, score, store_scores
from connectors.admin.training.models import ModelBuild
from connectors.admin.training.rasa_http import RasaClient, RasaError, temporary_rasa
from connectors.admin.training.scores import Scores
from connectors.settings import ROOT

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# the database keeps the end of a long log (Rasa's training prints a progress bar per epoch)
LOG_KEEP_CHARS = 200_000


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BuildRefused(Exception):
    """A build is already running: the message says which, politely, in Vietnamese."""


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; every time here is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class _Log:
    """Lines collected in memory, written to the build's row with the heartbeat."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._text = ""

    def __call__(self, line: str) -> None:
        with self._lock:
            self._text = (self._text + line + "\n")[-LOG_KEEP_CHARS:]

    def text(self) -> str:
        with self._lock:
            return self._text


class TrainingService:
    def __init__(
        self,
        config: TrainingConfig,
        factory: sessionmaker[Session],
        *,
        clock: Clock = utcnow,
        heartbeat_seconds: float = 2.0,
        stale_seconds: float = 60.0,
    ) -> None:
        self.config = config
        self.factory = factory
        self.clock = clock
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self._start_lock = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}

    # ------------------------------------------------------------------ reading

    def _expire_stale(self, session: Session) -> None:
        """A running build whose heartbeat stopped was cut short (the connectors restarted)."""
        limit = self.clock() - timedelta(seconds=self.stale_seconds)
        for build in session.scalars(select(ModelBuild).where(ModelBuild.status == "running")):
            if _aware(build.heartbeat_at) < limit and build.id not in self._threads:
                build.status = "interrupted"
                build.finished_at = self.clock()
                build.error = "Bị gián đoạn: dịch vụ đã khởi động lại trong khi đang huấn luyện."
        session.commit()

    def builds(self, limit: int = 20) -> list[ModelBuild]:
        with self.factory() as session:
            self._expire_stale(session)
            return list(
                session.scalars(select(ModelBuild).order_by(ModelBuild.id.desc()).limit(limit))
            )

    def get(self, build_id: int) -> ModelBuild | None:
        with self.factory() as session:
            self._expire_stale(session)
            return session.get(ModelBuild, build_id)

    def live_model(self) -> Path | None:
        """The model file the first configured Rasa server runs, if it is in the models folder."""
        import httpx

        with httpx.Client() as http:
            try:
                client = RasaClient(self.config.rasa_urls[0], self.config.rasa_token, http)
                name = client.model_file()
            except RasaError:
                return None
        path = self.config.models_dir / name if name else None
        return path if path and path.is_file() else None

    def live_scores(self) -> Scores | None:
        live = self.live_model()
        return cached_scores(self.factory, live) if live else None

    # ------------------------------------------------------------------ building

    def start(self, actor: str) -> int:
        """Starts a build in the background and returns its id; refuses while one runs."""
        with self._start_lock, self.factory() as session:
            self._expire_stale(session)
            running = session.scalars(
                select(ModelBuild).where(ModelBuild.status == "running")
            ).first()
            if running is not None:
                raise BuildRefused(
                    f"Đang có một lần huấn luyện chạy (số {running.id}, do {running.started_by} "
                    "bắt đầu). Xin vui lòng chờ lần đó xong rồi thử lại."
                )
            now = self.clock()
            build = ModelBuild(
                status="running", step="validate", started_by=actor, started_at=now,
                heartbeat_at=now, log="",
            )
            session.add(build)
            session.commit()
            build_id = build.id
            thread = threading.Thread(
                target=self._run, args=(build_id,), name=f"build-{build_id}", daemon=True
            )
            self._threads[build_id] = thread
        thread.start()
        return build_id

    def wait(self, build_id: int, timeout: float | None = None) -> None:
        thread = self._threads.get(build_id)
        if thread is not None:
            thread.join(timeout)

    def _update(self, build_id: int, log: _Log, **values: object) -> None:
        with self.factory() as session:
            build = session.get(ModelBuild, build_id)
            assert build is not None
            build.heartbeat_at = self.clock()
            build.log = log.text()
            for key, value in values.items():
                setattr(build, key, value)
            session.commit()

    def _run(self, build_id: int) -> None:
        log = _Log()
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.heartbeat_seconds):
                try:
                    self._update(build_id, log)
                except Exception:  # a missed beat is not worth killing the build over
                    logger.exception("build %s: heartbeat failed", build_id)

        beating = threading.Thread(target=beat, name=f"build-{build_id}-beat", daemon=True)
        beating.start()
        try:
            scores, model = self._steps(build_id, log)
            stop.set()
            beating.join()
            self._update(
                build_id, log, status="succeeded", step="done", finished_at=self.clock(),
                scores_json=scores.to_json(), model_file=model.name,
            )
        except Exception as exc:  # noqa: BLE001 (any failure must end the build with its log)
            stop.set()
            beating.join()
            if isinstance(exc, StepFailed):
                log(f"THẤT BẠI: {exc}")
                error = str(exc)
            else:
                log(traceback.format_exc())
                error = f"Lỗi không mong đợi: {exc!r}"
            self._update(build_id, log, status="failed", finished_at=self.clock(), error=error)
        finally:
            self._threads.pop(build_id, None)

    def _steps(self, build_id: int, log: _Log) -> tuple[Scores, Path]:
        config = self.config
        # the temporary Rasa's own output: its tail goes into the build's log if it fails
        rasa_log = (ROOT / "var" / "log" / "training"
                    / f"rasa-build-{build_id}-{self.clock():%Y%m%d%H%M%S}.log")
        live = self.live_model()
        if live is None:
            log("không tìm thấy tệp của mô hình đang chạy: chỉ chấm điểm mô hình mới")
            model = self._validate_and_train(build_id, log)
            with temporary_rasa(config, model, log, log_file=rasa_log) as server:
                return self._evaluate(server.ready(), model, None, log), model
        # The temporary Rasa starts with the live model while the data is validated and the
        # candidate trained (its start-up, a minute on 2 cores, overlaps them), then scores the
        # live model if it never was, then loads the candidate (PUT /model).
        with temporary_rasa(config, live, log, log_file=rasa_log) as server:
            model = self._validate_and_train(build_id, log)
            return self._evaluate(server.ready(), model, live, log), model

    def _validate_and_train(self, build_id: int, log: _Log) -> Path:
        config, timeout = self.config, self.config.settings.training_step_timeout_seconds
        env = config.subprocess_env()
        log("== 1/3 kiểm tra dữ liệu (rasa data validate)")
        run_logged(config.validate_argv(), env=env, log=log, timeout=timeout)

        self._update(build_id, log, step="train")
        # its own file, never the live one's (those are vi-<fingerprint>.tar.gz)
        name = f"build-{build_id}-{self.clock():%Y%m%d%H%M%S}"
        model = config.models_dir / f"{name}.tar.gz"
        log(f"== 2/3 huấn luyện {model.name}")
        config.models_dir.mkdir(parents=True, exist_ok=True)
        run_logged(config.train_argv(name), env=env, log=log, timeout=timeout)
        if not model.is_file():
            raise StepFailed(f"lệnh huấn luyện xong nhưng không có tệp {model}")
        self._update(build_id, log, step="evaluate", model_file=model.name)
        return model

    def _evaluate(
        self, rasa: RasaClient, model: Path, live: Path | None, log: _Log
    ) -> Scores:
        timeout = self.config.settings.training_step_timeout_seconds
        log("== 3/3 đánh giá mô hình mới (và mô hình đang chạy, nếu chưa đánh giá)")
        if live is not None and cached_scores(self.factory, live) is None:
            log(f"-- mô hình đang chạy: {live.name}")
            store_scores(self.factory, live, score(self.config, rasa, log, timeout), self.clock())
        log(f"-- mô hình mới: {model.name}")
        try:
            if rasa.model_file() != model.name:
                rasa.load_model(model)
        except RasaError as exc:
            raise StepFailed(str(exc)) from exc
        scores = score(self.config, rasa, log, timeout)
        store_scores(self.factory, model, scores, self.clock())
        return scores
