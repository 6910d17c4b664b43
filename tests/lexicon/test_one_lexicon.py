"""One lexicon, two runtimes: the Rasa tokenizer and the connectors read citizens' words alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu import text as bot_text
from connectors import lexicon
from connectors import text as connectors_text

ROOT = Path(__file__).resolve().parents[2]


def bot_words(sentence: str) -> str:
    return " ".join(bot_text.lemma(w) for w in sentence.split())


def connectors_words(sentence: str) -> str:
    return " ".join(connectors_text.words(sentence))


def test_both_runtimes_read_the_same_file() -> None:
    assert bot_text.abbreviations() == lexicon.abbreviations()


@pytest.mark.parametrize("abbreviation", sorted(lexicon.abbreviations()))
def test_every_abbreviation_expands_alike(abbreviation: str) -> None:
    assert bot_words(abbreviation) == connectors_words(abbreviation)


@pytest.mark.parametrize(
    "sentence, expanded",
    [
        ("mất cmt thì làm lại ntn", "mat chung minh nhan dan thi lam lai nhu the nao"),
        ("Đăng ký KS cho bé", "dang ky khai sinh cho be"),
        ("cccd hết hạn ko", "can cuoc cong dan het han khong"),
        ("dkkd hkd bn tiền", "dang ky kinh doanh ho kinh doanh bao nhieu tien"),
    ],
)
def test_citizen_sentences_expand_alike(sentence: str, expanded: str) -> None:
    assert bot_words(sentence) == connectors_words(sentence) == expanded


@pytest.mark.parametrize("name", ["abbreviations.yml", "concepts.yml"])
def test_keys_are_folded_and_unique(name: str) -> None:
    raw = (ROOT / "lexicon" / name).read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in raw.splitlines() if line and not line.startswith("#")]
    assert len(keys) == len(set(keys))
    assert [k for k in keys if connectors_text.fold(k) != k] == []


def test_aspect_cues_are_folded_and_belong_to_one_aspect() -> None:
    data = yaml.safe_load((ROOT / "lexicon" / "aspects.yml").read_text(encoding="utf-8"))
    cues = [c for group in ("aspects", "out_of_reach") for v in data[group].values() for c in v]
    assert [c for c in cues if connectors_text.fold(c) != c] == []
    assert len(cues) == len(set(cues))
