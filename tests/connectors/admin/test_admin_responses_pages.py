"""Responses in the console: edit a response's variations (text, buttons) with a preview, only
that response's lines change in bot/domain, stale forms are refused, every save is audited."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from sqlalchemy import select

from connectors.admin.intents.files import version_of
from connectors.admin.models import AuditEntry
from connectors.admin.project import ProjectFiles
from connectors.staff.models import RoleName
from tests.connectors.admin.conftest import ConsoleFactory

GOODBYE = "Em cảm ơn anh/chị đã liên hệ. Chúc anh/chị một ngày tốt lành!"


def _domain(project: ProjectFiles, file: str) -> str:
    return (project.domain_dir / file).read_text(encoding="utf-8")


def _responses(project: ProjectFiles, file: str) -> dict[str, list[dict[str, object]]]:
    loaded: dict[str, list[dict[str, object]]] = yaml.safe_load(_domain(project, file))["responses"]
    return loaded


def test_the_list_finds_a_response_by_its_words_without_diacritics(
    console: ConsoleFactory,
) -> None:
    page = console("editor").get("/admin/responses", params={"q": "mot ngay tot lanh"}).text

    assert re.findall(r'<a href="/admin/responses/(\w+)">', page) == ["utter_goodbye"]


def test_a_saved_text_changes_only_its_line_and_is_audited(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    before = _domain(project, "smalltalk.yml")
    new = "Em cảm ơn anh/chị. Hẹn gặp lại anh/chị!"

    answer = editor.post("/admin/responses/utter_goodbye", {
        "version": version_of(before), "text": [new, ""], "buttons": ["", ""],
    })

    assert answer.status_code == 303
    after = _domain(project, "smalltalk.yml")
    assert [x for x in before.splitlines() if x not in after.splitlines()] == [
        f'    - text: "{GOODBYE}"'
    ]
    assert [x for x in after.splitlines() if x not in before.splitlines()] == [
        f'    - text: "{new}"'
    ]
    with editor.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "response.edit", AuditEntry.actor == editor.username
        )).one()
    assert entry.target == "utter_goodbye"
    assert json.loads(entry.before or "") == [{"text": GOODBYE, "buttons": []}]
    assert json.loads(entry.after or "") == [{"text": new, "buttons": []}]


def test_buttons_and_a_new_variation_are_saved(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")

    answer = editor.post("/admin/responses/utter_goodbye", {
        "version": version_of(_domain(project, "smalltalk.yml")),
        "text": [GOODBYE, "Tạm biệt anh/chị ạ!"],
        "buttons": ["", "Đánh giá | /rate\nGặp cán bộ | /request_human"],
    })

    assert answer.status_code == 303
    assert _responses(project, "smalltalk.yml")["utter_goodbye"] == [
        {"text": GOODBYE},
        {"text": "Tạm biệt anh/chị ạ!", "buttons": [
            {"title": "Đánh giá", "payload": "/rate"},
            {"title": "Gặp cán bộ", "payload": "/request_human"},
        ]},
    ]


def test_a_preview_shows_the_answer_and_saves_nothing(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    before = _domain(project, "procedures.yml")
    name = "utter_procedure_overview"
    current = _responses(project, "procedures.yml")[name][0]
    buttons = "\n".join(
        f"{b['title']} | {b['payload']}"  # type: ignore[index]
        for b in current["buttons"]  # type: ignore[attr-defined]
    )

    answer = console("editor").post(f"/admin/responses/{name}", {
        "version": version_of(before), "action": "preview",
        "text": ["Thủ tục {procedure_name}: lệ phí {fee_short}.", ""], "buttons": [buttons, ""],
    })

    assert answer.status_code == 200
    html = answer.text
    assert (
        '<div class="bubble">Thủ tục <mark>{procedure_name}</mark>: lệ phí '
        "<mark>{fee_short}</mark>.</div>" in html
    )
    assert '<span title="/ask_documents">Giấy tờ cần mang</span>' in html
    assert "Đang xem trước: chưa lưu." in html
    assert _domain(project, "procedures.yml") == before


def test_an_unknown_placeholder_is_refused(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    before = _domain(project, "smalltalk.yml")

    answer = console("editor").post("/admin/responses/utter_goodbye", {
        "version": version_of(before), "text": ["Tạm biệt {ten_nguoi_dan}!", ""],
        "buttons": ["", ""],
    })

    assert answer.status_code == 422
    assert "chỗ điền không có: {ten_nguoi_dan}" in answer.text
    assert _domain(project, "smalltalk.yml") == before


def test_a_malformed_button_line_is_refused(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    before = _domain(project, "smalltalk.yml")

    answer = console("editor").post("/admin/responses/utter_goodbye", {
        "version": version_of(before), "text": [GOODBYE, ""], "buttons": ["Đánh giá", ""],
    })

    assert answer.status_code == 422
    assert "Nút dòng 1 chưa đúng dạng" in answer.text
    assert _domain(project, "smalltalk.yml") == before


def test_of_two_editors_on_one_version_the_second_is_refused_and_the_first_kept(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    first, second = console("editor"), console("editor")
    version = version_of(_domain(project, "smalltalk.yml"))

    saved = first.post("/admin/responses/utter_goodbye",
                       {"version": version, "text": ["Tạm biệt, hẹn gặp lại!", ""],
                        "buttons": ["", ""]})
    refused = second.post("/admin/responses/utter_goodbye",
                          {"version": version, "text": ["Chào tạm biệt anh/chị!", ""],
                           "buttons": ["", ""]})

    assert saved.status_code == 303
    assert refused.status_code == 409
    assert "CHƯA được lưu" in refused.text
    assert "Chào tạm biệt anh/chị!" in refused.text
    assert _responses(project, "smalltalk.yml")["utter_goodbye"] == [
        {"text": "Tạm biệt, hẹn gặp lại!"}
    ]


def test_a_response_sharing_its_buttons_keeps_the_other_ones(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    menu_before = _responses(project, "smalltalk.yml")["utter_menu"]

    answer = console("editor").post("/admin/responses/utter_greet", {
        "version": version_of(_domain(project, "smalltalk.yml")),
        "text": ["Em chào anh/chị!", ""], "buttons": ["Tra cứu hồ sơ | /check_status", ""],
    })

    assert answer.status_code == 303
    responses = _responses(project, "smalltalk.yml")
    assert responses["utter_greet"] == [{"text": "Em chào anh/chị!", "buttons": [
        {"title": "Tra cứu hồ sơ", "payload": "/check_status"}]}]
    assert responses["utter_menu"] == menu_before


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_below_editor_responses_are_refused(
    console: ConsoleFactory, project: ProjectFiles, role: RoleName
) -> None:
    someone = console(role)
    before = _domain(project, "smalltalk.yml")

    assert someone.get("/admin/responses/utter_goodbye").status_code == 403
    answer = someone.post("/admin/responses/utter_goodbye", {
        "version": version_of(before), "text": ["x", ""], "buttons": ["", ""],
    })

    assert answer.status_code == 403
    assert _domain(project, "smalltalk.yml") == before
