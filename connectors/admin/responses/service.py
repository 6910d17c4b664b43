"""The bot's responses (bot/domain): list, search, and save a response's Vietnamese variations
(text and buttons), under the edit lock, refusing a stale form, with an audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from connectors.admin.audit import record
from connectors.admin.intents.files import StaleVersion, edit_lock, version_of
from connectors.admin.project import ProjectFiles
from connectors.admin.responses.domain import (
    Button,
    Response,
    Variation,
    domain_names,
    read_responses,
    write_response,
)
from connectors.staff.models import StaffAccount
from connectors.text import fold

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_TEXT = 4000
MAX_BUTTONS = 10


class ResponseNotFound(LookupError):
    pass


class InvalidResponse(ValueError):
    """The message says why, in Vietnamese."""


def list_responses(files: ProjectFiles, query: str = "") -> list[Response]:
    responses = sorted(read_responses(files.domain_dir).values(), key=lambda r: r.name)
    wanted = fold(query.strip())
    if not wanted:
        return responses
    return [
        r for r in responses
        if wanted in fold(r.name) or any(wanted in fold(v.text) for v in r.variations)
    ]


def get_response(files: ProjectFiles, name: str) -> Response:
    found = read_responses(files.domain_dir).get(name)
    if found is None:
        raise ResponseNotFound(name)
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def parse_buttons(raw: str) -> tuple[Button, ...]:
    """One button a line: ``Tiêu đề | /payload``."""
    buttons: list[Button] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        title, bar, payload = line.partition("|")
        if not bar or not title.strip() or not payload.strip():
            raise InvalidResponse(
                f"Nút dòng {number} chưa đúng dạng «Tiêu đề | /ý_định» (ví dụ: Lệ phí | /ask_fee)."
            )
        buttons.append(Button(title.strip(), payload.strip()))
    if len(buttons) > MAX_BUTTONS:
        raise InvalidResponse(f"Tối đa {MAX_BUTTONS} nút cho một biến thể.")
    return tuple(buttons)


def buttons_text(buttons: tuple[Button, ...]) -> str:
    return "\n".join(f"{b.title} | {b.payload}" for b in buttons)


def _check(files: ProjectFiles, current: Response, variations: list[Variation]) -> None:
    if not variations:
        raise InvalidResponse("Câu trả lời cần ít nhất một biến thể.")
    # a placeholder is filled from a slot, or by the action that sends this response
    allowed = domain_names(files.domain_dir, "slots") | {
        p for v in current.variations for p in placeholders(v.text)
    }
    for number, variation in enumerate(variations, start=1):
        if not variation.text.strip():
            raise InvalidResponse(f"Biến thể {number} chưa có nội dung.")
        if len(variation.text) > MAX_TEXT:
            raise InvalidResponse(f"Biến thể {number} dài quá {MAX_TEXT} ký tự.")
        unknown = sorted(placeholders(variation.text) - allowed)
        if unknown:
            raise InvalidResponse(
                f"Biến thể {number} dùng chỗ điền không có: "
                + ", ".join("{" + u + "}" for u in unknown)
                + ". Chỉ dùng các chỗ điền đã có trong câu trả lời này hoặc tên một slot."
            )


def _summary(variations: tuple[Variation, ...] | list[Variation]) -> list[dict[str, object]]:
    return [
        {"text": v.text, "buttons": [[b.title, b.payload] for b in v.buttons]} for v in variations
    ]


def save_response(
    session: Session, files: ProjectFiles, name: str, variations: list[Variation],
    actor: StaffAccount | str, *, now: datetime, version: str | None,
) -> Response:
    """Writes the response's variations (text, buttons; their other keys kept)."""
    with edit_lock(files.lock_dir):
        current = get_response(files, name)
        path = files.domain_dir / current.file
        if version is not None and version != version_of(path.read_text(encoding="utf-8")):
            raise StaleVersion(current.file)
        _check(files, current, variations)
        if _summary(variations) == _summary(current.variations) and len(variations) == len(
            current.variations
        ):
            return current
        write_response(path, name, variations)
        saved = get_response(files, name)
    record(session, actor, "response.edit", name, before=_summary(current.variations),
           after=_summary(saved.variations), now=now)
    return saved


@dataclass(frozen=True)
class Preview:
    """A variation as the citizen will see it; placeholders marked, not filled."""

    parts: list[tuple[str, bool]]  # (text, is a placeholder)
    buttons: tuple[Button, ...]


def preview(variation: Variation) -> Preview:
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in PLACEHOLDER.finditer(variation.text):
        if match.start() > last:
            parts.append((variation.text[last: match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    if last < len(variation.text):
        parts.append((variation.text[last:], False))
    return Preview(parts, variation.buttons)
