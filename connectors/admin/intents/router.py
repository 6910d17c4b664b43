"""/admin/intents: intents with their example counts, search, and each intent's examples
(add, edit, move, delete; with and without diacritics side by side); a new intent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from connectors.admin.auth import EditorPage
from connectors.admin.intents import service
from connectors.admin.intents.files import BrokenEdit, StaleVersion
from connectors.admin.intents.new_intent import add_intent
from connectors.admin.project import ProjectFiles
from connectors.admin.templating import redirect, render
from connectors.deps import NowDep, SessionDep, SettingsDep
from connectors.text import fold

router = APIRouter(prefix="/intents")

STALE = (
    "Tệp {file} vừa được người khác thay đổi sau khi anh/chị mở trang, nên thay đổi của anh/chị "
    "CHƯA được lưu. Trang dưới đây là bản mới nhất (nội dung anh/chị nhập vẫn còn trong ô), "
    "vui lòng kiểm tra rồi thực hiện lại."
)
BROKEN = "Không lưu được: thay đổi này làm hỏng tệp dữ liệu. Vui lòng báo cho kỹ thuật viên."
Text = Annotated[str, Form(max_length=2000)]
Version = Annotated[str, Form(max_length=64)]


def project_files(settings: SettingsDep) -> ProjectFiles:
    return ProjectFiles.from_settings(settings)


FilesDep = Annotated[ProjectFiles, Depends(project_files)]


def _url(intent: str) -> str:
    return f"/admin/intents/{intent}"


@router.get("")
def intents_page(
    request: Request, _staff: EditorPage, files: FilesDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    hits = service.search(files, q) if q.strip() else []
    return render(request, "intents/list.html", {
        "intents": service.list_intents(files), "q": q, "hits": hits, "fold": fold,
    })


@router.get("/new")
def new_intent_page(request: Request, _staff: EditorPage) -> HTMLResponse:
    return render(request, "intents/new.html", {"form": {}, "problems": []})


@router.post("/new")
def new_intent(
    request: Request, staff: EditorPage, files: FilesDep, session: SessionDep, now: NowDep,
    name: Annotated[str, Form(max_length=100)], examples: Text, response: Text,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    form = {"name": name, "examples": examples, "response": response}
    try:
        added = add_intent(
            session, files, name, examples.splitlines(), response, staff, now=now,
            confirm=confirm == "yes",
        )
    except service.InvalidExample as exc:
        return _new_again(request, form, [str(exc)])
    except service.IntentExists:
        return _new_again(request, form, [f"Đã có ý định hoặc câu trả lời tên {name.strip()}."])
    except service.ExampleConflict as exc:
        return _new_again(request, form, [c.message for c in exc.conflicts],
                          ask_confirm=not exc.refused)
    except BrokenEdit:
        return _new_again(request, form, [BROKEN])
    return redirect(_url(added.name), flash=f"Đã thêm ý định {added.name} và câu trả lời "
                    f"{added.utter}. Trợ lý trả lời được sau lần huấn luyện tới.")


def _new_again(
    request: Request, form: dict[str, str], problems: list[str], ask_confirm: bool = False
) -> HTMLResponse:
    return render(request, "intents/new.html",
                  {"form": form, "problems": problems, "ask_confirm": ask_confirm},
                  status_code=409 if ask_confirm else 422)


def _detail(
    request: Request, files: ProjectFiles, intent: str, status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    try:
        view = service.view_intent(files, intent)
    except service.IntentNotFound:
        return render(request, "intents/missing.html", {"intent": intent}, status_code=404)
    others = [s.name for s in service.list_intents(files) if s.name != intent]
    context: dict[str, Any] = {
        "intent": view, "others": others, "fold": fold, "problems": [], "ask_confirm": None,
        "draft": "",
    }
    context.update(extra)
    return render(request, "intents/detail.html", context, status_code=status_code)


@router.get("/{intent}")
def intent_page(request: Request, intent: str, _staff: EditorPage, files: FilesDep) -> Response:
    return _detail(request, files, intent)


def _refusal(
    request: Request, files: ProjectFiles, intent: str, exc: Exception, *, draft: str = "",
    action: str = "", example: str = "", target: str = "",
) -> HTMLResponse:
    """The intent's page again, saying why nothing was saved, with what was typed kept."""
    kept = {"draft": draft, "action": action, "example": example, "target": target}
    if isinstance(exc, StaleVersion):
        return _detail(request, files, intent, 409, problems=[STALE.format(file=exc.file)],
                       **kept)
    if isinstance(exc, service.ExampleConflict):
        return _detail(request, files, intent, 409, problems=[c.message for c in exc.conflicts],
                       ask_confirm=None if exc.refused else action, **kept)
    if isinstance(exc, (service.InvalidExample, service.ExampleNotFound)):
        message = str(exc) if isinstance(exc, service.InvalidExample) else (
            f"Không còn câu mẫu «{exc}» trong ý định {intent} (có thể vừa bị người khác sửa)."
        )
        return _detail(request, files, intent, 422, problems=[message], **kept)
    if isinstance(exc, BrokenEdit):
        return _detail(request, files, intent, 500, problems=[BROKEN], **kept)
    raise exc


EDIT_ERRORS = (
    StaleVersion, service.ExampleConflict, service.InvalidExample, service.ExampleNotFound,
    BrokenEdit,
)


def _notes(change: service.Change) -> str:
    return "".join(f" Lưu ý: {c.message}" for c in change.notes)


@router.post("/{intent}/examples")
def add(
    request: Request, intent: str, staff: EditorPage, files: FilesDep, session: SessionDep,
    now: NowDep, text: Text, version: Version, confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        change = service.add_example(session, files, intent, text, staff, now=now,
                                     version=version, confirm=confirm == "add")
    except service.IntentNotFound:
        return _detail(request, files, intent)
    except EDIT_ERRORS as exc:
        return _refusal(request, files, intent, exc, draft=text, action="add")
    return redirect(_url(intent), flash=f"Đã thêm câu mẫu «{change.example}»." + _notes(change))


@router.post("/{intent}/examples/edit")
def edit(
    request: Request, intent: str, staff: EditorPage, files: FilesDep, session: SessionDep,
    now: NowDep, example: Text, text: Text, version: Version,
    confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        change = service.edit_example(session, files, intent, example, text, staff, now=now,
                                      version=version, confirm=confirm == "edit")
    except service.IntentNotFound:
        return _detail(request, files, intent)
    except EDIT_ERRORS as exc:
        return _refusal(request, files, intent, exc, draft=text, action="edit", example=example)
    return redirect(_url(intent), flash=f"Đã sửa thành «{change.example}»." + _notes(change))


@router.post("/{intent}/examples/move")
def move(
    request: Request, intent: str, staff: EditorPage, files: FilesDep, session: SessionDep,
    now: NowDep, example: Text, to_intent: Annotated[str, Form(max_length=100)],
    version: Version, confirm: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        change = service.move_example(session, files, intent, example, to_intent, staff,
                                      now=now, version=version, confirm=confirm == "move")
    except service.IntentNotFound:
        return _detail(request, files, intent, 404,
                       problems=[f"Không có ý định {to_intent}."])
    except EDIT_ERRORS as exc:
        return _refusal(request, files, intent, exc, action="move", example=example,
                        target=to_intent)
    return redirect(_url(intent), flash=f"Đã chuyển «{change.example}» sang ý định "
                    f"{change.intent}." + _notes(change))


@router.post("/{intent}/examples/delete")
def delete(
    request: Request, intent: str, staff: EditorPage, files: FilesDep, session: SessionDep,
    now: NowDep, example: Text, version: Version,
) -> Response:
    try:
        service.delete_example(session, files, intent, example, staff, now=now, version=version)
    except service.IntentNotFound:
        return _detail(request, files, intent)
    except EDIT_ERRORS as exc:
        return _refusal(request, files, intent, exc, action="delete", example=example)
    return redirect(_url(intent), flash=f"Đã xoá câu mẫu «{example}».")
