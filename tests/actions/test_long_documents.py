"""Documents written as pages of law: each line shortened, the answer says so and links the
record, every document still listed. A building permit's 50,000 characters no longer become 25
Zalo messages."""

from __future__ import annotations

from typing import Any

import pytest

from actions import render
from actions.clients.portal import Document, PortalClient
from tests.actions.conftest import TrackerFactory
from tests.actions.test_procedures import run

LABELS = {"documents_conditional": "Chỉ cần trong một số trường hợp:"}


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [
        ("Tờ khai đăng ký khai sinh", 300, "Tờ khai đăng ký khai sinh"),
        ("một hai ba bốn năm", 10, "một hai ba…"),
        ("một hai, ba bốn", 9, "một hai…"),  # no dangling comma before the ellipsis
        ("x" * 20, 10, "x" * 10 + "…"),  # one long word is cut inside
    ],
)
def test_clip_cuts_at_a_word_boundary(text: str, limit: int, clipped: str) -> None:
    assert render.clip(text, limit) == clipped


def doc(name: str, note: str | None = None) -> Document:
    return Document(name=name, note=note, group="nộp")


def test_a_short_list_is_shown_whole_and_not_marked_shortened() -> None:
    answer = render.documents_answer(
        [doc("Tờ khai"), doc("Giấy chứng sinh", "bản chính")], LABELS, full=False
    )

    assert answer.text == "• Tờ khai\n• Giấy chứng sinh — bản chính"
    assert answer.clipped is False


def test_a_page_long_document_is_shortened_and_marked() -> None:
    long_name = "Giấy tờ hợp pháp về đất đai " + "theo quy định " * 400

    answer = render.documents_answer([doc("Đơn đề nghị"), doc(long_name)], LABELS, full=True)

    assert answer.clipped is True
    assert len(answer.text) < 2 * render.NAME_CHARS
    assert answer.text.splitlines()[1].startswith("• Giấy tờ hợp pháp về đất đai")
    assert answer.text.endswith("…")


def test_a_list_too_long_for_a_few_messages_keeps_every_document_by_its_name() -> None:
    docs = [doc(f"Giấy tờ số {i} " + "mô tả dài " * 60, "ghi chú " * 40) for i in range(40)]

    answer = render.documents_answer(docs, LABELS, full=True)

    assert answer.clipped is True
    lines = answer.text.splitlines()
    assert [line.split(" mô tả")[0] for line in lines] == [f"• Giấy tờ số {i}" for i in range(40)]
    assert all(len(line) <= len(render.BULLET) + render.TERSE_NAME_CHARS + 1 for line in lines)




@pytest.mark.anyio
@pytest.mark.parametrize("full", [False, True])  # the answer, then "Xem đầy đủ"
async def test_a_building_permits_documents_fit_a_few_messages_with_the_records_link(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], full: bool
) -> None:
    """1.013229: 55 documents, 50,000 characters, one of them 4,500."""
    entities = {"procedure_code": "1.013229", **({"detail": "all"} if full else {})}
    messages, _ = await run(portal, tracker("/ask_documents", "ask_documents", entities), domain)

    documents = next(m for m in messages if m["response"].startswith("utter_procedure_documents"))
    assert len(documents["documents"]) <= 8000  # four Zalo messages at most, not 25
    clipped = next(m for m in messages if m["response"] == "utter_procedure_documents_clipped")
    assert clipped["source_url"].startswith("https://")


def test_a_record_whose_every_document_has_a_condition_still_lists_them() -> None:
    """A tax settlement record (2.002233): 11 documents, each under "Trường hợp (1): ..." or
    "(2)". Folding the conditional ones away left no list, and the bot said the record has
    none."""
    docs = [doc(f"Giấy tờ số {i}", "Trường hợp (1): quyết toán trực tiếp với cơ quan thuế")
            for i in range(11)]
    assert all(render.is_conditional(d) for d in docs)

    answer = render.documents_answer(docs, LABELS, full=False)

    assert answer.folded == 0
    assert [line for line in answer.text.splitlines() if line.startswith("•")] == [
        f"• Giấy tờ số {i} — Trường hợp (1): quyết toán trực tiếp với cơ quan thuế"
        for i in range(11)
    ]
