"""NLU training data (data/nlu) and the held-out set (tests/nlu/heldout.yml), checked without Rasa.

What is checked: every intent of the contract is trained with enough examples; no sentence is in two
intents or twice in one; the held-out set is large enough, realistic (unaccented, abbreviated) and
disjoint from training; entity annotations are well-formed and follow the span rules; the regexes
compile, accept what citizens type and reject look-alikes; synonyms and lookups are consistent.

Sentences are compared in a normalised form: lower case, no diacritics, no punctuation.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.nlu.text import abbreviations, fold, has_diacritics

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"

CONTRACT_INTENTS = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "ask_capabilities",
    "ask_procedure",
    "ask_documents",
    "ask_fee",
    "ask_processing_time",
    "ask_office",
    "ask_online",
    "check_status",
    "inform",
    "submit_feedback",
    "request_human",
    "out_of_scope",
}
EXTRA_INTENTS = {"cancel", "check_feedback", "rate"}
ALL_INTENTS = CONTRACT_INTENTS | EXTRA_INTENTS
BIG_INTENTS = {
    "ask_procedure",
    "ask_documents",
    "ask_fee",
    "ask_processing_time",
    "ask_office",
    "ask_online",
    "check_status",
    "inform",
}
ENTITIES = {"procedure", "application_code", "id_number", "phone_number", "feedback_code"}
REGEX_ENTITIES = {"application_code", "id_number", "phone_number", "feedback_code"}
ENTITY_FREE_INTENTS = {"rate", "greet", "goodbye", "thank", "affirm", "deny", "cancel"}

MIN_TRAIN, MIN_TRAIN_BIG, MIN_HELDOUT = 40, 80, 15
MIN_TRAIN_UNACCENTED = 0.25
MIN_HELDOUT_UNACCENTED, MIN_HELDOUT_ABBREVIATED = 0.35, 0.15

# Phone shorthands counted as "abbreviated" (the tokenizer's table, minus English words and
# run-together spellings, plus a few it does not expand).
_ENGLISH = {"thanks", "thank", "camon", "oke", "okie", "oki"}
ABBREVIATION_TOKENS = (set(abbreviations()) - _ENGLISH) | {
    "sdt",
    "dkks",
    "dkkh",
    "dk",
    "dt",
    "z",
    "nhiu",
    "hong",
    "hk",
    "tnhh",
    "ct07",
}

# A `procedure` span never starts or ends with these words (folded): see procedures.yml.
SPAN_FORBIDDEN_START = ("thu tuc ", "ho so ", "le phi ", "muon ", "toi ", "em ")
SPAN_FORBIDDEN_END = (
    " the nao",
    " ntn",
    " o dau",
    " bao nhieu",
    " bn",
    " khong",
    " ko",
    " a",
    " nhe",
    " vay",
    " gi",
    " ra sao",
    " lam sao",
    " cho con",
    " cho toi",
    " online",
)

# Rasa's own annotation grammar (rasa.shared.nlu.training_data.entities_parser).
ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\](?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<json>[^}]+?)\})"
)


@dataclass
class Example:
    source: str
    intent: str
    raw: str
    text: str
    entities: list[tuple[str, str, int, int]] = field(
        default_factory=list
    )  # name, value, start, end


def normalise(text: str) -> str:
    folded = fold(unicodedata.normalize("NFC", text))
    return " ".join(re.sub(r"[^\w\s]|_", " ", folded).split())


def parse_annotated(raw: str) -> tuple[str, list[tuple[str, str, int, int]]]:
    """Plain text and entities of ``raw``; ValueError when the annotation is malformed."""
    plain: list[str] = []
    entities: list[tuple[str, str, int, int]] = []
    cursor = 0
    for match in ANNOTATION.finditer(raw):
        between = raw[cursor : match.start()]
        if any(c in between for c in "[]"):
            raise ValueError(f"stray bracket in {raw!r}")
        plain.append(between)
        start = sum(map(len, plain))
        span = match["text"]
        if match["json"] is not None:
            spec = json.loads("{" + match["json"] + "}")
            name = spec["entity"]
        else:
            name = match["entity"]
        if span != span.strip() or not span.strip():
            raise ValueError(f"entity span with outer spaces or empty in {raw!r}")
        plain.append(span)
        entities.append((name, span, start, start + len(span)))
        cursor = match.end()
    rest = raw[cursor:]
    if any(c in rest for c in "[]") or raw.count("[") != raw.count("]"):
        raise ValueError(f"unbalanced or stray bracket in {raw!r}")
    plain.append(rest)
    return "".join(plain), entities


def _example_lines(block: object) -> list[str]:
    if isinstance(block, str):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        assert all(ln.startswith("- ") for ln in lines), (
            f"example lines must start with '- ': {block!r}"
        )
        return [ln[2:].strip() for ln in lines]
    if isinstance(block, list):  # the long form: - text: ...
        return [str(item["text"]).strip() for item in block]
    raise AssertionError(f"unexpected examples block {block!r}")


def load_file(path: Path) -> dict[str, list]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, list] = {"examples": [], "regex": [], "synonym": [], "lookup": []}
    for item in data.get("nlu", []) or []:
        if "intent" in item:
            for raw in _example_lines(item["examples"]):
                text, entities = parse_annotated(raw)
                found["examples"].append(Example(path.name, item["intent"], raw, text, entities))
        else:
            for kind in ("regex", "synonym", "lookup"):
                if kind in item:
                    found[kind].append((item[kind], _example_lines(item["examples"])))
    return found


def load_dir(directory: Path) -> dict[str, list]:
    merged: dict[str, list] = defaultdict(list)
    for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")):
        for key, values in load_file(path).items():
            merged[key].extend(values)
    return merged


@pytest.fixture(scope="module")
def train() -> dict[str, list]:
    return load_dir(TRAIN_DIR)


@pytest.fixture(scope="module")
def heldout() -> dict[str, list]:
    return load_file(HELDOUT)


@pytest.fixture(scope="module")
def regexes(train: dict[str, list]) -> dict[str, list[re.Pattern[str]]]:
    compiled: dict[str, list[re.Pattern[str]]] = defaultdict(list)
    for name, patterns in train["regex"]:
        compiled[name].extend(re.compile(p) for p in patterns)
    return compiled


def is_abbreviated(text: str) -> bool:
    return any(tok in ABBREVIATION_TOKENS for tok in normalise(text).split())


def is_unaccented(text: str) -> bool:
    return not has_diacritics(text)


# --- file layout ---------------------------------------------------------------------------------


def test_every_nlu_file_is_rasa_3_yaml() -> None:
    files = [*sorted(TRAIN_DIR.glob("*.yml")), HELDOUT]
    assert len(files) > 5
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert str(data.get("version")) == "3.1", path
        assert isinstance(data.get("nlu"), list) and data["nlu"], path
        assert set(data) <= {"version", "nlu"}, f"{path}: only NLU data belongs here"


# --- intents and counts --------------------------------------------------------------------------


def test_every_contract_intent_is_trained(train: dict[str, list]) -> None:
    # The contract allows more intents; those are held to the same size and duplicate rules.
    intents = {ex.intent for ex in train["examples"]}
    assert intents >= ALL_INTENTS, f"missing: {sorted(ALL_INTENTS - intents)}"


def test_enough_training_examples_per_intent(train: dict[str, list]) -> None:
    counts = Counter(ex.intent for ex in train["examples"])
    short = {
        intent: counts[intent]
        for intent in ALL_INTENTS | set(counts)
        if counts[intent] < (MIN_TRAIN_BIG if intent in BIG_INTENTS else MIN_TRAIN)
    }
    assert not short, f"too few examples: {short}"


def test_no_duplicate_within_an_intent(train: dict[str, list]) -> None:
    seen: dict[tuple[str, str], Example] = {}
    dupes = []
    for ex in train["examples"]:
        key = (ex.intent, normalise(ex.text))
        if key in seen:
            dupes.append((ex.intent, seen[key].raw, ex.raw))
        seen[key] = ex
    assert not dupes, dupes


def test_no_sentence_in_two_intents(train: dict[str, list]) -> None:
    by_text: dict[str, set[str]] = defaultdict(set)
    for ex in train["examples"]:
        by_text[normalise(ex.text)].add(ex.intent)
    clashes = {text: sorted(intents) for text, intents in by_text.items() if len(intents) > 1}
    assert not clashes, clashes


def test_training_has_a_realistic_share_of_unaccented_text(train: dict[str, list]) -> None:
    examples = train["examples"]
    share = sum(is_unaccented(ex.text) for ex in examples) / len(examples)
    assert share >= MIN_TRAIN_UNACCENTED, f"unaccented share {share:.2f}"


# --- held-out set --------------------------------------------------------------------------------


def test_heldout_covers_every_intent(train: dict[str, list], heldout: dict[str, list]) -> None:
    counts = Counter(ex.intent for ex in heldout["examples"])
    assert set(counts) >= ALL_INTENTS, f"missing: {sorted(ALL_INTENTS - set(counts))}"
    untrained = set(counts) - {ex.intent for ex in train["examples"]}
    assert not untrained, f"held-out intents nobody trains: {sorted(untrained)}"
    short = {intent: n for intent, n in counts.items() if n < MIN_HELDOUT}
    assert not short, f"too few held-out examples: {short}"


def test_heldout_is_disjoint_from_training(
    train: dict[str, list], heldout: dict[str, list]
) -> None:
    trained = {normalise(ex.text) for ex in train["examples"]}
    leaked = [ex.raw for ex in heldout["examples"] if normalise(ex.text) in trained]
    assert not leaked, leaked


def test_heldout_has_no_internal_duplicate_or_clash(heldout: dict[str, list]) -> None:
    by_text: dict[str, list[str]] = defaultdict(list)
    for ex in heldout["examples"]:
        by_text[normalise(ex.text)].append(ex.intent)
    repeated = {text: intents for text, intents in by_text.items() if len(intents) > 1}
    assert not repeated, repeated


def test_heldout_is_realistic(heldout: dict[str, list]) -> None:
    examples = heldout["examples"]
    unaccented = sum(is_unaccented(ex.text) for ex in examples) / len(examples)
    abbreviated = sum(is_abbreviated(ex.text) for ex in examples) / len(examples)
    assert unaccented >= MIN_HELDOUT_UNACCENTED, f"unaccented share {unaccented:.2f}"
    assert abbreviated >= MIN_HELDOUT_ABBREVIATED, f"abbreviated share {abbreviated:.2f}"


def test_heldout_holds_no_training_only_material(heldout: dict[str, list]) -> None:
    assert not heldout["regex"] and not heldout["synonym"] and not heldout["lookup"]


# --- entity annotations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, text, entities",
    [
        (
            "làm [hộ chiếu](procedure) ở đâu",
            "làm hộ chiếu ở đâu",
            [("procedure", "hộ chiếu", 4, 12)],
        ),
        (
            '[cccd]{"entity": "procedure", "value": "căn cước công dân"}',
            "cccd",
            [("procedure", "cccd", 0, 4)],
        ),
        ("không có gì", "không có gì", []),
    ],
)
def test_annotation_parser(raw: str, text: str, entities: list) -> None:
    assert parse_annotated(raw) == (text, entities)


@pytest.mark.parametrize(
    "raw", ["[hộ chiếu(procedure)", "hộ chiếu](procedure)", "[a] [b](procedure)"]
)
def test_annotation_parser_rejects_malformed(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_annotated(raw)


def _all_examples(train: dict[str, list], heldout: dict[str, list]) -> list[Example]:
    return [*train["examples"], *heldout["examples"]]


def test_entity_names_are_in_the_contract(train: dict[str, list], heldout: dict[str, list]) -> None:
    wrong = [
        (ex.source, ex.raw)
        for ex in _all_examples(train, heldout)
        for name, *_ in ex.entities
        if name not in ENTITIES
    ]
    assert not wrong, wrong


def test_entity_free_intents_carry_no_entity(
    train: dict[str, list], heldout: dict[str, list]
) -> None:
    wrong = [
        ex.raw
        for ex in _all_examples(train, heldout)
        if ex.intent in ENTITY_FREE_INTENTS and ex.entities
    ]
    assert not wrong, wrong


def test_procedure_spans_follow_the_boundary_rules(
    train: dict[str, list], heldout: dict[str, list]
) -> None:
    wrong = []
    for ex in _all_examples(train, heldout):
        for name, value, _, _ in ex.entities:
            if name != "procedure":
                continue
            span = f" {normalise(value)} "
            if span.strip().startswith(tuple(s.strip() + " " for s in SPAN_FORBIDDEN_START)) or (
                span.rstrip().endswith(SPAN_FORBIDDEN_END)
            ):
                wrong.append((ex.source, ex.raw))
    assert not wrong, wrong


def test_regex_entities_are_annotated_exactly_where_the_regex_matches(
    train: dict[str, list], heldout: dict[str, list], regexes: dict[str, list[re.Pattern[str]]]
) -> None:
    """An annotated code/ID/phone is what the regex finds; the regex finds nothing unannotated."""
    problems = []
    for ex in _all_examples(train, heldout):
        annotated = {(n, s, e) for n, _, s, e in ex.entities if n in REGEX_ENTITIES}
        found = {
            (name, m.start(), m.end())
            for name, patterns in regexes.items()
            for pattern in patterns
            for m in pattern.finditer(ex.text)
        }
        if annotated != found:
            problems.append((ex.source, ex.raw, sorted(annotated ^ found)))
    assert not problems, problems


def test_numbers_are_varied(train: dict[str, list]) -> None:
    values = Counter(
        normalise(v)
        for ex in train["examples"]
        for n, v, _, _ in ex.entities
        if n in REGEX_ENTITIES
    )
    assert len(values) >= 40
    assert max(values.values()) <= 3, values.most_common(3)


# --- regexes -------------------------------------------------------------------------------------

GOOD = {
    "application_code": [
        "000.00.30.H56-241115-0012",
        "000.20.22.H29-250301-0456",
        "000.00.30.h56-241115-0012",
        "000.00.30.H56 - 241115 - 0012",
        "000.00.30.H56 -241115- 0012",
        "000.00.30.H56–241115–0012",
        "000.00.12.G12-250612-000031",
    ],
    "id_number": [
        "079203001234",
        "001089012345",
        "096205246810",
        "048301002233",
        "079 203 001 234",
        "079.203.001.234",
    ],
    "phone_number": [
        "0912345678",
        "0987 654 321",
        "+84 912 345 678",
        "84912345678",
        "091.234.5678",
        "0903-111-222",
        "0368 112 233",
        "+84977001122",
        "0989 12 34 56",
        "0084 912 345 678",
        "09o3 111 222",  # the letter o for a zero
        "O912 345 678",
        "o987.654.321",
    ],
    "feedback_code": [
        "PA-261122-7K3Q9X",
        "pa-261122-7k3q9x",
        "PA - 261122 - 7K3Q9X",
        "PA-2611-AB12CD",
    ],
}
BAD = {
    "application_code": [
        "000.00.30-241115-0012",
        "000.00.30.H56-2411-0012",
        "000.00.30.H56-241115-12",
        "1.500.000-241115-0012",
        "000.00.30.H56 241115 0012",
        "0912345678",
    ],
    "id_number": [
        "0792030012345",
        "79203001234",
        "000203001234",
        "097203001234",
        "179203001234",
        "0912345678",
        "1079203001234",
        "079-203-001-234",
        "079 203 001 2345",
    ],
    "phone_number": [
        "091234567",
        "09123456789",
        "0112345678",
        "0243825123",
        "079203001234",
        "1234567890",
        "912345678",
        "+85 912 345 678",
        "84.000",
        "500.000 đồng",
        "0912345678901",
        "no912345678",  # an o that ends a word
        "0912 345 67 o",  # a word "o" after a number a digit short
        "0912 345 67o",
    ],
    "feedback_code": [
        "PA261122-7K3Q9X",
        "PB-261122-7K3Q9X",
        "PA-26-7K3Q9X",
        "PA-261122-7K",
        "SPA-261122-7K3Q9X",
    ],
}


def test_regex_names_are_the_entity_names(regexes: dict[str, list[re.Pattern[str]]]) -> None:
    assert set(regexes) == REGEX_ENTITIES


@pytest.mark.parametrize("name, value", [(n, v) for n, vs in GOOD.items() for v in vs])
def test_regex_matches_good_values(
    regexes: dict[str, list[re.Pattern[str]]], name: str, value: str
) -> None:
    # the whole value, also inside a sentence
    assert any(p.fullmatch(value) for p in regexes[name]), value
    sentence = f"dạ {value} ạ"
    assert any(m.group() == value for p in regexes[name] for m in p.finditer(sentence)), sentence


@pytest.mark.parametrize("name, value", [(n, v) for n, vs in BAD.items() for v in vs])
def test_regex_rejects_bad_values(
    regexes: dict[str, list[re.Pattern[str]]], name: str, value: str
) -> None:
    assert not any(p.search(value) for p in regexes[name]), value


def test_regexes_do_not_fire_on_each_others_values(
    regexes: dict[str, list[re.Pattern[str]]],
) -> None:
    for name, values in GOOD.items():
        for other, patterns in regexes.items():
            if other == name:
                continue
            for value in values:
                assert not any(p.search(value) for p in patterns), (other, value)


# --- synonyms and lookups ------------------------------------------------------------------------


def test_synonyms_are_unambiguous(train: dict[str, list]) -> None:
    target: dict[str, str] = {}
    clashes = []
    for value, spellings in train["synonym"]:
        for spelling in spellings:
            key = unicodedata.normalize("NFC", spelling).lower()
            if key in target and target[key] != value:
                clashes.append((key, target[key], value))
            target[key] = value
    assert target, "no synonyms"
    assert not clashes, clashes


def test_common_spellings_share_a_canonical_value(train: dict[str, list]) -> None:
    target = {s.lower(): value for value, spellings in train["synonym"] for s in spellings}
    for spelling in ("cccd", "can cuoc cong dan"):
        assert target[spelling] == "căn cước công dân"
    assert target["lam ho chieu"] == target["làm hộ chiếu"]
    assert target["lltp"] == target["ly lich tu phap"] == target["lý lịch tư pháp"]


def test_procedure_lookup_table(train: dict[str, list]) -> None:
    tables = dict(train["lookup"])
    assert set(tables) == {"procedure"}
    names = tables["procedure"]
    assert len(names) >= 300
    assert len(names) == len(set(names))
    assert {"làm hộ chiếu", "lam ho chieu", "cccd", "sổ đỏ", "so do"} <= set(names)
