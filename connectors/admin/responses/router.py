"""/admin/responses: the bot's responses, and one response's variations (text, buttons) edited
with a preview."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from connectors.admin.auth import EditorPage
from connectors.admin.intents.files import BrokenEdit, StaleVersion
from connectors.admin.intents.router import FilesDep
from connectors.admin.project import ProjectFiles
from connectors.admin.responses import service
from connectors.admin.responses.domain import Variation
from connectors.admin.templating import redirect, render
from connectors.deps import NowDep, SessionDep

router = APIRouter(prefix="/responses")

STALE = (
    "Tệp {file} vừa được người khác thay đổi sau khi anh/chị mở trang, nên thay đổi của anh/chị "
    "CHƯA được lưu. Bên dưới là bản mới nhất; nội dung anh/chị đã nhập nằm ở phần «Bản của "
    "anh/chị», vui lòng chép lại rồi lưu."
)
Texts = Annotated[list[str], Form()]


@router.get("")
def responses_page(
    request: Request, _staff: EditorPage, files: FilesDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    return render(request, "responses/list.html",
                  {"responses": service.list_responses(files, q), "q": q})


def _edit_page(
    request: Request, files: ProjectFiles, name: str, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    try:
        current = service.get_response(files, name)
    except service.ResponseNotFound:
        return render(request, "responses/missing.html", {"name": name}, status_code=404)
    variations = extra.pop("variations", None) or list(current.variations)
    context: dict[str, Any] = {
        "response": current, "variations": variations, "problems": [], "mine": None,
        "previews": [service.preview(v) for v in variations],
        "buttons_text": service.buttons_text,
    }
    context.update(extra)
    return render(request, "responses/edit.html", context, status_code=status_code)


@router.get("/{name}")
def response_page(request: Request, name: str, _staff: EditorPage, files: FilesDep) -> Response:
    return _edit_page(request, files, name)


def _variations(
    files: ProjectFiles, name: str, texts: list[str], buttons: list[str], remove: list[str]
) -> list[Variation]:
    current = service.get_response(files, name).variations
    result: list[Variation] = []
    for index, (text, raw_buttons) in enumerate(zip(texts, buttons, strict=False)):
        if str(index) in remove:
            continue
        if index >= len(current) and not text.strip() and not raw_buttons.strip():
            continue  # the empty "new variation" slot, left empty
        other = current[index].other if index < len(current) else {}
        result.append(Variation(text.replace("\r\n", "\n").strip(),
                                service.parse_buttons(raw_buttons), other))
    return result


@router.post("/{name}")
def save(
    request: Request, name: str, staff: EditorPage, files: FilesDep, session: SessionDep,
    now: NowDep, version: Annotated[str, Form(max_length=64)], text: Texts, buttons: Texts,
    remove: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
    action: Annotated[str, Form(max_length=10)] = "save",
) -> Response:
    try:
        variations = _variations(files, name, text, buttons, remove)
    except service.ResponseNotFound:
        return _edit_page(request, files, name)
    except service.InvalidResponse as exc:
        return _edit_page(request, files, name, 422, problems=[str(exc)])
    if action == "preview":  # nothing saved: the same form, with what it would look like
        return _edit_page(request, files, name, variations=variations, previewing=True,
                          version=version)
    try:
        service.save_response(session, files, name, variations, staff, now=now,
                              version=version)
    except StaleVersion as exc:
        return _edit_page(request, files, name, 409, problems=[STALE.format(file=exc.file)],
                          mine=variations)
    except service.InvalidResponse as exc:
        return _edit_page(request, files, name, 422, problems=[str(exc)],
                          variations=variations)
    except BrokenEdit:
        return _edit_page(request, files, name, 500, problems=[
            "Không lưu được: thay đổi này làm hỏng tệp miền hội thoại. Vui lòng báo kỹ thuật viên."
        ])
    return redirect(f"/admin/responses/{name}", flash=f"Đã lưu câu trả lời {name}.")
