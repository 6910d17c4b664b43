"""/admin/training: train a candidate, compare its scores with the live model's, publish, roll back.

Editors only; every action is audited. A build runs in a background thread of this process; the
page polls /admin/training/builds/<id>/progress while it runs.
"""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from connectors.admin.audit import record
from connectors.admin.auth import EditorPage
from connectors.admin.templating import redirect, render
from connectors.admin.training.builds import BuildRefused, TrainingService
from connectors.admin.training.commands import TrainingConfig
from connectors.admin.training.evaluation import cached_scores
from connectors.admin.training.models import ModelBuild
from connectors.admin.training.publish import Publisher, PublishRefused
from connectors.admin.training.scores import Scores
from connectors.deps import NowDep, SessionDep
from connectors.settings import Settings

router = APIRouter(prefix="/training")
PAGE = "/admin/training"
_create_lock = threading.Lock()


def get_training(request: Request) -> TrainingService:
    """One service per app: it knows which builds run in this process (their threads)."""
    with _create_lock:
        service: TrainingService | None = getattr(request.app.state, "training", None)
        if service is None:
            settings: Settings = request.app.state.settings
            service = TrainingService(TrainingConfig(settings), request.app.state.session_factory)
            request.app.state.training = service
        return service


TrainingDep = Annotated[TrainingService, Depends(get_training)]


def _scores(build: ModelBuild | None) -> Scores | None:
    return Scores.from_json(build.scores_json) if build and build.scores_json else None


@router.get("")
def page(request: Request, staff: EditorPage, training: TrainingDep) -> HTMLResponse:
    builds = training.builds()
    latest = builds[0] if builds else None
    with httpx.Client() as http:
        publisher = Publisher(training.config, training.factory, http)
        live_name = publisher.live_model_file()
        live_path = training.config.models_dir / live_name if live_name else None
        live_scores = cached_scores(training.factory, live_path) if live_path else None
        worse = publisher.worse_reasons(latest) if latest and latest.scores_json else []
        publications = publisher.publications()
    return render(request, "training/page.html", {
        "builds": builds,
        "latest": latest,
        "candidate": _scores(latest),
        "live_name": live_name,
        "live_scores": live_scores,
        "worse": worse,
        "publications": publications,
        "servers": {p.id: json.loads(p.servers_json) for p in publications},
        "rasa_urls": training.config.rasa_urls,
    })


@router.get("/builds/{build_id}/progress")
def progress(build_id: int, staff: EditorPage, training: TrainingDep) -> JSONResponse:
    build = training.get(build_id)
    if build is None:
        raise HTTPException(status_code=404)
    body: dict[str, Any] = {
        "id": build.id, "status": build.status, "step": build.step, "error": build.error,
        "log": build.log[-20_000:], "running": build.status == "running",
    }
    return JSONResponse(body)


@router.post("/start")
def start(
    staff: EditorPage, training: TrainingDep, session: SessionDep, now: NowDep
) -> RedirectResponse:
    try:
        build_id = training.start(staff.username)
    except BuildRefused as refused:
        return redirect(PAGE, flash=str(refused))
    record(session, staff, "training.start", f"build {build_id}", now=now)
    return redirect(PAGE, flash=f"Đã bắt đầu lần huấn luyện số {build_id}.")


@router.post("/publish")
def publish(
    staff: EditorPage,
    training: TrainingDep,
    session: SessionDep,
    now: NowDep,
    build_id: Annotated[int, Form()],
    confirm_worse: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    with httpx.Client() as http:
        publisher = Publisher(training.config, training.factory, http)
        try:
            done = publisher.publish_build(build_id, staff.username, confirm_worse=confirm_worse)
        except PublishRefused as refused:
            return redirect(PAGE, flash=str(refused))
    record(
        session, staff, "training.publish", done.model_file,
        before={"model": done.previous_model_file},
        after={"model": done.model_file, "build": build_id, "confirmed_worse": confirm_worse,
               "ok": done.ok, "servers": json.loads(done.servers_json)},
        now=now,
    )
    if not done.ok:
        return redirect(PAGE, flash="Phát hành chưa xong: một máy chủ Rasa không nhận mô hình "
                                    "(xem bảng phát hành bên dưới).")
    return redirect(PAGE, flash=f"Đã phát hành {done.model_file} tới mọi máy chủ Rasa.")


@router.post("/rollback")
def rollback(
    staff: EditorPage, training: TrainingDep, session: SessionDep, now: NowDep
) -> RedirectResponse:
    with httpx.Client() as http:
        publisher = Publisher(training.config, training.factory, http)
        try:
            done = publisher.rollback(staff.username)
        except PublishRefused as refused:
            return redirect(PAGE, flash=str(refused))
    record(
        session, staff, "training.rollback", done.model_file,
        before={"model": done.previous_model_file},
        after={"model": done.model_file, "ok": done.ok, "servers": json.loads(done.servers_json)},
        now=now,
    )
    if not done.ok:
        return redirect(PAGE, flash="Quay lại chưa xong: một máy chủ Rasa không nhận mô hình.")
    return redirect(PAGE, flash=f"Đã quay lại mô hình {done.model_file}.")
