"""What a model scores: held-out intents (accuracy, macro F1, fallback rate) and QA replay.

Pure Python: the held-out file is Rasa's YAML NLU format, read here without Rasa; predictions come
from a Rasa server's ``/model/parse``, the replay figures from the replay command's junit.xml.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

FALLBACK_INTENT = "nlu_fallback"
# [text](entity), [text](entity:value), [text]{"entity": ...}: the message is the bare text
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
# a score lower than the live one by less than this is the same (float noise, not a regression)
EPSILON = 1e-9


@dataclass(frozen=True)
class HeldOut:
    text: str
    intent: str


def load_heldout(path: Path) -> list[HeldOut]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[HeldOut] = []
    for block in document.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue  # synonyms, regexes, lookups
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(HeldOut(_ANNOTATION.sub(r"\1", line[2:].strip()), str(intent)))
    return examples


@dataclass(frozen=True)
class Scores:
    intent_accuracy: float
    macro_f1: float
    fallback_rate: float
    heldout_count: int
    replay_turns: int
    replay_failed: int

    @property
    def replay_pass_rate(self) -> float:
        if not self.replay_turns:
            return 1.0
        return (self.replay_turns - self.replay_failed) / self.replay_turns

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Scores:
        return cls(**json.loads(text))

    def worse_than(self, live: Scores) -> list[str]:
        """What the candidate does worse than the live model, in Vietnamese (empty: not worse)."""
        reasons = []
        if self.intent_accuracy < live.intent_accuracy - EPSILON:
            reasons.append("độ chính xác ý định thấp hơn")
        if self.macro_f1 < live.macro_f1 - EPSILON:
            reasons.append("macro F1 thấp hơn")
        if self.fallback_rate > live.fallback_rate + EPSILON:
            reasons.append("tỉ lệ không hiểu (fallback) cao hơn")
        if self.replay_pass_rate < live.replay_pass_rate - EPSILON:
            reasons.append("nhiều lượt hội thoại kiểm thử sai hơn")
        return reasons


def intent_scores(gold: list[str], predicted: list[str]) -> tuple[float, float, float]:
    """Accuracy, macro F1 over the gold intents (as scikit-learn's with zero_division=0), and the
    share of messages that fell to the fallback."""
    if not gold:
        return 0.0, 0.0, 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    fallback = sum(p == FALLBACK_INTENT for p in predicted) / len(predicted)
    return accuracy, sum(f1s) / len(f1s), fallback


def replay_totals(junit_xml: Path) -> tuple[int, int]:
    """Checked turns and failed turns, from the replay command's junit.xml."""
    root = ET.parse(junit_xml).getroot()
    return int(root.get("tests", "0")), int(root.get("failures", "0"))
