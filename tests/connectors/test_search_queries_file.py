"""The search exam (benchmarks/search_queries.yml) is well-formed.

The file pairs citizen phrasings with the national procedure code they mean. It is written
independently of the search tuning; this test only checks its shape, never the search itself.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
QUERIES_FILE = ROOT / "benchmarks" / "search_queries.yml"
CATALOGUE = ROOT.parent / "shared" / "data" / "procedures" / "catalogue.jsonl.gz"
NATIONAL_CODE = re.compile(r"^\d{1,2}\.\d{6}$")


def _load() -> list[dict[str, Any]]:
    data = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "top level must be a mapping with a `queries` list"
    queries = data.get("queries")
    assert isinstance(queries, list), "`queries` must be a list"
    return queries


QUERIES = _load()


def _fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ -> d) and squeeze spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(bare.lower().split())


def test_every_entry_has_a_non_empty_query_and_a_code() -> None:
    bad = [
        (i, entry)
        for i, entry in enumerate(QUERIES)
        if not isinstance(entry, dict)
        or set(entry) != {"q", "code"}
        or not isinstance(entry["q"], str)
        or not entry["q"].strip()
        or not isinstance(entry["code"], str)
    ]
    assert bad == []


def test_there_are_at_least_120_entries() -> None:
    assert len(QUERIES) >= 120


def test_there_are_at_least_30_distinct_procedures() -> None:
    assert len({entry["code"] for entry in QUERIES}) >= 30


def test_every_code_has_the_national_catalogue_shape() -> None:
    bad = [entry["code"] for entry in QUERIES if not NATIONAL_CODE.match(entry["code"])]
    assert bad == []


def test_no_query_is_repeated_ignoring_case_and_diacritics() -> None:
    counts = Counter(_fold(entry["q"]) for entry in QUERIES)
    assert [q for q, n in counts.items() if n > 1] == []


def test_a_good_share_is_typed_without_diacritics() -> None:
    unaccented = [e for e in QUERIES if _fold(e["q"]) == " ".join(e["q"].lower().split())]
    assert len(unaccented) / len(QUERIES) >= 0.3


@pytest.mark.skipif(not CATALOGUE.exists(), reason="national catalogue not present")
def test_every_code_is_in_the_national_catalogue() -> None:
    with gzip.open(CATALOGUE, "rt", encoding="utf-8") as lines:
        known = {json.loads(line)["ma_thu_tuc"] for line in lines if line.strip()}
    assert sorted({e["code"] for e in QUERIES} - known) == []
