"""Bot messages as Zalo messages: text of at most 2,000 characters cut where a reader expects it,
at most five buttons, Rasa payloads hidden, links opened. Every message built here is one the
fake Zalo accepts (tests/fakes/zalo.py applies Zalo's limits on its own)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.zalo_send import (
    MAX_BUTTONS,
    MAX_TEXT_CHARS,
    split_text,
    zalo_button,
    zalo_messages,
)
from tests.fakes.zalo import _valid_message as zalo_accepts

PARAGRAPH = "Giấy tờ cần mang: tờ khai đăng ký khai sinh theo mẫu; giấy chứng sinh. " * 9  # ~650


def paragraphs(n: int) -> str:
    return "\n\n".join(f"{i}. {PARAGRAPH.strip()}" for i in range(n))


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("", []),
        ("  \n ", []),
        ("Dạ, em chào anh/chị.", ["Dạ, em chào anh/chị."]),
        ("a" * MAX_TEXT_CHARS, ["a" * MAX_TEXT_CHARS]),
        # three paragraphs of ~650 fit in one message, the fourth starts the next
        (paragraphs(4), ["\n\n".join(paragraphs(4).split("\n\n")[:3]),
                         paragraphs(4).split("\n\n")[3]]),
        # blank lines with spaces still separate paragraphs
        ("a" * 1500 + "\n  \n" + "b" * 1500, ["a" * 1500, "b" * 1500]),
        # a paragraph too long is cut between its lines
        ("\n".join(["c" * 900] * 3), ["c" * 900 + "\n" + "c" * 900, "c" * 900]),
        # a line too long between words
        (" ".join(["từ"] * 1000), [" ".join(["từ"] * 667), " ".join(["từ"] * 333)]),
        # only a word longer than a message is cut inside
        ("x" * 4500, ["x" * 2000, "x" * 2000, "x" * 500]),
    ],
    ids=["empty", "blank", "short", "at the limit", "paragraphs", "spaced blank line",
         "lines", "words", "one long word"],
)
def test_text_pieces(text: str, pieces: list[str]) -> None:
    assert split_text(text) == pieces


@pytest.mark.parametrize("n", [1, 3, 4, 7, 12])
def test_long_answers_lose_nothing_and_every_piece_fits(n: int) -> None:
    text = paragraphs(n)

    pieces = split_text(text)

    assert all(0 < len(p) <= MAX_TEXT_CHARS for p in pieces)
    assert "\n\n".join(pieces) == text
    # no piece ends inside a paragraph: every cut is at a blank line
    assert all(p.endswith(PARAGRAPH.strip()[-20:]) for p in pieces)


@pytest.mark.parametrize(
    "button, expected",
    [
        ({"title": "Lệ phí", "payload": "/ask_fee"},
         {"title": "Lệ phí", "type": "oa.query.hide", "payload": "/ask_fee"}),
        ({"title": "Khai sinh", "payload": '/ask_procedure{"procedure_code": "1.001193"}'},
         {"title": "Khai sinh", "type": "oa.query.hide",
          "payload": '/ask_procedure{"procedure_code": "1.001193"}'}),
        ({"title": "Cổng DVC", "url": "https://dichvucong.gov.vn", "type": "web_url"},
         {"title": "Cổng DVC", "type": "oa.open.url",
          "payload": {"url": "https://dichvucong.gov.vn"}}),
        ({"title": "Cổng DVC", "payload": "https://dichvucong.gov.vn/p/home"},
         {"title": "Cổng DVC", "type": "oa.open.url",
          "payload": {"url": "https://dichvucong.gov.vn/p/home"}}),
        ({"title": "Gọi tổng đài", "payload": "tel:1900 1234"},
         {"title": "Gọi tổng đài", "type": "oa.open.phone", "payload": {"phone_code": "19001234"}}),
        ({"title": "t" * 150, "payload": "/x"},
         {"title": "t" * 99 + "…", "type": "oa.query.hide", "payload": "/x"}),
        ({"title": "", "payload": "/x"}, None),
        ({"title": "Trống", "payload": ""}, None),
        ({"title": "Trống"}, None),
        ({"title": "Lạ", "url": "javascript:alert(1)"}, None),
    ],
)
def test_buttons(button: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert zalo_button(button) == expected


def test_a_long_answer_with_buttons_carries_them_on_its_last_piece() -> None:
    buttons = [{"title": t, "payload": f"/{t}"} for t in ("a", "b", "c")]

    messages = zalo_messages({"text": paragraphs(5), "buttons": buttons})

    assert len(messages) == 2
    assert "attachment" not in messages[0]
    assert [b["payload"] for b in messages[1]["attachment"]["payload"]["buttons"]] == [
        "/a", "/b", "/c"
    ]
    assert all(zalo_accepts(m) for m in messages)


def test_at_most_five_buttons_the_first_five() -> None:
    buttons = [{"title": f"Chọn {i}", "payload": f"/choose_{i}"} for i in range(7)]

    (message,) = zalo_messages({"text": "Anh/chị chọn giúp em:", "buttons": buttons})

    sent = message["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in sent] == [f"/choose_{i}" for i in range(MAX_BUTTONS)]
    assert zalo_accepts(message)


@pytest.mark.parametrize(
    "bot_message, expected",
    [
        ({"text": "Dạ."}, [{"text": "Dạ."}]),
        ({"text": "Chọn:", "quick_replies": [{"title": "Có", "payload": "/affirm"}]},
         [{"text": "Chọn:", "attachment": {"type": "template", "payload": {"buttons": [
             {"title": "Có", "type": "oa.query.hide", "payload": "/affirm"}]}}}]),
        ({"image": "https://example.invalid/mau-to-khai.png"},
         [{"attachment": {"type": "template", "payload": {
             "template_type": "media",
             "elements": [{"media_type": "image", "url": "https://example.invalid/mau-to-khai.png"}],
         }}}]),
        ({"text": "Mẫu:", "image": "https://example.invalid/a.png"},
         [{"text": "Mẫu:"}, {"attachment": {"type": "template", "payload": {
             "template_type": "media",
             "elements": [{"media_type": "image", "url": "https://example.invalid/a.png"}]}}}]),
        ({"custom": {"zalo": {"text": "viết riêng cho Zalo"}}}, [{"text": "viết riêng cho Zalo"}]),
        ({"custom": {"web": {"x": 1}}}, []),
        ({"buttons": [{"title": "Có", "payload": "/affirm"}]}, []),  # buttons need a text
        ({"elements": [{"title": "thẻ"}]}, []),
    ],
)
def test_bot_messages(bot_message: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    messages = zalo_messages(bot_message)

    assert messages == expected
    assert all(zalo_accepts(m) for m in messages)
