"""Pure text helpers of the NLU: NFC with offsets, tone placement, folding, abbreviations."""

from __future__ import annotations

import unicodedata

import pytest

from bot.nlu.text import fold, has_diacritics, lemma, strip_diacritics, to_nfc


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("hoà giải", "hòa giải"),
        ("Thuỷ", "Thủy"),
        ("uỷ ban", "ủy ban"),
        ("khoẻ", "khỏe"),
        ("hoàng", "hoàng"),  # tone on the main vowel before a final consonant stays
        ("hòa", "hòa"),
    ],
)
def test_tone_placement_is_canonical(text: str, canonical: str) -> None:
    assert to_nfc(text)[0] == canonical


def test_nfd_input_composes_and_maps_back() -> None:
    original = unicodedata.normalize("NFD", "Đăng ký")

    canonical, index = to_nfc(original)

    assert canonical == "Đăng ký"
    assert len(index) == len(canonical) + 1
    assert index[-1] == len(original)
    assert original[index[0] : index[4]] == unicodedata.normalize("NFD", "Đăng")


@pytest.mark.parametrize(
    "text, folded",
    [("Đăng ký Khai Sinh", "dang ky khai sinh"), ("Căn cước", "can cuoc"), ("abc 123", "abc 123")],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    "word, expected",
    [
        ("cccd", "can cuoc cong dan"),
        ("đkks", "dang ky khai sinh"),
        ("đkkh", "dang ky ket hon"),
        ("ko", "khong"),
        ("bn", "bao nhieu"),
        ("khai sinh", "khai sinh"),
        ("hỏng", "hong"),
    ],
)
def test_lemma_expands_abbreviations(word: str, expected: str) -> None:
    assert lemma(word) == expected


def test_diacritics_detection() -> None:
    assert has_diacritics("hộ chiếu")
    assert not has_diacritics("ho chieu")
    assert strip_diacritics("Đường") == "Duong"
