"""Publishing: one server at a time with a check of what each runs, a worse candidate only with
an explicit confirmation, rollback one step back at a time. Rasa is fake_rasa_cli.py (a stand-in
speaking its HTTP API); tests/browser/test_admin_publish.py does it with the real Rasa."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.admin.training.builds import TrainingService
from connectors.admin.training.commands import TrainingConfig
from connectors.admin.training.publish import Publisher, PublishRefused
from tests.connectors.admin.training_support import (
    TOKEN,
    Project,
    add_example,
    fake_rasa_server,
    fake_settings,
    forget_fees,
    make_project,
    session_factory,
)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    data, live = make_project(tmp_path)
    with fake_rasa_server(live) as url:
        settings = fake_settings(tmp_path, url)
        yield Project(tmp_path, data, tmp_path / "models", settings, session_factory(settings), url)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def build(project: Project) -> int:
    svc = TrainingService(project.config, project.factory)
    build_id = svc.start("editor1")
    svc.wait(build_id, timeout=120)
    done = svc.get(build_id)
    assert done is not None and done.status == "succeeded", done and done.log
    return build_id


def model_of(project: Project, build_id: int) -> str:
    found = TrainingService(project.config, project.factory).get(build_id)
    assert found is not None and found.model_file is not None
    return found.model_file


def test_a_better_candidate_is_published_and_the_server_runs_it(
    project: Project, http: httpx.Client
) -> None:
    add_example(project.data)
    candidate = build(project)
    publisher = Publisher(project.config, project.factory, http)
    found = TrainingService(project.config, project.factory).get(candidate)
    assert found is not None and publisher.worse_reasons(found) == []

    publication = publisher.publish_build(candidate, "editor1", confirm_worse=False)

    assert publication.ok and publication.kind == "publish"
    assert project.live_model() == model_of(project, candidate)
    assert publication.previous_model_file == "vi-live.tar.gz"
    (server,) = json.loads(publication.servers_json)
    assert server["ok"] and server["url"] == project.live_url
    assert server["detail"] == f"đang chạy {model_of(project, candidate)}"
    # the published model answers the new phrasing
    parsed = httpx.post(f"{project.live_url}/model/parse", params={"token": TOKEN},
                        json={"text": "phí làm hộ chiếu"}).json()
    assert parsed["intent"]["name"] == "ask_fee"


def test_a_worse_candidate_needs_an_explicit_confirmation(
    project: Project, http: httpx.Client
) -> None:
    forget_fees(project.data)
    candidate = build(project)
    publisher = Publisher(project.config, project.factory, http)

    with pytest.raises(PublishRefused, match=r"Mô hình mới kém hơn mô hình đang chạy \(độ chính "
                                             r"xác ý định thấp hơn; macro F1 thấp hơn;"):
        publisher.publish_build(candidate, "editor1", confirm_worse=False)
    assert project.live_model() == "vi-live.tar.gz"  # nothing was sent

    publication = publisher.publish_build(candidate, "editor1", confirm_worse=True)
    assert publication.ok
    assert project.live_model() == model_of(project, candidate)


def test_rollback_goes_back_one_publication_at_a_time(
    project: Project, http: httpx.Client
) -> None:
    publisher = Publisher(project.config, project.factory, http)
    with pytest.raises(PublishRefused, match="Không còn mô hình trước đó để quay lại"):
        publisher.rollback("editor1")
    first = build(project)
    add_example(project.data)
    second = build(project)
    publisher.publish_build(first, "editor1", confirm_worse=True)
    publisher.publish_build(second, "editor1", confirm_worse=True)
    assert project.live_model() == model_of(project, second)

    back = publisher.rollback("editor2")
    assert (back.kind, back.model_file, back.ok) == ("rollback", model_of(project, first), True)
    assert project.live_model() == model_of(project, first)
    assert publisher.rollback("editor2").model_file == "vi-live.tar.gz"
    assert project.live_model() == "vi-live.tar.gz"
    with pytest.raises(PublishRefused, match="Không còn mô hình trước đó"):
        publisher.rollback("editor2")
    kinds = [(p.kind, p.model_file, p.rolled_back) for p in publisher.publications()]
    assert kinds == [
        ("rollback", "vi-live.tar.gz", False),
        ("rollback", model_of(project, first), False),
        ("publish", model_of(project, second), True),
        ("publish", model_of(project, first), True),
    ]


def test_servers_are_published_one_at_a_time_and_a_failure_stops_the_roll_out(
    project: Project, http: httpx.Client, tmp_path: Path
) -> None:
    add_example(project.data)
    candidate = build(project)
    live = project.models / "vi-live.tar.gz"
    with fake_rasa_server(live) as second, \
            fake_rasa_server(live, {"FAKE_RASA_REFUSE_LOAD": "1"}) as broken, \
            fake_rasa_server(live) as fourth:
        urls = [project.live_url, second, broken, fourth]
        config = TrainingConfig(fake_settings(tmp_path, ",".join(urls)))
        publisher = Publisher(config, project.factory, http)
        publication = publisher.publish_build(candidate, "editor1", confirm_worse=False)

        assert not publication.ok
        servers = json.loads(publication.servers_json)
        assert [(s["url"], s["ok"]) for s in servers] == [
            (project.live_url, True), (second, True), (broken, False),
        ]  # the fourth was never asked: it keeps answering with the old model
        assert servers[2]["detail"].startswith(f"{broken} trả lời HTTP 500")
        running = [
            httpx.get(f"{u}/status", params={"token": TOKEN}).json()["model_file"] for u in urls
        ]
        new = model_of(project, candidate)
        assert running == [new, new, "vi-live.tar.gz", "vi-live.tar.gz"]

