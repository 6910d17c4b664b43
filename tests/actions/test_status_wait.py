"""How long a refused look-up must wait, as the citizen reads it (from Retry-After seconds)."""

from __future__ import annotations

import pytest

from actions.status_wait import retry_wait


@pytest.mark.parametrize(
    "seconds, words",
    [
        (None, "ít phút"),  # no Retry-After
        (-5, "ít phút"),
        (0, "1 phút"),
        (1, "1 phút"),
        (59, "1 phút"),
        (60, "1 phút"),
        (61, "2 phút"),
        (1800, "30 phút"),
        (3599, "1 giờ"),  # rounded up: never sooner than the lock ends
        (3600, "1 giờ"),
        (3601, "1 giờ 1 phút"),
        (5400, "1 giờ 30 phút"),
        (7200, "2 giờ"),
    ],
)
def test_retry_wait_in_words(seconds: int | None, words: str) -> None:
    assert retry_wait(seconds) == words
