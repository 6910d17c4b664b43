"""A build's state machine: validate → train → evaluate → done, one at a time, a failed step
stops it with its log, a build cut short by a restart shows as interrupted. The Rasa commands are
fake_rasa_cli.py (a stand-in); the QA replay is the real `python -m qa` subprocess."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from connectors.admin.training.builds import BuildRefused, TrainingService
from connectors.admin.training.evaluation import cached_scores
from connectors.admin.training.models import ModelBuild
from connectors.admin.training.scores import Scores
from tests.connectors.admin.training_support import (
    Project,
    add_example,
    fake_rasa_server,
    fake_settings,
    make_project,
    session_factory,
)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    data, live = make_project(tmp_path)
    with fake_rasa_server(live) as url:
        settings = fake_settings(tmp_path, url)
        yield Project(tmp_path, data, tmp_path / "models", settings, session_factory(settings), url)


def service(project: Project, **kwargs: object) -> TrainingService:
    return TrainingService(project.config, project.factory, **kwargs)  # type: ignore[arg-type]


def finished(svc: TrainingService, build_id: int) -> ModelBuild:
    svc.wait(build_id, timeout=120)
    build = svc.get(build_id)
    assert build is not None
    assert build.status != "running", build.log
    return build


def test_a_build_validates_trains_and_scores_the_candidate_and_the_live_model(
    project: Project,
) -> None:
    add_example(project.data)
    svc = service(project)
    build = finished(svc, svc.start("editor1"))

    assert (build.status, build.step, build.error) == ("succeeded", "done", None)
    assert build.started_by == "editor1" and build.finished_at is not None
    # its own file beside the live one, which is untouched and still live
    assert build.model_file is not None and build.model_file.startswith(f"build-{build.id}-")
    assert (project.models / build.model_file).is_file()
    assert project.live_model() == "vi-live.tar.gz"
    steps = [build.log.index(f"== {n}/3") for n in (1, 2, 3)]
    assert steps == sorted(steps)
    assert build.scores_json is not None
    candidate = Scores.from_json(build.scores_json)
    assert (candidate.intent_accuracy, candidate.fallback_rate) == (1.0, 0.0)
    assert (candidate.replay_turns, candidate.replay_failed) == (2, 0)
    # the live model was scored the same way, once, and cached by its content
    live = cached_scores(project.factory, project.models / "vi-live.tar.gz")
    assert live is not None
    assert live.intent_accuracy == pytest.approx(2 / 3)
    assert live.fallback_rate == pytest.approx(1 / 3)
    assert (live.replay_turns, live.replay_failed) == (2, 1)
    assert candidate.worse_than(live) == []
    assert live.worse_than(candidate) != []


def test_the_live_model_is_scored_once(project: Project) -> None:
    svc = service(project)
    first = finished(svc, svc.start("editor1"))
    second = finished(svc, svc.start("editor1"))
    assert "-- mô hình đang chạy: vi-live.tar.gz" in first.log
    assert "-- mô hình đang chạy" not in second.log
    assert second.status == "succeeded"


def test_a_second_build_is_refused_while_one_runs(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = tmp_path / "hold"
    hold.touch()
    monkeypatch.setenv("FAKE_RASA_HOLD", str(hold))
    svc = service(project)
    first = svc.start("editor1")
    running = svc.get(first)
    assert running is not None and (running.status, running.step) == ("running", "validate")

    with pytest.raises(BuildRefused, match=rf"Đang có một lần huấn luyện chạy \(số {first}, do "
                                           r"editor1 bắt đầu\)\. Xin vui lòng chờ"):
        svc.start("editor2")
    # another service object (another request, another worker) sees the same running build
    with pytest.raises(BuildRefused):
        service(project).start("editor2")

    hold.unlink()
    assert finished(svc, first).status == "succeeded"
    assert finished(svc, svc.start("editor2")).status == "succeeded"
    assert [b.started_by for b in svc.builds()] == ["editor2", "editor1"]


def test_a_failed_step_stops_the_build_with_its_log(project: Project) -> None:
    (project.data / "broken.yml").write_text("nlu: [", encoding="utf-8")
    svc = service(project)
    build = finished(svc, svc.start("editor1"))

    assert (build.status, build.step) == ("failed", "validate")
    assert build.error == "lệnh kết thúc với mã lỗi 1"
    assert "YamlValidationException: broken.yml" in build.log
    assert "== 2/3" not in build.log  # training never started
    assert sorted(p.name for p in project.models.iterdir()) == ["vi-live.tar.gz"]
    # and the next build is allowed
    (project.data / "broken.yml").unlink()
    assert finished(svc, svc.start("editor1")).status == "succeeded"


def test_a_train_command_that_writes_no_model_fails_the_build(project: Project) -> None:
    project.settings.training_train_command = "{app_python} -c pass"
    svc = service(project)
    build = finished(svc, svc.start("editor1"))
    assert (build.status, build.step) == ("failed", "train")
    assert build.error is not None and build.error.startswith("lệnh huấn luyện xong nhưng không")


def test_a_build_cut_short_by_a_restart_shows_as_interrupted(project: Project) -> None:
    started = datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)
    with project.factory() as session:
        session.add(ModelBuild(
            status="running", step="train", started_by="editor1", started_at=started,
            heartbeat_at=started, log="== 2/3 huấn luyện\n",
        ))
        session.commit()
    # the restarted connectors: a new service, its clock 30 s after the last heartbeat
    svc = service(project, clock=lambda: started + timedelta(seconds=30), stale_seconds=60)
    assert [b.status for b in svc.builds()] == ["running"]  # a heartbeat may still come

    later = service(project, clock=lambda: started + timedelta(seconds=61), stale_seconds=60)
    (build,) = later.builds()
    assert build.status == "interrupted"
    assert build.error == "Bị gián đoạn: dịch vụ đã khởi động lại trong khi đang huấn luyện."
    assert build.log == "== 2/3 huấn luyện\n"  # what happened before stays readable


def test_without_the_live_model_file_only_the_candidate_is_scored(project: Project) -> None:
    # the live Rasa runs a model this machine's models folder does not hold (another host's)
    (project.models / "vi-live.tar.gz").unlink()
    svc = service(project)
    build = finished(svc, svc.start("editor1"))
    assert build.status == "succeeded", build.log
    assert "không tìm thấy tệp của mô hình đang chạy: chỉ chấm điểm mô hình mới" in build.log
    assert "-- mô hình đang chạy" not in build.log
    assert svc.live_scores() is None
    assert build.scores_json is not None
    assert Scores.from_json(build.scores_json).intent_accuracy == pytest.approx(2 / 3)


def test_a_temporary_rasa_that_dies_fails_the_evaluation_with_its_output(
    project: Project,
) -> None:
    project.settings.training_serve_command = (
        "{app_python} -c \"import sys; print('no model here'); sys.exit(3)\""
    )
    svc = service(project)
    build = finished(svc, svc.start("editor1"))
    assert (build.status, build.step) == ("failed", "evaluate")
    assert build.error is not None
    assert build.error.startswith("Rasa tạm thời dừng với mã 3:")
    assert "no model here" in build.error


def test_a_step_that_hangs_is_stopped_at_its_timeout(project: Project) -> None:
    # a validate that never ends and prints nothing
    project.settings.training_validate_command = "{app_python} -c \"import time; time.sleep(60)\""
    project.settings.training_step_timeout_seconds = 1.5
    svc = service(project)
    build = finished(svc, svc.start("editor1"))
    assert (build.status, build.step) == ("failed", "validate")
    assert build.error == "quá thời gian cho phép (2 giây)"
    assert build.finished_at is not None
