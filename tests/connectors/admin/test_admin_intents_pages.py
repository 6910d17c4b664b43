"""Intents and examples in the console: counts, search, add/edit/move/delete written to data/nlu
(layout kept), duplicate warnings, stale forms refused, an audit entry for every change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select

from connectors.admin.csrf import FIELD
from connectors.admin.intents.files import examples_as_rasa_reads, read
from connectors.admin.models import AuditEntry
from connectors.admin.project import ProjectFiles
from connectors.staff.models import RoleName
from tests.connectors.admin.conftest import Console, ConsoleFactory

SMALLTALK = "smalltalk.yml"


def _examples(project: ProjectFiles, file: str = SMALLTALK) -> dict[str, list[str]]:
    return examples_as_rasa_reads((project.nlu_dir / file).read_text(encoding="utf-8"))


def _version(project: ProjectFiles, file: str = SMALLTALK) -> str:
    return read(project.nlu_dir / file).version


def _audit(console: Console, action: str) -> list[AuditEntry]:
    with console.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.actor == console.username
        )))


def _lines_changed(before: str, after: str) -> tuple[list[str], list[str]]:
    old, new = before.splitlines(), after.splitlines()
    return [x for x in old if x not in new], [x for x in new if x not in old]


def test_the_list_shows_every_intent_with_its_example_count(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    page = console("editor").get("/admin/intents").text

    counts = dict(re.findall(r'<a href="/admin/intents/(\w+)">\w+</a></td><td>(\d+)</td>', page))
    assert counts["greet"] == str(len(_examples(project)["greet"]))
    assert counts["ask_documents"] == str(len(_examples(project, "documents.yml")["ask_documents"]))
    assert len(counts) == 24  # every intent of data/nlu, none twice


def test_search_finds_an_example_typed_without_diacritics(console: ConsoleFactory) -> None:
    page = console("editor").get("/admin/intents", params={"q": "CHAO BUOI SANG"}).text

    rows = re.findall(
        r'<tr><td><a href="/admin/intents/(\w+)">\w+</a></td><td>([^<]+)</td><td>([^<]+)</td></tr>',
        page,
    )
    assert ("greet", "chào buổi sáng", "chao buoi sang") in rows
    assert all("chao buoi sang" in folded for _, _, folded in rows)


def test_the_intent_page_shows_each_example_with_and_without_diacritics(
    console: ConsoleFactory,
) -> None:
    page = console("editor").get("/admin/intents/greet").text

    assert re.search(
        r'<td class="example">chào buổi sáng</td>\s*<td class="folded">chao buoi sang</td>', page
    )


def test_an_added_example_is_written_to_its_file_and_audited(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    path = project.nlu_dir / SMALLTALK
    before = path.read_text(encoding="utf-8")

    answer = editor.post("/admin/intents/greet/examples",
                         {"text": "  chào   buổi trưa ad ơi ", "version": _version(project)})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/intents/greet"
    after = path.read_text(encoding="utf-8")
    assert _examples(project)["greet"][-1] == "chào buổi trưa ad ơi"
    assert _lines_changed(before, after) == ([], ["    - chào buổi trưa ad ơi"])
    page = editor.get("/admin/intents/greet").text
    assert "Đã thêm câu mẫu «chào buổi trưa ad ơi»." in page
    assert '<td class="example">chào buổi trưa ad ơi</td>' in page
    (entry,) = _audit(editor, "intent.example.add")
    assert entry.target == "greet" and entry.before is None
    assert json.loads(entry.after or "") == {
        "intent": "greet", "file": SMALLTALK, "example": "chào buổi trưa ad ơi"
    }


def test_an_example_with_an_entity_keeps_its_annotation(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")

    editor.post("/admin/intents/ask_fee/examples",
                {"text": "lệ phí [làm hộ chiếu](procedure) hết nhiêu", "version":
                 _version(project, "fees.yml")})

    assert _examples(project, "fees.yml")["ask_fee"][-1] == (
        "lệ phí [làm hộ chiếu](procedure) hết nhiêu"
    )
    page = editor.get("/admin/intents/ask_fee").text
    assert "<td class=\"example\">lệ phí làm hộ chiếu hết nhiêu</td>" in page
    assert "làm hộ chiếu → procedure" in page


def test_an_unknown_entity_is_refused(console: ConsoleFactory, project: ProjectFiles) -> None:
    before = _examples(project, "fees.yml")

    answer = console("editor").post(
        "/admin/intents/ask_fee/examples",
        {"text": "lệ phí [hộ chiếu](giay_to)", "version": _version(project, "fees.yml")},
    )

    assert answer.status_code == 422
    assert "Thực thể không có trong miền hội thoại: giay_to" in answer.text
    assert _examples(project, "fees.yml") == before


def test_the_same_sentence_twice_in_an_intent_is_refused(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    before = _examples(project)

    answer = console("editor").post(
        "/admin/intents/greet/examples", {"text": "Chào Bạn", "version": _version(project)}
    )

    assert answer.status_code == 409
    assert "Câu này đã có trong ý định greet: «chào bạn»." in answer.text
    assert _examples(project) == before


def test_a_sentence_of_another_intent_is_refused_with_the_move_hint(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    before = _examples(project)

    answer = console("editor").post(
        "/admin/intents/goodbye/examples", {"text": "xin chào", "version": _version(project)}
    )

    assert answer.status_code == 409
    assert "Câu này đang là câu mẫu của ý định greet: «xin chào»." in answer.text
    assert "«Chuyển»" in answer.text
    assert _examples(project) == before


def test_another_intent_with_other_diacritics_needs_a_confirmation(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")

    first = editor.post(
        "/admin/intents/goodbye/examples", {"text": "xin chao!", "version": _version(project)}
    )

    assert first.status_code == 409
    assert "Ý định khác (greet) có câu gần giống (khác dấu): «xin chào»." in first.text
    assert '<input type="hidden" name="confirm" value="add">' in first.text
    assert "xin chao!" not in _examples(project)["goodbye"]

    second = editor.post("/admin/intents/goodbye/examples",
                         {"text": "xin chao!", "version": _version(project), "confirm": "add"})

    assert second.status_code == 303
    assert _examples(project)["goodbye"][-1] == "xin chao!"


def test_the_same_words_without_diacritics_in_the_same_intent_are_added_with_a_note(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")

    answer = editor.post(
        "/admin/intents/greet/examples", {"text": "chao ban!", "version": _version(project)}
    )

    assert answer.status_code == 303
    assert _examples(project)["greet"][-1] == "chao ban!"
    assert "Lưu ý: Ý định greet đã có câu gần giống (khác dấu)" in editor.get(
        "/admin/intents/greet"
    ).text


def test_an_edited_example_replaces_its_line(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    path = project.nlu_dir / SMALLTALK
    before = path.read_text(encoding="utf-8")

    answer = editor.post(
        "/admin/intents/greet/examples/edit",
        {"example": "hế lô", "text": "hế lô ad ơi", "version": _version(project)},
    )

    assert answer.status_code == 303
    assert _lines_changed(before, path.read_text(encoding="utf-8")) == (
        ["    - hế lô"], ["    - hế lô ad ơi"]
    )
    (entry,) = _audit(editor, "intent.example.edit")
    assert json.loads(entry.before or "")["example"] == "hế lô"
    assert json.loads(entry.after or "")["example"] == "hế lô ad ơi"


def test_a_moved_example_leaves_one_intent_for_another_file(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    sentence = _examples(project)["thank"][0]

    answer = editor.post(
        "/admin/intents/thank/examples/move",
        {"example": sentence, "to_intent": "check_status", "version": _version(project)},
    )

    assert answer.status_code == 303
    assert sentence not in _examples(project)["thank"]
    assert _examples(project, "status.yml")["check_status"][-1] == sentence
    (entry,) = _audit(editor, "intent.example.move")
    assert (json.loads(entry.before or "")["intent"], json.loads(entry.after or "")["intent"]) == (
        "thank", "check_status"
    )


def test_a_deleted_example_is_gone_and_audited(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    path = project.nlu_dir / SMALLTALK
    before = path.read_text(encoding="utf-8")

    answer = editor.post("/admin/intents/greet/examples/delete",
                         {"example": "hế lô", "version": _version(project)})

    assert answer.status_code == 303
    assert _lines_changed(before, path.read_text(encoding="utf-8")) == (["    - hế lô"], [])
    (entry,) = _audit(editor, "intent.example.delete")
    assert json.loads(entry.before or "")["example"] == "hế lô" and entry.after is None


def _two_editors_from_one_version(
    console: ConsoleFactory, project: ProjectFiles
) -> tuple[Console, Console, str]:
    first, second = console("editor"), console("editor")
    pages = [e.get("/admin/intents/greet").text for e in (first, second)]
    versions = [re.search(r'name="version" value="(\w+)"', p) for p in pages]
    assert versions[0] and versions[1] and versions[0][1] == versions[1][1] == _version(project)
    return first, second, versions[0][1]


def test_of_two_editors_on_one_version_the_second_is_refused_and_the_first_kept(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    first, second, version = _two_editors_from_one_version(console, project)

    saved = first.post("/admin/intents/greet/examples",
                       {"text": "chào cả nhà", "version": version})
    refused = second.post("/admin/intents/greet/examples",
                          {"text": "chào mọi người ạ", "version": version})

    assert saved.status_code == 303
    assert refused.status_code == 409
    assert "vừa được người khác thay đổi" in refused.text and "CHƯA được lưu" in refused.text
    assert 'value="chào mọi người ạ"' in refused.text  # what they typed is still in the box
    greet = _examples(project)["greet"]
    assert "chào cả nhà" in greet and "chào mọi người ạ" not in greet
    assert _audit(second, "intent.example.add") == []


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/intents/greet/examples/edit", {"example": "hế lô", "text": "hế lô nhé"}),
        ("/admin/intents/greet/examples/delete", {"example": "hế lô"}),
        ("/admin/intents/greet/examples/move", {"example": "hế lô", "to_intent": "goodbye"}),
    ],
)
def test_a_stale_edit_delete_or_move_is_refused(
    console: ConsoleFactory, project: ProjectFiles, path: str, data: dict[str, str]
) -> None:
    first, second, version = _two_editors_from_one_version(console, project)
    first.post("/admin/intents/greet/examples", {"text": "chào cả nhà", "version": version})
    after_first = (project.nlu_dir / SMALLTALK).read_text(encoding="utf-8")

    refused = second.post(path, {**data, "version": version})

    assert refused.status_code == 409
    assert (project.nlu_dir / SMALLTALK).read_text(encoding="utf-8") == after_first


def test_the_last_example_of_an_intent_cannot_be_deleted(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    console_nlu = project.nlu_dir / "console.yml"
    editor.post("/admin/intents/new", {"name": "hoi_wifi", "examples": "có wifi không ad",
                                       "response": "Dạ có wifi miễn phí ạ."})

    answer = editor.post("/admin/intents/hoi_wifi/examples/delete",
                         {"example": "có wifi không ad", "version": read(console_nlu).version})

    assert answer.status_code == 422
    assert "cần ít nhất một câu mẫu" in answer.text
    assert _examples(project, "console.yml")["hoi_wifi"] == ["có wifi không ad"]


def test_a_new_intent_gets_its_examples_response_and_rule(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")

    answer = editor.post("/admin/intents/new", {
        "name": "hoi_gio_lam_viec",
        "examples": "bộ phận một cửa làm việc mấy giờ\nbo phan mot cua lam viec may gio\n",
        "response": "Dạ, bộ phận một cửa làm việc từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu ạ.",
    })

    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/intents/hoi_gio_lam_viec"
    assert _examples(project, "console.yml")["hoi_gio_lam_viec"] == [
        "bộ phận một cửa làm việc mấy giờ", "bo phan mot cua lam viec may gio"
    ]
    domain = yaml.safe_load((project.domain_dir / "console.yml").read_text(encoding="utf-8"))
    assert domain["intents"] == ["hoi_gio_lam_viec"]
    assert domain["responses"]["utter_hoi_gio_lam_viec"] == [
        {"text": "Dạ, bộ phận một cửa làm việc từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu ạ."}
    ]
    rules = yaml.safe_load((project.rules_dir / "console.yml").read_text(encoding="utf-8"))
    assert rules["rules"][0]["steps"] == [
        {"intent": "hoi_gio_lam_viec"}, {"action": "utter_hoi_gio_lam_viec"}
    ]
    assert len(_audit(editor, "intent.add")) == 1
    assert "hoi_gio_lam_viec" in editor.get("/admin/intents").text


@pytest.mark.parametrize(
    ("name", "message"),
    [("greet", "Đã có ý định hoặc câu trả lời tên greet."),
     ("Hỏi giờ", "Tên ý định chỉ gồm chữ thường không dấu")],
)
def test_a_new_intent_needs_a_new_well_formed_name(
    console: ConsoleFactory, project: ProjectFiles, name: str, message: str
) -> None:
    answer = console("editor").post("/admin/intents/new", {
        "name": name, "examples": "câu hỏi mới tinh", "response": "Dạ."
    })

    assert answer.status_code == 422
    assert message in answer.text
    assert not (project.nlu_dir / "console.yml").exists()


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_below_editor_intents_are_neither_shown_nor_changed(
    console: ConsoleFactory, project: ProjectFiles, role: RoleName
) -> None:
    someone = console(role)
    before = _examples(project)

    assert someone.get("/admin/intents").status_code == 403
    answer = someone.post("/admin/intents/greet/examples",
                          {"text": "chào buổi trưa", "version": _version(project)})

    assert answer.status_code == 403
    assert _examples(project) == before


def test_an_example_without_the_csrf_token_is_refused(
    console: ConsoleFactory, project: ProjectFiles
) -> None:
    editor = console("editor")
    before = _examples(project)

    answer: httpx.Response = editor.client.post(
        "/admin/intents/greet/examples",
        data={"text": "chào buổi trưa", "version": _version(project), FIELD: "sai"},
        follow_redirects=False,
    )

    assert answer.status_code == 403
    assert _examples(project) == before


def test_the_console_never_edits_the_repository_in_tests(project: ProjectFiles) -> None:
    assert Path(__file__).resolve().parents[3] not in project.data_dir.parents
