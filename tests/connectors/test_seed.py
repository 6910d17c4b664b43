"""The curated procedure seed (connectors/seed/procedures/*.yml) is well-formed and consistent."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.catalogue.store import ProcedureRecord
from connectors.seed.loader import read_curated

RECORDS = read_curated()
NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a dumped record, with where it sits (for readable failures)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def test_the_seed_has_at_least_forty_procedures() -> None:
    assert len(RECORDS) >= 40


def test_codes_are_unique() -> None:
    duplicates = [code for code, n in Counter(r.code for r in RECORDS).items() if n > 1]
    assert duplicates == []


def test_no_alias_is_shared_by_two_procedures() -> None:
    owners: dict[str, set[str]] = {}
    for record in RECORDS:
        for alias in record.aliases:
            owners.setdefault(alias.casefold(), set()).add(record.code)
    assert {alias: codes for alias, codes in owners.items() if len(codes) > 1} == {}


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.code)
def test_code_has_the_national_shape(record: ProcedureRecord) -> None:
    assert NATIONAL_CODE.match(record.code), record.code


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.code)
def test_has_documents_and_a_priced_channel(record: ProcedureRecord) -> None:
    assert record.documents, "at least one document"
    assert any(channel.fee_text for channel in record.channels), "a channel with fee_text"


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.code)
def test_no_empty_strings(record: ProcedureRecord) -> None:
    empty = [path for path, text in _strings(record.model_dump()) if not text.strip()]
    assert empty == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.code)
def test_text_is_nfc_normalised(record: ProcedureRecord) -> None:
    """Search normalises queries; the stored text must be in the same (composed) form."""
    odd = [
        path
        for path, text in _strings(record.model_dump())
        if unicodedata.normalize("NFC", text) != text
    ]
    assert odd == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.code)
def test_fee_amount_only_where_the_fee_text_states_it(record: ProcedureRecord) -> None:
    for channel in record.channels:
        if channel.fee_amount is None:
            continue
        text = channel.fee_text or ""
        if channel.fee_amount == 0:
            assert "miễn" in text.casefold(), f"{channel.kind}: 0 needs a 'miễn' fee_text"
        else:
            digits = {int(n.replace(".", "")) for n in re.findall(r"\d[\d.]*\d|\d", text)}
            assert channel.fee_amount in digits, (
                f"{channel.kind}: {channel.fee_amount} not in {text!r}"
            )


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.code)
def test_curation_shape(record: ProcedureRecord) -> None:
    assert 1 <= record.popularity <= 10
    assert 3 <= len(record.aliases) <= 8
    assert 3 <= len(record.steps) <= 5
    assert record.short_name and record.source_url
    assert record.source_url.startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    has_online = any(channel.kind == "online" for channel in record.channels)
    assert (record.online_url is not None) == has_online
    for document in record.documents:
        assert document.group in {"nộp", "xuất trình"}
