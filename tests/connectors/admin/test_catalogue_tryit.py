"""The "try it" box: what search answers, how a result moved since the last trial, and what is
kept of a trial (never a phrasing holding personal data)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.admin.catalogue.tryit import Trial, TrialHit, TrialMemory, movement
from connectors.cache import Cache
from tests.connectors.admin.catalogue_support import fresh_cache


def trial(phrasing: str, *codes: str, decision: str = "confident") -> Trial:
    hits = [TrialHit(code, f"Thủ tục {code}", 10.0 - i) for i, code in enumerate(codes)]
    return Trial(phrasing, 1, hits, decision, "", codes[0] if codes else None)


@pytest.fixture
def cache() -> Iterator[Cache]:
    yield from fresh_cache()


@pytest.mark.parametrize(
    ("before", "code", "moved"),
    [
        (["B", "A"], "A", "lên 1"),
        (["A", "B"], "A", "giữ nguyên"),
        (["C", "B"], "A", "mới"),
        (["A", "C", "B"], "C", "xuống 1"),
    ],
)
def test_movement_compares_the_rank_with_the_last_trial(
    before: list[str], code: str, moved: str
) -> None:
    after = trial("làm sổ đỏ", "A", "B", "C")

    assert movement(trial("làm sổ đỏ", *before), after, code) == moved


def test_no_movement_against_another_phrasing_or_no_trial() -> None:
    after = trial("làm sổ đỏ", "A")

    assert movement(trial("làm hộ chiếu", "B"), after, "A") == ""
    assert movement(None, after, "A") == ""


def test_abstained_when_nothing_fits_or_nothing_is_found() -> None:
    assert trial("giá vàng", "A", decision="no_fit").abstained
    assert trial("xyz", decision="none").abstained
    assert not trial("làm sổ đỏ", "A", decision="weak").abstained


def test_the_last_trial_of_each_staff_member_is_kept(cache: Cache) -> None:
    memory = TrialMemory(cache)
    kept = trial("làm sổ đỏ", "A", "B")

    memory.keep("editor-a", kept)

    assert memory.last("editor-a") == kept
    assert memory.last("editor-b") is None


def test_a_phrasing_with_an_id_number_is_not_kept(cache: Cache) -> None:
    memory = TrialMemory(cache)
    memory.keep("editor-a", trial("làm sổ đỏ", "A"))

    memory.keep("editor-a", trial("hồ sơ của 079203001234", "B"))

    last = memory.last("editor-a")
    assert last is not None and last.phrasing == "làm sổ đỏ"


def test_without_redis_nothing_is_kept_and_nothing_fails() -> None:
    down = Cache("redis://127.0.0.1:1/0", "test:down:", 60)
    memory = TrialMemory(down)

    memory.keep("editor-a", trial("làm sổ đỏ", "A"))

    assert memory.last("editor-a") is None
    down.close()
