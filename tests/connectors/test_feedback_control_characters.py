"""Feedback text is stored without control characters (issue 10, finding 8): NUL and the like
are removed before the length rules; newline and tab are text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from connectors.feedback.schemas import FeedbackCreate

DESCRIPTION = "Đèn đường hỏng cả tuần nay, buổi tối rất tối"


@pytest.mark.parametrize(
    "field, given, stored",
    [
        ("topic", "Đèn\x00 đường", "Đèn đường"),
        ("description", DESCRIPTION + "\x00\x1b\x07\x7f\x85", DESCRIPTION),
        ("description", DESCRIPTION + "\r\ncả tối\tqua", DESCRIPTION + "\ncả tối\tqua"),
        ("description", "\ud800" + DESCRIPTION, DESCRIPTION),  # a lone surrogate cannot be stored
        ("location", "ngõ\x00 12", "ngõ 12"),
        ("location", "\x00\x00", None),
        ("contact_name", "Nguyễn\x00 Văn A", "Nguyễn Văn A"),
    ],
)
def test_control_characters_are_removed(field: str, given: str, stored: Any) -> None:
    body = {"topic": "Đèn đường", "description": DESCRIPTION, field: given}

    assert getattr(FeedbackCreate.model_validate(body), field) == stored


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "\x00\x00\x00", "description": DESCRIPTION},
        {"topic": "Đèn đường", "description": "\x00" * 40},
        {"topic": "Đèn đường", "description": "ngắn\x00\x00\x00\x00\x00\x00\x00"},
    ],
)
def test_text_that_is_only_control_characters_is_too_short(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        FeedbackCreate.model_validate(body)
