"""Reviewing a message the bot did not understand, end to end in headless chromium: a citizen
writes to the real bot over REST, a reviewer signs in to the console, finds the message in the
review inbox, assigns it to the right intent in one click (a training example in data/nlu), and
it leaves the inbox; the dashboard shows the figures.

The session's shared stack holds the conversation; its connectors are restarted for this test
with a copy of data/ as the console's training data (the repository's files are never edited).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scripts.stack import ROOT
from tests.browser.driver import missing, run_node
from tests.browser.support import screenshot, user_events
from tests.conftest import rest_say
from tests.connectors.conftest import STAFF_PASSWORD
from tests.e2e.staff import add_staff

if TYPE_CHECKING:
    from scripts.stack import Stack

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("admin_steps.mjs")
PHRASING = "hmm để xem"  # the live model answers it with the fallback (checked first)
INTENT = "out_of_scope"
CONVERSATION_SHOT = ROOT / "docs" / "screenshots" / "admin-review-conversation.png"
KPI_SHOT = ROOT / "docs" / "screenshots" / "admin-kpi.png"


def add_reviewer(stack: Stack) -> str:
    return add_staff(stack.config.database_url, "supervisor", "Người xem lại Thử", STAFF_PASSWORD)


def test_a_reviewer_assigns_a_misunderstood_message_to_its_intent(
    stack: Stack, tmp_path: Path
) -> None:
    problem = missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    sender = f"review-{uuid.uuid4().hex[:8]}"
    assert rest_say(stack.config.rasa_url)(sender, PHRASING)
    said = user_events(stack, sender)[-1]
    assert said["parse_data"]["intent"]["name"] == "nlu_fallback"  # else it proves nothing
    username = add_reviewer(stack)
    base = stack.config.connectors_url
    row = f'tr[data-key$=":{sender}"]'
    form = f"{row} form[action='/admin/review/intent']"
    steps: list[dict[str, Any]] = [
        {"goto": f"{base}/admin/login"},
        {"fill": "input[name=username]", "value": username},
        {"fill": "input[name=password]", "value": STAFF_PASSWORD},
        {"click": "form button[type=submit]"},
        {"goto": f"{base}/admin/review?reason=fallback"},
        {"read": f"{row} td.message", "as": "message"},
        {"read": f"{row} td.reasons", "as": "reasons"},
        {"screenshot": screenshot("admin-review-inbox.png")},
        {"goto": f"{base}/admin/review/conversation?sender={sender}"},
        {"read": ".turn .said", "as": "conversation"},
        {"screenshot": str(CONVERSATION_SHOT)},
        {"goto": f"{base}/admin/review?reason=fallback"},
        {"fill": f"{form} input[name=intent]", "value": INTENT},
        {"click": f"{form} button[type=submit]"},
        {"read": ".flash", "as": "added"},
        {"read": row, "as": "still_listed"},
        {"goto": f"{base}/admin/kpi"},
        {"read": "tr[data-kpi=conversations] td", "as": "conversations"},
        {"screenshot": str(KPI_SHOT)},
    ]
    with stack.reconfigured("connectors", {"TRAINING_DATA_DIR": str(tmp_path / "data")}):
        result = run_node(SCRIPT, {"steps": steps}, timeout=300)
    read = result["read"]

    assert read["message"] == PHRASING and read["conversation"] == PHRASING
    assert read["reasons"] == "Trợ lý không hiểu"
    assert read["added"] == f"Đã thêm “{PHRASING}” làm câu mẫu của ý định {INTENT}.", read
    assert read["still_listed"] is None  # dealt with: out of the inbox
    assert int(read["conversations"]) >= 1
    assert result["blocked"] == []
    assert f"    - {PHRASING}\n" in (tmp_path / "data" / "nlu" / f"{INTENT}.yml").read_text(
        encoding="utf-8")
    assert PHRASING not in (ROOT / "data" / "nlu" / f"{INTENT}.yml").read_text(encoding="utf-8")
