"""The figures a candidate is judged by, computed without Rasa: the held-out file read as Rasa reads
it, accuracy / macro F1 / fallback rate, "worse than live", and the commands' placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.admin.training.commands import expand
from connectors.admin.training.scores import Scores, intent_scores, load_heldout, replay_totals
from connectors.settings import ROOT


def test_the_held_out_file_gives_bare_messages_and_their_intents(tmp_path: Path) -> None:
    path = tmp_path / "heldout.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: ask_fee\n  examples: |\n'
        "    - phí làm [hộ chiếu](procedure) bao nhiêu\n"
        '    - lệ phí [cccd]{"entity": "procedure", "value": "căn cước"}\n'
        "- synonym: căn cước\n  examples: |\n    - cccd\n",
        encoding="utf-8",
    )
    assert [(e.text, e.intent) for e in load_heldout(path)] == [
        ("phí làm hộ chiếu bao nhiêu", "ask_fee"),
        ("lệ phí cccd", "ask_fee"),
    ]


def test_the_real_held_out_set_has_no_annotation_left() -> None:
    examples = load_heldout(ROOT / "tests" / "nlu" / "heldout.yml")
    assert len(examples) > 300
    assert not [e.text for e in examples if "](" in e.text or "]{" in e.text]


def test_accuracy_macro_f1_and_fallback_rate() -> None:
    gold = ["greet", "greet", "ask_fee", "ask_fee"]
    predicted = ["greet", "ask_fee", "ask_fee", "nlu_fallback"]
    accuracy, macro_f1, fallback = intent_scores(gold, predicted)
    assert accuracy == 0.5
    # greet: P 1, R 0.5, F1 2/3; ask_fee: P 0.5, R 0.5, F1 0.5 (scikit-learn's macro average)
    assert macro_f1 == pytest.approx((2 / 3 + 0.5) / 2)
    assert fallback == 0.25


def scores(accuracy: float = 0.9, f1: float = 0.9, fallback: float = 0.05,
           failed: int = 0) -> Scores:
    return Scores(accuracy, f1, fallback, 100, 40, failed)


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (scores(accuracy=0.89), "độ chính xác ý định thấp hơn"),
        (scores(f1=0.85), "macro F1 thấp hơn"),
        (scores(fallback=0.06), "tỉ lệ không hiểu (fallback) cao hơn"),
        (scores(failed=1), "nhiều lượt hội thoại kiểm thử sai hơn"),
    ],
)
def test_any_figure_worse_than_live_makes_the_candidate_worse(
    candidate: Scores, reason: str
) -> None:
    assert candidate.worse_than(scores()) == [reason]


def test_equal_or_better_is_not_worse() -> None:
    assert scores().worse_than(scores()) == []
    assert scores(accuracy=0.95, fallback=0.01).worse_than(scores()) == []


def test_replay_totals_come_from_the_junit_report(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    report.write_text('<?xml version="1.0"?><testsuites name="replay" tests="49" failures="3">'
                      "</testsuites>", encoding="utf-8")
    assert replay_totals(report) == (49, 3)


def test_list_placeholders_become_several_words_or_none() -> None:
    template = "{app_python} -m qa run {paths} --url {url} {tags}"
    values = {"app_python": "py", "paths": ["a b", "c"], "url": "http://x", "tags": []}
    assert expand(template, values) == ["py", "-m", "qa", "run", "a b", "c", "--url", "http://x"]
    values["tags"] = ["--tag", "smoke"]
    assert expand(template, values)[-2:] == ["--tag", "smoke"]
