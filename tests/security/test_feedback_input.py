"""Finding 8 (feedback part): NUL bytes were stored in feedback as they came, and typing "bỏ qua"
at a step of the complaint form did not skip it. Replayed against the running stack: straight to
the connectors (as the action server calls them) and through the chat; then the database row.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.conftest import Say

if TYPE_CHECKING:
    from scripts.stack import Stack

pytestmark = pytest.mark.e2e

DESCRIPTION = "Đèn đường hỏng cả tuần nay, buổi tối rất tối"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _stored(stack: Stack, tracking_code: str) -> tuple[str, str, str | None]:
    path = stack.config.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT topic, description, location FROM feedback WHERE tracking_code = ?",
            (tracking_code,),
        ).fetchone()
    assert row is not None, tracking_code
    return row[0], row[1], row[2]


def _post(stack: Stack, body: dict[str, Any]) -> httpx.Response:
    # the action server's own call: with the service token the connectors ask of it
    return httpx.post(
        f"{stack.config.connectors_url}/api/v1/feedback", json=body, timeout=30,
        headers={"X-Service-Token": stack.secrets["CONNECTORS_SERVICE_TOKEN"]},
    )


@pytest.mark.parametrize(
    "body, stored",
    [
        ({"topic": "Đèn\x00 đường", "description": DESCRIPTION},
         ("Đèn đường", DESCRIPTION, None)),
        ({"topic": "Đèn đường", "description": DESCRIPTION.replace(" ", " \x00", 3)},
         ("Đèn đường", DESCRIPTION, None)),
        ({"topic": "Đèn đường", "description": DESCRIPTION + "\x1b\x07\x7f",
          "location": "ngõ\x00 12"},
         ("Đèn đường", DESCRIPTION, "ngõ 12")),
        ({"topic": "Đèn đường", "description": DESCRIPTION + "\r\ncả tối\tqua"},
         ("Đèn đường", DESCRIPTION + "\ncả tối\tqua", None)),
    ],
    ids=["topic", "description", "escape-bell-del", "newline-tab-kept"],
)
def test_feedback_is_stored_without_control_characters(
    stack: Stack, body: dict[str, Any], stored: tuple[str, str, str | None]
) -> None:
    response = _post(stack, body)

    assert response.status_code == 201
    assert _stored(stack, response.json()["tracking_code"]) == stored


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "\x00\x00\x00", "description": DESCRIPTION},
        {"topic": "Đèn đường", "description": "\x00" * 40},
    ],
    ids=["topic-only-nul", "description-only-nul"],
)
def test_feedback_that_is_only_control_characters_is_refused(
    stack: Stack, body: dict[str, Any]
) -> None:
    response = _post(stack, body)

    assert response.status_code == 422


def _tracking_code(replies: list[dict[str, Any]]) -> str:
    text = "\n".join(str(r.get("text") or "") for r in replies)
    found = re.search(r"PA-\d{6}-[A-Z0-9]{6}", text)
    assert found, text
    return found.group(0)


def test_a_nul_typed_in_the_chat_never_reaches_the_database(
    stack: Stack, say: Say, sender: str
) -> None:
    say(sender, "gửi phản ánh")
    say(sender, "Đèn đường\x00 hỏng cả tuần nay,\x00 buổi tối rất tối")
    say(sender, "ngõ\x00 12")
    say(sender, "bỏ qua")
    code = _tracking_code(say(sender, "/affirm"))

    topic, description, location = _stored(stack, code)
    assert not CONTROLS.search(topic + description + (location or ""))
    assert (description, location) == (DESCRIPTION, "ngõ 12")


def test_typing_bo_qua_skips_the_optional_steps_and_keeps_the_complaint(
    stack: Stack, say: Say, sender: str
) -> None:
    say(sender, "gửi phản ánh")
    say(sender, "bỏ qua")  # the description is required: asked again
    say(sender, DESCRIPTION)
    say(sender, "bỏ qua")  # the place: skipped, not stored as the place
    say(sender, "bỏ qua")  # the phone: skipped
    say(sender, "bỏ qua")  # the summary: shown again, nothing added
    code = _tracking_code(say(sender, "/affirm"))

    assert _stored(stack, code)[1:] == (DESCRIPTION, None)
