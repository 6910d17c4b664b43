"""/admin/review: the inbox of messages to review, masked for reviewers, and their decisions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import cast
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from connectors.admin.models import AuditEntry
from connectors.admin.project import ProjectFiles
from connectors.admin.review.deps import recorded_dir
from connectors.admin.review.models import ReviewMark
from connectors.admin.review.tracker import VIETNAM_TZ
from connectors.admin.templating import FLASH_COOKIE
from connectors.procedures.models import Procedure
from qa.loader import ConversationFile, load_file
from tests.connectors.admin.conftest import ConsoleFactory
from tests.connectors.admin.tracker_events import Conversation, procedure_button, store_trackers
from tests.connectors.conftest import Clock

pytestmark = pytest.mark.redis

CCCD, PHONE = "079203009999", "0987 111 222"  # not the demo dossiers' (those stay unmasked)


@dataclass
class Stored:
    fallback: str  # sender ids
    picked: str
    fine: str

    def key(self, sender: str, position: int) -> str:
        return f"{position}:{sender}"


def _first_user(events: list[dict[str, object]]) -> int:
    return next(i for i, e in enumerate(events) if e["event"] == "user")


@pytest.fixture
def stored(client: TestClient, clock: Clock) -> Iterator[Stored]:
    app = cast(FastAPI, client.app)
    run = uuid.uuid4().hex[:6]
    ids = Stored(f"zalo-{run}", f"web-{run}", f"ok-{run}")
    start = clock.now - timedelta(hours=2)
    a = Conversation(start, "zalo")
    a.user(f"cccd {CCCD} sdt {PHONE} em muốn hỏi vụ nuôi chim", "nlu_fallback", 0.3) \
        .action("action_clarify").bot("utter_rephrase_suggestions", "Anh/chị hỏi lại ạ").listen()
    b = Conversation(start + timedelta(minutes=5), "socketio")
    menu = [procedure_button("1.001193", "Khai sinh"), procedure_button("1.004222", "Thường trú")]
    b.user("nhập hộ khẩu cho con", "ask_procedure", 0.9).action("action_answer_procedure") \
        .bot("utter_choose_procedure_menu", "Thủ tục nào ạ?", buttons=menu).listen()
    b.user('/ask_procedure{"procedure_code": "1.004222"}', "ask_procedure", 1.0) \
        .action("action_answer_procedure").bot("utter_procedure_overview", "Thường trú ...") \
        .slot("procedure_code", "1.004222").listen()
    c = Conversation(start + timedelta(minutes=9), "socketio")
    c.user("xin chào", "greet", 0.99).action("utter_greet").bot("utter_greet", "Chào").listen()
    keys = store_trackers(app, {ids.fallback: a.dialogue(ids.fallback),
                                ids.picked: b.dialogue(ids.picked),
                                ids.fine: c.dialogue(ids.fine)})
    yield ids
    app.state.cache.client.delete(*keys)


def item_keys(html: str) -> list[str]:
    return re.findall(r'<tr class="review-item" data-key="([^"]+)">', html)


def test_the_inbox_lists_what_to_review_masked_for_reviewers(
    console: ConsoleFactory, stored: Stored
) -> None:
    page = console("supervisor").get("/admin/review")

    assert page.status_code == 200
    # newest first; the greeting needs no review
    assert item_keys(page.text) == [stored.key(stored.picked, 3), stored.key(stored.fallback, 3)]
    assert "Người dân chọn thủ tục khác" in page.text and "Trợ lý không hiểu" in page.text
    assert CCCD not in page.text and PHONE not in page.text
    assert "cccd 000000000001 sdt 0900000001 em muốn hỏi vụ nuôi chim" in page.text
    # the alias form offers the procedure the citizen picked
    assert 'value="1.004222"' in page.text

    admin = console("admin").get("/admin/review").text
    assert f"cccd {CCCD} sdt {PHONE}" in admin


def test_out_of_scope_is_kept_and_leaves_the_inbox(
    console: ConsoleFactory, stored: Stored, client: TestClient
) -> None:
    reviewer = console("supervisor")
    answer = reviewer.post("/admin/review/out-of-scope",
                           {"sender": stored.fallback, "position": "3", "back": "/admin/review"})

    assert answer.status_code == 303 and answer.headers["location"] == "/admin/review"
    assert item_keys(reviewer.get("/admin/review").text) == [stored.key(stored.picked, 3)]
    everything = reviewer.get("/admin/review?show=all").text
    assert stored.key(stored.fallback, 3) in item_keys(everything)
    assert '<span data-decision="out_of_scope">ngoài phạm vi' in everything
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        marks = session.scalars(select(ReviewMark).where(
            ReviewMark.sender_id == stored.fallback)).all()
        assert [(m.position, m.decision, m.actor) for m in marks] == [
            (3, "out_of_scope", reviewer.username)]
        audit = session.scalars(select(AuditEntry).where(
            AuditEntry.target == f"{stored.fallback}@3")).all()
        assert [a.action for a in audit] == ["review.out_of_scope"]
    # the same click again changes nothing
    reviewer.post("/admin/review/out-of-scope", {"sender": stored.fallback, "position": "3"})
    with app.state.session_factory() as session:
        assert len(session.scalars(select(ReviewMark).where(
            ReviewMark.sender_id == stored.fallback)).all()) == 1


def test_save_as_test_writes_a_masked_conversation_file(
    console: ConsoleFactory, stored: Stored, client: TestClient, tmp_path: Path
) -> None:
    app = cast(FastAPI, client.app)
    app.dependency_overrides[recorded_dir] = lambda: tmp_path
    try:
        reviewer = console("supervisor")
        answer = reviewer.post("/admin/review/save-test",
                               {"sender": stored.fallback, "position": "3"})
    finally:
        app.dependency_overrides.pop(recorded_dir)

    assert answer.status_code == 303
    written = list(tmp_path.glob("*.yml"))
    assert len(written) == 1 and stored.fallback not in written[0].name
    content = written[0].read_text(encoding="utf-8")
    assert CCCD not in content and PHONE not in content and "0987111222" not in content
    loaded = load_file(written[0])
    assert isinstance(loaded, ConversationFile)
    turns = loaded.conversation.turns
    assert [t.user for t in turns] == ["cccd 000000000001 sdt 0900000001 em muốn hỏi vụ nuôi chim"]
    assert turns[0].expect.intent == "nlu_fallback"
    assert turns[0].expect.responses == ["utter_rephrase_suggestions"]
    page = reviewer.get("/admin/review").text
    # saved as a test, still to be dealt with
    assert stored.key(stored.fallback, 3) in item_keys(page)
    assert f'<span data-decision="test">đã lưu bài kiểm thử: {written[0].name}' in page


def test_the_phrasing_becomes_an_alias_of_the_procedure_picked(
    console: ConsoleFactory, stored: Stored, client: TestClient
) -> None:
    reviewer = console("supervisor")
    refused = reviewer.post("/admin/review/alias",
                            {"sender": stored.picked, "position": "3", "code": "9.999999"})
    assert refused.status_code == 303
    answer = reviewer.post("/admin/review/alias",
                           {"sender": stored.picked, "position": "3", "code": "1.004222"})

    assert answer.status_code == 303
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        procedure = session.get(Procedure, "1.004222")
        assert procedure is not None
        assert "nhập hộ khẩu cho con" in [a.alias for a in procedure.aliases]
        marks = session.scalars(select(ReviewMark).where(
            ReviewMark.sender_id == stored.picked)).all()
        assert [(m.decision, m.detail) for m in marks] == [("alias", "1.004222")]
        procedure.aliases = [a for a in procedure.aliases if a.alias != "nhập hộ khẩu cho con"]
        session.commit()
    assert item_keys(reviewer.get("/admin/review").text) == [stored.key(stored.fallback, 3)]


def test_the_whole_conversation_masked(console: ConsoleFactory, stored: Stored) -> None:
    reviewer = console("supervisor")
    page = reviewer.get(f"/admin/review/conversation?sender={stored.picked}&position=3")
    assert page.status_code == 200
    said = re.findall(r'<span class="said">(.*?)</span>', page.text)
    assert said == ["nhập hộ khẩu cho con", "Thủ tục nào ạ?",
                    "/ask_procedure{&#34;procedure_code&#34;: &#34;1.004222&#34;}",
                    "Thường trú ..."]
    masked = reviewer.get(f"/admin/review/conversation?sender={stored.fallback}").text
    assert CCCD not in masked and "000000000001" in masked
    assert reviewer.get("/admin/review/conversation?sender=nobody").status_code == 404


def test_reviewers_and_up_only(console: ConsoleFactory, stored: Stored) -> None:
    agent = console("agent")
    assert agent.get("/admin/review").status_code == 403
    answer = agent.post("/admin/review/out-of-scope", {"sender": stored.fallback, "position": "3"})
    assert answer.status_code == 403


def test_a_decision_on_a_message_no_longer_stored(console: ConsoleFactory, stored: Stored) -> None:
    answer = console("supervisor").post("/admin/review/out-of-scope",
                                        {"sender": stored.fallback, "position": "4"})
    assert answer.status_code == 303
    page = console("supervisor").get("/admin/review?show=all").text
    assert "data-decision" not in page


def test_times_are_shown_in_vietnam(console: ConsoleFactory, stored: Stored, clock: Clock
                                    ) -> None:
    asked = (clock.now - timedelta(hours=2)).astimezone(VIETNAM_TZ)  # the first message's day
    page = console("supervisor").get("/admin/review").text
    assert f"<td>{asked.strftime('%d/%m/%Y %H:')}" in page


def test_assigning_an_intent_adds_the_masked_phrasing_as_an_example(
    console: ConsoleFactory, stored: Stored, client: TestClient, project: ProjectFiles
) -> None:
    reviewer = console("supervisor")
    unknown = reviewer.post("/admin/review/intent", {
        "sender": stored.fallback, "position": "3", "intent": "no_such_intent"})
    assert unknown.status_code == 303
    assert "Chưa thêm câu mẫu" in unquote(unknown.cookies.get(FLASH_COOKIE) or "")

    answer = reviewer.post("/admin/review/intent", {
        "sender": stored.fallback, "position": "3", "intent": "out_of_scope"})

    assert answer.status_code == 303
    written = (project.nlu_dir / "out_of_scope.yml").read_text(encoding="utf-8")
    assert "    - cccd 000000000001 sdt 0900000001 em muốn hỏi vụ nuôi chim\n" in written
    assert CCCD not in written
    app = cast(FastAPI, client.app)
    with app.state.session_factory() as session:
        marks = session.scalars(select(ReviewMark).where(
            ReviewMark.sender_id == stored.fallback)).all()
        assert [(m.decision, m.detail) for m in marks] == [("intent", "out_of_scope")]
    assert item_keys(reviewer.get("/admin/review").text) == [stored.key(stored.picked, 3)]


def test_the_reviewer_may_reword_the_example(
    console: ConsoleFactory, stored: Stored, project: ProjectFiles
) -> None:
    answer = console("supervisor").post("/admin/review/intent", {
        "sender": stored.picked, "position": "3", "intent": "ask_procedure",
        "text": "  nhập   hộ khẩu cho con nhỏ "})
    assert answer.status_code == 303
    texts = "".join(p.read_text(encoding="utf-8") for p in project.nlu_dir.glob("*.yml"))
    assert "- nhập hộ khẩu cho con nhỏ\n" in texts


@pytest.mark.parametrize("back", ["https://evil.example/admin/review", "/admin/review\\x",
                                  "/admin/reviewer\r\nSet-Cookie: x=1", "/admin/accounts"])
def test_after_a_decision_the_browser_goes_back_only_to_the_inbox(
    console: ConsoleFactory, stored: Stored, back: str
) -> None:
    answer = console("supervisor").post("/admin/review/out-of-scope", {
        "sender": stored.fallback, "position": "3", "back": back})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/review"
