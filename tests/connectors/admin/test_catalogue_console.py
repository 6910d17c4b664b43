"""The catalogue in the console: sqladmin pages behind the console's sign-in, roles and CSRF;
every change audited and answered by the bot's API at once; the "try it" box; the import."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from connectors.admin.csrf import FIELD
from connectors.procedures.models import Procedure, ProcedureAlias, SubmissionChannel
from connectors.seed.loader import SEED_DIR, read_curated
from connectors.settings import Settings
from tests.connectors.admin.catalogue_support import (
    BIRTH,
    REDIS_TEST_URL,
    SAMPLE,
    UNHEARD,
    audit_entries,
)
from tests.connectors.admin.conftest import Console, ConsoleFactory
from tests.connectors.conftest import SERVICE, SERVICE_TOKEN, prepared_database

DB = "/admin/catalogue/db"
DEATH = "1.000656"  # curated "Đăng ký khai tử", in no family of variants


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """These tests edit the catalogue: a database of their own, not the session's shared one."""
    yield from prepared_database(request.param, tmp_path_factory)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Console edits of curated procedures go to a copy of the seed (never the repository's)."""
    seed = tmp_path / "procedures"
    shutil.copytree(SEED_DIR, seed)
    return Settings(database_url=database_url, redis_url=REDIS_TEST_URL,
                    redis_key_prefix=f"test:{uuid.uuid4().hex[:8]}:",
                    connectors_service_token=SERVICE_TOKEN, catalogue_seed_dir=seed)


@pytest.fixture
def app(client: TestClient) -> Iterator[FastAPI]:
    app = cast(FastAPI, client.app)
    yield app
    with app.state.session_factory() as session:  # what a test added, removed
        for alias in session.scalars(select(ProcedureAlias).where(
                ProcedureAlias.alias.in_([UNHEARD, "mừng  chào đời"]))):
            session.delete(alias)
        session.commit()


@pytest.fixture
def bot(app: FastAPI) -> TestClient:
    """The action server's client."""
    return TestClient(app, headers=SERVICE)


def resolved(bot: TestClient, text: str) -> tuple[str, str | None]:
    answer = bot.get("/api/v1/procedures/resolve", params={"q": text})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["decision"], (body["procedure"] or {}).get("code")


def first_hit(bot: TestClient, text: str) -> str | None:
    items = bot.get("/api/v1/procedures/search", params={"q": text}).json()["items"]
    return items[0]["code"] if items else None


def create(editor: Console, identity: str, data: dict[str, str]) -> httpx.Response:
    return editor.post(f"{DB}/{identity}/create", {**data, "save": "Save"})


def test_an_alias_added_in_the_console_is_what_the_bot_gets_next(
    console: ConsoleFactory, bot: TestClient
) -> None:
    editor = console("editor")
    assert resolved(bot, UNHEARD) == ("no_fit", None)  # and now cached
    assert first_hit(bot, UNHEARD) != BIRTH

    answer = create(editor, "procedure-alias", {"procedure_code": BIRTH, "alias": UNHEARD})

    assert answer.status_code == 302, answer.text
    assert resolved(bot, UNHEARD) == ("confident", BIRTH)
    assert first_hit(bot, UNHEARD) == BIRTH


def test_an_edited_alias_is_what_the_bot_gets_next_and_is_audited(
    console: ConsoleFactory, bot: TestClient, app: FastAPI
) -> None:
    editor = console("editor")
    create(editor, "procedure-alias", {"procedure_code": BIRTH, "alias": "mừng  chào đời"})
    with app.state.session_factory() as session:
        row = session.scalars(select(ProcedureAlias).where(
            ProcedureAlias.procedure_code == BIRTH).order_by(ProcedureAlias.id.desc())).first()
        assert row is not None and row.alias == "mừng chào đời"  # stored tidied
        passport = session.scalars(select(ProcedureAlias).where(
            ProcedureAlias.procedure_code != BIRTH)).first()
        assert passport is not None
    assert resolved(bot, UNHEARD) == ("confident", BIRTH)

    answer = editor.post(f"{DB}/procedure-alias/edit/{row.id}", {
        "procedure_code": DEATH, "alias": UNHEARD, "save": "Save"})

    assert answer.status_code == 302, answer.text
    assert resolved(bot, UNHEARD) == ("confident", DEATH)
    with app.state.session_factory() as session:
        entry = audit_entries(session, "catalogue.procedure-alias.edit")[-1]
    assert (entry.actor, entry.target) == (editor.username, f"{DEATH}#{row.id}")
    before, after = json.loads(entry.before or ""), json.loads(entry.after or "")
    assert (before["procedure_code"], before["alias"]) == (BIRTH, "mừng chào đời")
    assert (after["procedure_code"], after["alias"]) == (DEATH, UNHEARD)


def test_a_fee_edited_in_the_console_is_in_the_next_detail_the_bot_reads(
    console: ConsoleFactory, bot: TestClient, app: FastAPI
) -> None:
    editor = console("editor")
    assert bot.get(f"/api/v1/procedures/{BIRTH}").json()["channels"][0]["fee_text"] == "Miễn phí"
    with app.state.session_factory() as session:
        channel = session.scalars(select(SubmissionChannel).where(
            SubmissionChannel.procedure_code == BIRTH).order_by(SubmissionChannel.position)
        ).first()
        assert channel is not None
    form = {"procedure_code": BIRTH, "position": "0", "kind": "in_person",
            "fee_text": "8.000 đồng", "fee_amount": "8000", "processing_time": "0,5",
            "time_unit": "ngày làm việc", "time_text": "", "note": "", "save": "Save"}
    try:
        answer = editor.post(f"{DB}/submission-channel/edit/{channel.id}", form)

        assert answer.status_code == 302, answer.text
        first = bot.get(f"/api/v1/procedures/{BIRTH}").json()["channels"][0]
        assert (first["fee_text"], first["fee_amount"]) == ("8.000 đồng", 8000)
        assert first["processing_time"] == 0.5  # written as Vietnamese write it
        seed = {r.code: r for r in read_curated(app.state.settings.catalogue_seed_dir)}
        assert seed[BIRTH].channels[0].fee_text == "8.000 đồng"  # the next start keeps it
        assert first["time_text"] is None  # an emptied field is stored as nothing
    finally:
        editor.post(f"{DB}/submission-channel/edit/{channel.id}", {
            **form, "fee_text": "Miễn phí", "fee_amount": "0", "processing_time": "1",
            "time_text": channel.time_text or ""})


@pytest.mark.parametrize(
    ("identity", "form", "shown"),
    [
        ("procedure-alias", {"procedure_code": BIRTH, "alias": "   "}, "Không được để trống."),
        ("procedure-alias", {"procedure_code": BIRTH, "alias": "Dang ky khai sinh"},
         "đã là tên gọi của thủ tục 1.001193"),
        ("procedure-alias", {"procedure_code": "9.999999", "alias": "mừng chào đời"},
         "Không có thủ tục mã 9.999999."),
        ("submission-channel", {"procedure_code": BIRTH, "kind": "online", "fee_amount": "-5"},
         "Phải là một số không âm."),
        ("submission-channel", {"procedure_code": BIRTH, "kind": "online",
                                "fee_amount": "năm nghìn"}, "Phải là một số nguyên"),
        ("submission-channel", {"procedure_code": BIRTH, "kind": "online",
                                "processing_time": "-1"}, "Phải là một số không âm."),
        ("required-document", {"procedure_code": BIRTH, "name": " ", "group": "nộp"},
         "Không được để trống."),
        ("procedure", {"code": "9.1", "name": "  "}, "Không được để trống."),
        ("procedure", {"code": BIRTH, "name": "Trùng mã"}, "Đã có thủ tục mã 1.001193."),
    ],
)
def test_an_invalid_row_is_refused_with_the_reason_and_nothing_written(
    console: ConsoleFactory, app: FastAPI, identity: str, form: dict[str, str], shown: str
) -> None:
    editor = console("editor")
    with app.state.session_factory() as session:
        before = len(audit_entries(session, f"catalogue.{identity}.create"))

    answer = create(editor, identity, form)

    assert answer.status_code == 400
    assert shown in answer.text
    with app.state.session_factory() as session:
        assert len(audit_entries(session, f"catalogue.{identity}.create")) == before
        assert session.get(Procedure, "9.1") is None


def test_a_reviewer_reads_the_catalogue_but_cannot_change_it(
    console: ConsoleFactory, app: FastAPI
) -> None:
    reviewer = console("supervisor")

    listing = reviewer.get(f"{DB}/procedure-alias/list")
    create_page = reviewer.get(f"{DB}/procedure-alias/create")
    posted = create(reviewer, "procedure-alias", {"procedure_code": BIRTH, "alias": UNHEARD})

    assert listing.status_code == 200 and "Cách người dân gọi" in listing.text
    assert create_page.status_code == 403
    assert posted.status_code == 403
    with app.state.session_factory() as session:
        assert session.scalar(select(ProcedureAlias).where(ProcedureAlias.alias == UNHEARD)) is None


def test_an_agent_is_refused_and_a_stranger_sent_to_sign_in(
    console: ConsoleFactory, client: TestClient
) -> None:
    agent = console("agent")

    assert agent.get(f"{DB}/procedure/list").status_code == 403
    stranger = client.get(f"{DB}/procedure/list?search=khai", follow_redirects=False)
    assert stranger.status_code == 303
    assert stranger.headers["location"] == (
        "/admin/login?next=%2Fadmin%2Fcatalogue%2Fdb%2Fprocedure%2Flist%3Fsearch%3Dkhai"
    )


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_change_without_the_csrf_token_is_refused(
    console: ConsoleFactory, app: FastAPI, token: str | None
) -> None:
    editor = console("editor")
    form = {"procedure_code": BIRTH, "alias": UNHEARD, "save": "Save"}
    if token is not None:
        form[FIELD] = token

    answer = editor.client.post(f"{DB}/procedure-alias/create", data=form,
                                follow_redirects=False)

    assert answer.status_code == 403
    with app.state.session_factory() as session:
        assert session.scalar(select(ProcedureAlias).where(ProcedureAlias.alias == UNHEARD)) is None


def test_deleting_needs_the_csrf_header(console: ConsoleFactory, app: FastAPI) -> None:
    editor = console("editor")
    create(editor, "procedure-alias", {"procedure_code": BIRTH, "alias": UNHEARD})
    with app.state.session_factory() as session:
        row = session.scalar(select(ProcedureAlias).where(ProcedureAlias.alias == UNHEARD))
        assert row is not None
    url = f"{DB}/procedure-alias/delete?pks={row.id}"

    refused = editor.client.delete(url)
    deleted = editor.client.delete(url, headers={"X-CSRF-Token": editor.csrf})

    assert (refused.status_code, deleted.status_code) == (403, 200)
    with app.state.session_factory() as session:
        assert session.get(ProcedureAlias, row.id) is None
        entry = audit_entries(session, "catalogue.procedure-alias.delete")[-1]
    assert json.loads(entry.before or "")["alias"] == UNHEARD and entry.after is None


def test_the_pages_speak_vietnamese(console: ConsoleFactory) -> None:
    page = console("editor").get(f"{DB}/procedure/list")

    assert '<html lang="vi">' in page.text
    assert "Thêm thủ tục" in page.text and "Đăng xuất" in page.text
    assert '<meta name="csrf-token"' in page.text


def test_try_it_then_add_the_phrasing_then_try_again_shows_the_move(
    console: ConsoleFactory, bot: TestClient
) -> None:
    editor = console("editor")
    first = editor.get("/admin/catalogue/try", params={"q": UNHEARD})
    assert first.status_code == 200
    assert "Không trả lời: Không có thủ tục phù hợp" in first.text
    assert 'id="earlier"' not in first.text

    added = editor.post("/admin/catalogue/aliases",
                        {"code": BIRTH, "alias": UNHEARD, "q": UNHEARD})
    again = editor.get(added.headers["location"])

    assert added.status_code == 303
    assert added.headers["location"] == (
        "/admin/catalogue/try?q=m%E1%BB%ABng+ch%C3%A0o+%C4%91%E1%BB%9Di")
    assert f"Đã thêm cách gọi “{UNHEARD}” cho thủ tục {BIRTH}." in again.text
    assert "Chắc chắn: trả lời ngay về thủ tục này — thủ tục 1.001193" in again.text
    first_row = again.text.split('<tr data-code="', 1)[1]
    assert first_row.startswith(f'{BIRTH}"') and "<td>mới</td>" in first_row.split("</tr>")[0]
    assert 'id="earlier"' in again.text  # the try before the edit, beside it
    assert resolved(bot, UNHEARD) == ("confident", BIRTH)


def test_a_refused_phrasing_is_explained_on_the_try_page(console: ConsoleFactory) -> None:
    editor = console("editor")

    added = editor.post("/admin/catalogue/aliases",
                        {"code": BIRTH, "alias": "đăng ký khai sinh", "q": "khai sinh"})

    page = editor.get(added.headers["location"])
    assert "Chưa thêm: “đăng ký khai sinh” đã là tên gọi của thủ tục 1.001193." in page.text


def test_a_reviewer_tries_but_cannot_add_a_phrasing(console: ConsoleFactory) -> None:
    reviewer = console("supervisor")

    page = reviewer.get("/admin/catalogue/try", params={"q": "làm khai sinh"})
    added = reviewer.post("/admin/catalogue/aliases", {"code": BIRTH, "alias": UNHEARD})

    assert page.status_code == 200 and 'data-code="1.001193"' in page.text
    assert 'action="/admin/catalogue/aliases"' not in page.text
    assert added.status_code == 403


def test_importing_a_catalogue_file_from_the_console_shows_its_summary(
    console: ConsoleFactory, bot: TestClient, app: FastAPI
) -> None:
    editor = console("editor")

    posted = editor.post("/admin/catalogue/import", files={
        "file": ("catalogue-2027.jsonl", SAMPLE.read_bytes(), "application/octet-stream")})
    summary = editor.get(posted.headers["location"])

    assert posted.status_code == 303
    rows = dict(
        (cells[0].split("<th>")[1], cells[1].split("<td>")[1].split("</td>")[0])
        for cells in (row.split("</th>") for row in summary.text.split("<tr>")[1:])
    )
    assert rows["Thủ tục mới"] == "5" and rows["Thủ tục đã kiểm chứng, giữ nguyên"] == "1"
    assert bot.get("/api/v1/procedures/9.900002").status_code == 200
    with app.state.session_factory() as session:
        for code in ("9.900001", "9.900002", "9.900003", "9.900004", "9.900005"):
            session.delete(session.get_one(Procedure, code))
        session.commit()


def test_a_file_of_another_kind_is_refused_with_a_note(console: ConsoleFactory) -> None:
    editor = console("editor")

    posted = editor.post("/admin/catalogue/import", files={
        "file": ("catalogue.xlsx", b"PK\x03\x04", "application/octet-stream")})

    assert posted.status_code == 303 and posted.headers["location"] == "/admin/catalogue"
    assert "Chưa nhập: Chỉ nhận tệp danh mục dạng .jsonl hoặc .jsonl.gz." in (
        editor.get("/admin/catalogue").text)


def test_a_reviewer_cannot_import(console: ConsoleFactory) -> None:
    reviewer = console("supervisor")

    posted = reviewer.post("/admin/catalogue/import", files={
        "file": ("catalogue.jsonl", SAMPLE.read_bytes(), "application/octet-stream")})
    home = reviewer.get("/admin/catalogue")

    assert posted.status_code == 403
    assert home.status_code == 200 and 'action="/admin/catalogue/import"' not in home.text


def test_a_national_procedure_edited_by_staff_is_kept_by_the_next_import(
    console: ConsoleFactory, app: FastAPI
) -> None:
    editor = console("editor")
    upload = {"file": ("a.jsonl", SAMPLE.read_bytes(), "application/octet-stream")}
    editor.post("/admin/catalogue/import", files=upload)
    with app.state.session_factory() as session:
        document = session.get_one(Procedure, "9.900002").documents[0]
        assert session.get_one(Procedure, "9.900002").source == "national"

    edited = editor.post(f"{DB}/required-document/edit/{document.id}", {
        "procedure_code": "9.900002", "position": "0", "name": "Tờ khai thay đổi thông tin cư trú",
        "group": "nộp", "note": "Chỉ khi chủ hộ đồng ý", "save": "Save"})
    again = editor.get(editor.post("/admin/catalogue/import", files=upload).headers["location"])

    assert edited.status_code == 302, edited.text
    assert "<th>Thủ tục đã kiểm chứng, giữ nguyên</th><td>2</td>" in again.text
    with app.state.session_factory() as session:
        procedure = session.get_one(Procedure, "9.900002")
        assert procedure.source == "curated"
        assert (procedure.documents[0].name, procedure.documents[0].note) == (
            "Tờ khai thay đổi thông tin cư trú", "Chỉ khi chủ hộ đồng ý")
        for code in ("9.900001", "9.900002", "9.900003", "9.900004", "9.900005"):
            session.delete(session.get_one(Procedure, code))
        session.commit()


def test_the_console_home_lists_the_catalogue_and_its_newest_changes(
    console: ConsoleFactory,
) -> None:
    editor = console("editor")
    editor.post("/admin/catalogue/aliases", {"code": BIRTH, "alias": UNHEARD})

    home = editor.get("/admin/")
    page = editor.get("/admin/catalogue")

    assert '<a href="/admin/catalogue"' in home.text
    assert page.status_code == 200
    assert f'href="{DB}/procedure-alias/list"' in page.text
    # at the test's clock, Monday 09:00 in Vietnam
    assert (f"<tr><td>23/11/2026 09:00</td><td>{editor.username}</td>"
            f"<td>catalogue.alias.add</td><td>{BIRTH}</td></tr>") in page.text


def test_a_procedure_page_shows_its_aliases_documents_and_fees(console: ConsoleFactory) -> None:
    editor = console("editor")

    details = editor.get(f"{DB}/procedure/details/{BIRTH}")
    edit = editor.get(f"{DB}/procedure/edit/{BIRTH}")
    fees = editor.get(f"{DB}/submission-channel/list", params={"search": BIRTH})

    assert details.status_code == 200
    assert ">làm giấy khai sinh</a>" in details.text
    assert "Trực tiếp: lệ phí Miễn phí; thời hạn Trả ngay trong ngày" in details.text
    assert "Chỉ khi ủy quyền." in details.text  # when a document is needed
    assert edit.status_code == 200 and ">Thủ tục đăng ký khai sinh</textarea>" in edit.text
    assert fees.status_code == 200 and fees.text.count("Miễn phí") == 3
