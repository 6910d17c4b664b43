"""NLU evaluation you can rerun: held-out split, k-fold cross-validation, stock baseline, latency.

Run with the Rasa environment (``make eval-nlu``). Trains our pipeline (config.yml) and Rasa's stock
pipeline (WhitespaceTokenizer + default featurizers + DIET) on data/nlu, scores both on
tests/nlu/heldout.yml (never trained on), and writes reports/nlu/README.md + confusion_matrix.png.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT_DIR = ROOT / "reports" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
SCORED_ENTITIES = ("application_code", "id_number", "phone_number", "procedure", "feedback_code")

BASELINE_CONFIG = """
recipe: default.v1
language: vi
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    constrain_similarities: true
  - name: EntitySynonymMapper
policies: []
"""


@dataclass
class Example:
    text: str
    intent: str
    entities: list[tuple[int, int, str]]


@dataclass
class Run:
    name: str
    train_seconds: float
    predictions: list[tuple[str, list[tuple[int, int, str]], float]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)


def load_examples(path: Path | list[Path]) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    paths = path if isinstance(path, list) else [path]
    examples: list[Example] = []
    for p in paths:
        data = load_data(str(p))
        for m in data.intent_examples:
            ents = [(e["start"], e["end"], e["entity"]) for e in m.get("entities") or []]
            examples.append(Example(m.get("text"), m.get("intent"), ents))
    return examples


def write_nlu(examples: list[Example], path: Path) -> None:
    """Rasa YAML with entity annotations, for the folds of cross-validation."""
    by_intent: dict[str, list[str]] = {}
    for ex in examples:
        text = ex.text
        for start, end, entity in sorted(ex.entities, reverse=True):
            text = f"{text[:start]}[{text[start:end]}]({entity}){text[end:]}"
        by_intent.setdefault(ex.intent, []).append(text.replace("\n", " "))
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {t}" for t in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def non_example_files() -> list[Path]:
    """Regexes, synonyms and lookups of data/nlu: every fold keeps them, only examples are split."""
    return [
        p
        for p in sorted((ROOT / "data" / "nlu").glob("*.yml"))
        if "- intent:" not in p.read_text(encoding="utf-8")
    ]


def train(config: Path, nlu: Path, out: Path, name: str) -> tuple[Path, float]:
    """Trains an NLU-only model from a file or directory; returns it and the seconds it took."""
    from rasa.model_training import train_nlu

    started = time.monotonic()
    model = train_nlu(str(config), str(nlu), str(out), fixed_model_name=name)
    return Path(str(model)), time.monotonic() - started


def predict(model: Path, examples: list[Example], run: Run) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def go() -> None:
        await agent.parse_message("xin chào")  # warm-up
        for ex in examples:
            started = time.perf_counter()
            parsed = await agent.parse_message(ex.text)
            run.latencies_ms.append((time.perf_counter() - started) * 1000)
            ents = [(e["start"], e["end"], e["entity"]) for e in parsed.get("entities", [])]
            intent = parsed["intent"]
            run.predictions.append((intent.get("name") or "", ents, intent.get("confidence") or 0))

    asyncio.run(go())


def intent_scores(
    gold: list[str], pred: list[str]
) -> tuple[float, float, dict[str, dict[str, float]]]:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    table = {
        lab: {"precision": p[i], "recall": r[i], "f1": f[i], "support": s[i]}
        for i, lab in enumerate(labels)
    }
    return accuracy_score(gold, pred), float(sum(f) / len(f)), table


def entity_scores(examples: list[Example], run: Run) -> dict[str, dict[str, float]]:
    """Exact-span F1 per entity type."""
    counts: dict[str, Counter[str]] = {e: Counter() for e in SCORED_ENTITIES}
    for ex, (_, pred, _) in zip(examples, run.predictions, strict=True):
        gold_set, pred_set = set(ex.entities), set(pred)
        for entity in SCORED_ENTITIES:
            g = {x for x in gold_set if x[2] == entity}
            p = {x for x in pred_set if x[2] == entity}
            counts[entity]["tp"] += len(g & p)
            counts[entity]["fp"] += len(p - g)
            counts[entity]["fn"] += len(g - p)
    scores = {}
    for entity, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[entity] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": c["tp"] + c["fn"],
        }
    return scores


def slices(examples: list[Example]) -> dict[str, list[int]]:
    from bot.nlu.text import abbreviations, fold, has_diacritics

    out: dict[str, list[int]] = {
        "with diacritics": [],
        "without diacritics": [],
        "with abbreviations": [],
    }
    for i, ex in enumerate(examples):
        letters = re.sub(r"[^\w]", "", ex.text)
        (out["with diacritics"] if has_diacritics(letters) else out["without diacritics"]).append(i)
        words = re.findall(r"\w+", fold(ex.text))
        if any(w in abbreviations() for w in words):
            out["with abbreviations"].append(i)
    return out


def confusion_png(gold: list[str], pred: list[str], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted(set(gold) | set(pred))
    matrix = confusion_matrix(gold, pred, labels=labels)
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=75, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(
                    j,
                    i,
                    str(matrix[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--baseline-epochs", type=int, default=40)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("rasa", "tensorflow", "absl"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    sys.path.insert(0, str(ROOT))

    train_examples = load_examples(sorted((ROOT / "data" / "nlu").glob("*.yml")))
    heldout = load_examples(HELDOUT)
    gold = [ex.intent for ex in heldout]
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="eval-nlu-"))
    print(f"training examples: {len(train_examples)}, held-out: {len(heldout)}")

    runs: list[Run] = []
    model, seconds = train(ROOT / "config.yml", ROOT / "data" / "nlu", work, "ours")
    ours = Run("ours (underthesea + folded features + logistic regression + CRF)", seconds)
    predict(model, heldout, ours)
    runs.append(ours)
    print(f"ours: trained in {seconds:.0f} s")
    if not args.skip_baseline:
        config = work / "baseline.yml"
        config.write_text(BASELINE_CONFIG.format(epochs=args.baseline_epochs), encoding="utf-8")
        model, seconds = train(config, ROOT / "data" / "nlu", work, "baseline")
        base = Run(
            f"baseline (WhitespaceTokenizer + default featurizers + DIET, "
            f"{args.baseline_epochs} epochs)",
            seconds,
        )
        predict(model, heldout, base)
        runs.append(base)
        print(f"baseline: trained in {seconds:.0f} s")

    # k-fold cross-validation of our pipeline on the training data
    rng = random.Random(13)
    shuffled = train_examples[:]
    rng.shuffle(shuffled)
    fold_acc: list[float] = []
    for k in range(args.folds):
        test = shuffled[k :: args.folds]
        rest = [ex for i, ex in enumerate(shuffled) if i % args.folds != k]
        nlu = work / f"fold{k}"
        nlu.mkdir()
        write_nlu(rest, nlu / "examples.yml")
        for extra in non_example_files():
            shutil.copy(extra, nlu / extra.name)
        model, _ = train(ROOT / "config.yml", nlu, work, f"fold{k}")
        run = Run(f"fold {k}", 0)
        predict(model, test, run)
        acc = sum(p[0] == ex.intent for ex, p in zip(test, run.predictions, strict=True)) / len(
            test
        )
        fold_acc.append(acc)
        print(f"fold {k}: intent accuracy {acc:.3f}")

    report = render(runs, heldout, gold, fold_acc)
    (REPORT_DIR / "README.md").write_text(report, encoding="utf-8")
    confusion_png(
        gold,
        [p[0] for p in ours.predictions],
        REPORT_DIR / "confusion_matrix.png",
        "Held-out intents: our pipeline",
    )
    print(report)
    print(f"report: {REPORT_DIR / 'README.md'}")
    return 0


def render(runs: list[Run], heldout: list[Example], gold: list[str], fold_acc: list[float]) -> str:
    slice_idx = slices(heldout)
    out = [
        "# NLU evaluation",
        "",
        "Generated by `make eval-nlu` (scripts/eval_nlu.py). Held-out set: "
        f"`tests/nlu/heldout.yml` ({len(heldout)} messages, never trained on).",
        "",
    ]
    out += [
        "## Summary",
        "",
        "| pipeline | intent acc. | macro-F1 | "
        + " | ".join(slice_idx)
        + " | train s | parse p50 ms | parse p95 ms |",
        "|---|---|---|" + "---|" * len(slice_idx) + "---|---|---|",
    ]
    for run in runs:
        pred = [p[0] for p in run.predictions]
        acc, macro, _ = intent_scores(gold, pred)
        cells = []
        for idx in slice_idx.values():
            hit = sum(pred[i] == gold[i] for i in idx)
            cells.append(f"{hit / len(idx):.3f} (n={len(idx)})" if idx else "-")
        out.append(
            f"| {run.name} | {acc:.3f} | {macro:.3f} | "
            + " | ".join(cells)
            + f" | {run.train_seconds:.0f} | {pct(run.latencies_ms, 0.5):.1f} | "
            f"{pct(run.latencies_ms, 0.95):.1f} |"
        )
    if len(runs) > 1:
        ours_pred = [p[0] for p in runs[0].predictions]
        base_pred = [p[0] for p in runs[1].predictions]
        idx = slice_idx["without diacritics"]
        o = sum(ours_pred[i] == gold[i] for i in idx) / max(len(idx), 1)
        b = sum(base_pred[i] == gold[i] for i in idx) / max(len(idx), 1)
        out += [
            "",
            f"Unaccented slice: ours {o:.3f} vs baseline {b:.3f} "
            f"(ratio {o / b if b else float('inf'):.2f}).",
        ]
    if fold_acc:
        out += [
            "",
            f"{len(fold_acc)}-fold cross-validation on the training data (our pipeline): "
            f"intent accuracy mean {statistics.mean(fold_acc):.3f}, "
            f"min {min(fold_acc):.3f}, max {max(fold_acc):.3f}.",
        ]
    ours = runs[0]
    pred = [p[0] for p in ours.predictions]
    _, _, table = intent_scores(gold, pred)
    out += [
        "",
        "## Per intent (our pipeline, held-out)",
        "",
        "| intent | precision | recall | F1 | n |",
        "|---|---|---|---|---|",
    ]
    for intent, s in table.items():
        out.append(
            f"| {intent} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | "
            f"{int(s['support'])} |"
        )
    out += [
        "",
        "## Entities (exact span, our pipeline, held-out)",
        "",
        "| entity | precision | recall | F1 | n |",
        "|---|---|---|---|---|",
    ]
    for entity, s in entity_scores(heldout, ours).items():
        out.append(
            f"| {entity} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | "
            f"{int(s['support'])} |"
        )
    pairs = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    out += ["", "## Most frequent confusions (gold → predicted)", ""]
    out += [f"- {g} → {p}: {n}" for (g, p), n in pairs.most_common(12)] or ["- none"]
    out += [
        "",
        "## Fallback threshold (our pipeline, held-out)",
        "",
        "Confidence below the threshold goes to the clarification path instead of an answer.",
        "",
        "| threshold | answered | accuracy of answered | wrong answers given |",
        "|---|---|---|---|",
    ]
    confident = [
        (p[2], p[0] == g)
        for p, g in zip(ours.predictions, gold, strict=True)
        if p[0] != "nlu_fallback"
    ]
    for threshold in (0.0, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6):
        kept = [ok for conf, ok in confident if conf >= threshold]
        out.append(
            f"| {threshold:.2f} | {len(kept)}/{len(gold)} | "
            f"{sum(kept) / len(kept) if kept else 0:.3f} | {len(kept) - sum(kept)} |"
        )
    fallback = sum(p[0] == "nlu_fallback" for p in ours.predictions)
    out += [
        "",
        f"Messages sent to the fallback (confidence below the threshold): {fallback}.",
        "",
        "![confusion matrix](confusion_matrix.png)",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
