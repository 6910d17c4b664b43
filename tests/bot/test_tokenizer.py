"""The Vietnamese tokenizer: segmentation, exact offsets into the original text, folded lemmas."""

from __future__ import annotations

import unicodedata

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import VietnameseTokenizer, _pieces


def tokenizer() -> VietnameseTokenizer:
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


@pytest.mark.parametrize(
    "text, expected_tokens, expected_offsets",
    [
        (
            "Đăng ký khai sinh cần giấy tờ gì?",
            ["Đăng ký", "khai sinh", "cần", "giấy tờ", "gì", "?"],
            [(0, 7), (8, 17), (18, 21), (22, 29), (30, 32), (32, 33)],
        ),
        (
            "tôi muốn làm hộ chiếu",
            ["tôi", "muốn", "làm", "hộ chiếu"],
            [(0, 3), (4, 8), (9, 12), (13, 21)],
        ),
        (
            "  cấp lại  căn cước ",
            ["cấp", "lại", "căn cước"],
            [(2, 5), (6, 9), (11, 19)],
        ),
    ],
)
def test_segments_with_exact_offsets(
    text: str, expected_tokens: list[str], expected_offsets: list[tuple[int, int]]
) -> None:
    tokens = tokenizer().tokenize(Message.build(text=text), attribute=TEXT)

    assert [t.text for t in tokens] == expected_tokens
    assert [(t.start, t.end) for t in tokens] == expected_offsets


@pytest.mark.parametrize(
    "text",
    [
        "dang ky khai sinh can giay to gi",
        "toi muon lam giay khai sinh cho con",
        "Mã hồ sơ 000.00.30.H56-241115-0012 của tôi",
        "cccd het han thi lam lai o dau vay ad",
        "Thủ tục đăng ký kết hôn ntn ạ 😊",
        "số điện thoại +84 912 345 678",
    ],
)
def test_every_token_is_the_original_substring(text: str) -> None:
    tokens = tokenizer().tokenize(Message.build(text=text), attribute=TEXT)

    assert tokens
    for token in tokens:
        assert text[token.start : token.end] == token.text


@pytest.mark.parametrize(
    "accented, unaccented",
    [
        ("đăng ký khai sinh", "dang ky khai sinh"),
        ("hộ chiếu", "ho chieu"),
        ("lệ phí bao nhiêu", "le phi bao nhieu"),
    ],
)
def test_lemmas_agree_with_and_without_diacritics(accented: str, unaccented: str) -> None:
    def lemmas(text: str) -> str:
        tokens = tokenizer().tokenize(Message.build(text=text), attribute=TEXT)
        return " ".join(t.lemma for t in tokens)

    assert lemmas(accented) == lemmas(unaccented)


def test_abbreviation_lemma_matches_the_full_words() -> None:
    tokens = tokenizer().tokenize(Message.build(text="làm cccd mất bn tiền"), attribute=TEXT)

    assert [t.lemma for t in tokens][:2] == ["lam", "can cuoc cong dan"]
    assert "bao nhieu" in [t.lemma for t in tokens]


def test_decomposed_unicode_keeps_offsets_in_the_original() -> None:
    text = unicodedata.normalize("NFD", "khai sinh cho con")

    tokens = tokenizer().tokenize(Message.build(text=text), attribute=TEXT)

    assert "".join(t.text for t in tokens).replace(" ", "") == text.replace(" ", "")
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_process_sets_tokens_on_the_message() -> None:
    message = Message.build(text="hồ sơ của tôi đến đâu rồi")

    tokenizer().process([message])

    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])][:2] == ["hồ sơ", "của"]


def test_empty_text_gives_no_tokens() -> None:
    assert tokenizer().tokenize(Message.build(text=""), attribute=TEXT) == []


@pytest.mark.parametrize(
    "text, whole",
    [
        ("mã 000.00.30.H56-241115-0012 của tôi", "000.00.30.H56-241115-0012"),
        ("ma hs 000.00.30.h56 - 241115 - 0012 nhe", "000.00.30.h56 - 241115 - 0012"),
        ("cccd 048301002233 ạ", "048301002233"),
        ("sđt của tôi là 0987 654 321", "0987 654 321"),
        ("số +84 912 345 678 nhé", "+84 912 345 678"),
        ("tra cứu phản ánh PA-261122-7K3Q9X", "PA-261122-7K3Q9X"),
        # glued to the word before: the code starts where the run of letters and digits starts
        ("mahs000.00.30.H56-241115-0012", "mahs000.00.30.H56-241115-0012"),
        ("mã000.00.30.H56-241115-0012 nhé", "000.00.30.H56-241115-0012"),
    ],
)
def test_codes_and_numbers_are_one_token(text: str, whole: str) -> None:
    tokens = tokenizer().tokenize(Message.build(text=text), attribute=TEXT)

    assert whole in [t.text for t in tokens]


def test_unaccented_text_is_split_into_syllables() -> None:
    tokens = tokenizer().tokenize(Message.build(text="toi muon lam giay khai sinh"), attribute=TEXT)

    assert [t.text for t in tokens] == ["toi", "muon", "lam", "giay", "khai", "sinh"]


@pytest.mark.parametrize(
    "chunk, pieces",
    [
        ("ngắn thôi", ["ngắn thôi"]),
        ("a" * 500, ["a" * 500]),
        # no space at all: cut at the limit
        ("a" * 1200, ["a" * 500, "a" * 500, "a" * 200]),
        # after the last space of the window
        ("xin " * 150, ["xin " * 125, "xin " * 25]),
        # after a sentence end in the second half of the window, not at the last space
        ("a" * 300 + ". " + "b " * 200, ["a" * 300 + ".", " " + "b " * 200]),
    ],
)
def test_long_text_reaches_underthesea_in_bounded_pieces(chunk: str, pieces: list[str]) -> None:
    assert _pieces(chunk) == pieces
    assert "".join(_pieces(chunk)) == chunk


@pytest.mark.parametrize(
    "text",
    [
        "đăng ký khai sinh cho con cần giấy tờ gì, phí bao nhiêu? " * 90,
        ("Mã hồ sơ 000.00.30.H56-241115-0012, số 0912 345 678. " + "hộ chiếu " * 300),
        "đ" * 3000,
        "a" * 20_000,
    ],
)
def test_long_messages_keep_exact_offsets(text: str) -> None:
    tokens = tokenizer().tokenize(Message.build(text=text), attribute=TEXT)

    assert tokens
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)
