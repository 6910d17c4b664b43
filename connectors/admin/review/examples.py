"""Assigning a reviewed message to an intent: one training example added through the intents
section's data API (connectors/admin/intents), which owns data/nlu, its lock, version checks and
audit entries. Its refusals become one Vietnamese sentence for the reviewer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from connectors.admin.intents import service as intents
from connectors.admin.intents.files import BrokenEdit, StaleVersion
from connectors.admin.project import ProjectFiles
from connectors.staff.models import StaffAccount


class ExampleRefused(ValueError):
    """The example was not added; ``str(exc)`` says why, in Vietnamese."""


def intent_names(files: ProjectFiles) -> list[str]:
    """The intents of the training data, for the reviewer's choice (sorted)."""
    return sorted(summary.name for summary in intents.list_intents(files))


def add_example(
    session: Session, files: ProjectFiles, intent: str, text: str, actor: StaffAccount,
    now: datetime, *, confirm: bool = False,
) -> str:
    """Adds ``text`` to ``intent``; returns the example as written."""
    try:
        change = intents.add_example(session, files, intent, text, actor, now=now,
                                     confirm=confirm)
    except intents.IntentNotFound as exc:
        raise ExampleRefused(f"không có ý định {intent}.") from exc
    except intents.ExampleConflict as exc:
        hint = "" if exc.refused else " Đánh dấu «vẫn thêm» nếu chắc chắn."
        raise ExampleRefused(str(exc) + hint) from exc
    except intents.InvalidExample as exc:
        raise ExampleRefused(str(exc)) from exc
    except StaleVersion as exc:  # not asked for (no version given), kept for safety
        raise ExampleRefused("dữ liệu vừa được người khác sửa, vui lòng thử lại.") from exc
    except BrokenEdit as exc:
        raise ExampleRefused("câu này không ghi được vào dữ liệu huấn luyện.") from exc
    return change.example
