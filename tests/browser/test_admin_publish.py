"""Issue 13's "done when", in the browser against the real stack: an editor signs in, adds an
example that the live model gets wrong, trains (real `rasa data validate`, `rasa train`, a
temporary Rasa scoring the candidate and the live model on the held-out set and the smoke QA
conversations), sees the scores, publishes (PUT /model to the stack's Rasa), and the bot answers
that phrasing right over REST. The time from "train" to "published" is measured and printed.

The stack is this test's own (its model changes; the session's shared stack must not), with a copy
of data/ (the repository's files are never edited) and its own models folder.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import ROOT, Config, Stack, free_port, train
from tests.browser.driver import missing, run_node
from tests.browser.support import screenshot
from tests.conftest import rest_say
from tests.connectors.conftest import STAFF_PASSWORD
from tests.e2e.conftest import REDIS_URL, domain_text
from tests.e2e.staff import add_staff

# The live model answers this with the fallback (checked first); an editor adds it to
# bot_challenge ("are you a machine?").
PHRASING = "đằng ấy có phải siêu máy tính không"
INTENT = "bot_challenge"
SCRIPT = Path(__file__).with_name("admin_steps.mjs")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("publish")
    shutil.copytree(ROOT / "data", work / "data")
    models = work / "models"
    models.mkdir()
    live = train()  # the repository's current model (trained if missing), as `make run` runs
    shutil.copy(live, models / live.name)
    config = Config(
        connectors_port=free_port(), actions_port=free_port(), rasa_port=free_port(),
        database_url=f"sqlite:///{work / 'portal.sqlite3'}", redis_url=REDIS_URL,
        redis_key_prefix=f"pub{uuid.uuid4().hex[:8]}", log_dir=work / "log",
        extra_env={
            "TRAINING_DATA_DIR": str(work / "data"),
            "TRAINING_MODELS_DIR": str(models),
            # the smoke conversations: the whole QA suite is `make replay`'s job (CI time)
            "TRAINING_REPLAY_TAGS": "smoke",
        },
    )
    running = Stack(config)
    running.prepare()
    running.start(models / live.name)
    yield running
    running.stop()


def add_editor(stack: Stack) -> str:
    return add_staff(stack.config.database_url, "editor", "Biên tập viên Thử", STAFF_PASSWORD)


def said(stack: Stack, sender: str) -> tuple[str, str]:
    """What the bot answered ``PHRASING`` over REST, and the intent its tracker recorded."""
    replies = rest_say(stack.config.rasa_url)(sender, PHRASING)
    tracker = httpx.get(
        f"{stack.config.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.token}, timeout=10,
    ).json()
    users = [e for e in tracker["events"] if e.get("event") == "user"]
    return " ".join(str(r.get("text")) for r in replies), users[-1]["parse_data"]["intent"]["name"]


def live_model(stack: Stack) -> str:
    status = httpx.get(f"{stack.config.rasa_url}/status", params={"token": stack.token}, timeout=10)
    return str(status.json()["model_file"])


def test_an_editor_adds_a_phrasing_trains_publishes_and_the_bot_understands_it(
    stack: Stack,
) -> None:
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    before_text, before_intent = said(stack, f"before-{uuid.uuid4().hex[:6]}")
    assert before_intent != INTENT  # the live model gets it wrong: the test would prove nothing
    assert before_text != domain_text("utter_iamabot")
    live_before = live_model(stack)
    editor = add_editor(stack)
    base = stack.config.connectors_url
    steps: list[dict[str, Any]] = [
        {"goto": f"{base}/admin/login"},
        {"fill": "input[name=username]", "value": editor},
        {"fill": "input[name=password]", "value": STAFF_PASSWORD},
        {"click": "form button[type=submit]"},
        {"goto": f"{base}/admin/intents/{INTENT}"},
        {"fill": "form.add-example input[name=text]", "value": PHRASING},
        {"click": "form.add-example button"},
        {"read": ".flash", "as": "added"},
        {"goto": f"{base}/admin/training"},
        {"mark": "train"},
        {"click": "#start-build"},
        {"read": ".flash", "as": "started"},
        # the page polls the build, then reloads itself with the scores when it ends
        {"waitText": "#build-status", "pattern": "Hoàn tất|Thất bại|Bị gián đoạn",
         "timeout": 900_000},
        {"read": "#build-status", "as": "status"},
        {"read": "#build-error", "as": "error"},
        {"read": "[data-score=live-accuracy]", "as": "live_accuracy"},
        {"read": "[data-score=candidate-accuracy]", "as": "candidate_accuracy"},
        {"read": "#scores", "as": "scores"},
        {"mark": "trained"},
        {"screenshot": screenshot("admin-training-scores.png")},
        {"checkIfPresent": "#confirm-worse", "as": "confirmed_worse"},
        {"click": "#publish"},
        {"mark": "published"},
        {"read": ".flash", "as": "published"},
        {"read": "#live-model", "as": "live_model"},
        {"screenshot": screenshot("admin-training-published.png")},
    ]
    started = time.monotonic()
    result = run_node(SCRIPT, {"steps": steps}, timeout=1200)
    wall = time.monotonic() - started
    read, marks = result["read"], result["marks"]

    assert read["added"].startswith(f"Đã thêm câu mẫu «{PHRASING}»"), read
    assert read["status"] == "Hoàn tất", (read["error"], read)
    assert read["live_accuracy"] != "chưa đo"  # the live model was scored the same way
    assert 0.5 < float(read["live_accuracy"]) <= 1 and 0.5 < float(read["candidate_accuracy"]) <= 1
    assert read["published"].startswith("Đã phát hành build-"), read
    assert read["published"].endswith(" tới mọi máy chủ Rasa."), read
    new_model = live_model(stack)
    assert new_model != live_before and new_model.startswith("build-")
    assert read["live_model"] == new_model
    assert result["blocked"] == []

    text, intent = said(stack, f"after-{uuid.uuid4().hex[:6]}")
    assert intent == INTENT
    assert text == domain_text("utter_iamabot")
    # the repository's training data was not touched: the console edited the stack's copy
    assert PHRASING not in (ROOT / "data" / "nlu" / "smalltalk.yml").read_text(encoding="utf-8")

    figures = {
        "train_to_trained_s": round((marks["trained"] - marks["train"]) / 1000, 1),
        "train_to_published_s": round((marks["published"] - marks["train"]) / 1000, 1),
        "browser_run_s": round(wall, 1),
        "scores": read["scores"],
        "confirmed_worse": read["confirmed_worse"],
    }
    out = ROOT / "var" / "results" / "admin_publish.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"train → published: {figures['train_to_published_s']} s ({out})")
