"""What the citizen is told for "nộp ở đâu", "cần giấy tờ gì" and "phí bao nhiêu": the right
office in the right commune, required papers as required, each fee with its channel."""

from __future__ import annotations

from typing import Any

import pytest

from actions.clients.portal import PortalClient
from tests.actions.conftest import TrackerFactory
from tests.actions.test_procedures import run

pytestmark = pytest.mark.anyio

BUILDING_PERMIT = "1.013225"
ID_CARD_RENEWAL = "1.014063"
DEATH = "1.000656"
HOUSEHOLD_BUSINESS = "1.001612"
PASSPORT = "1.001456"
TEMPORARY_RESIDENCE = "1.004194"
PERMANENT_RESIDENCE = "1.004222"


def said(messages: list[dict[str, Any]]) -> str:
    """Everything the bot wrote in the turn, variables filled in as the citizen reads them."""
    return "\n".join(" ".join(str(v) for k, v in m.items() if isinstance(v, str)
                              and k not in ("response", "template")) for m in messages)


@pytest.mark.parametrize(
    "code, says, never",
    [
        # a building permit: the commune where the house is built, not where the citizen lives
        (BUILDING_PERMIT, ["phường/xã nơi có công trình xây dựng"], ["nơi anh/chị cư trú"]),
        # "không phụ thuộc nơi cư trú": never also "where you live"
        (ID_CARD_RENEWAL, ["Công an phường/xã bất kỳ trong cả nước (không phụ thuộc nơi cư trú)"],
         ["nơi anh/chị cư trú"]),
        # where the deceased last lived; the commune's centre, not an invented provincial one
        (DEATH, ["phường/xã nơi người mất cư trú cuối cùng"],
         ["nơi anh/chị cư trú", "Trung tâm Phục vụ hành chính công của tỉnh", "Tỉnh Mẫu"]),
        (TEMPORARY_RESIDENCE, ["Công an phường/xã nơi anh/chị dự kiến tạm trú"],
         ["nơi anh/chị cư trú"]),
    ],
)
async def test_the_office_is_in_the_commune_the_record_says(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any],
    code: str, says: list[str], never: list[str],
) -> None:
    messages, _ = await run(portal, tracker("/ask_office", "ask_office",
                                            {"procedure_code": code}), domain)

    office = next(m for m in messages if m["response"] == "utter_procedure_office")
    assert [s for s in says if s not in office["offices"]] == []
    assert [n for n in never if n in said(messages)] == []


@pytest.mark.parametrize("code", [HOUSEHOLD_BUSINESS, PASSPORT])
async def test_an_invented_office_is_named_by_its_kind_with_no_phone_of_its_own(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], code: str
) -> None:
    messages, _ = await run(portal, tracker("/ask_office", "ask_office",
                                            {"procedure_code": code}), domain)

    text = said(messages)
    assert "Tỉnh Mẫu" not in text and "đường Mẫu" not in text
    assert "Điện thoại" not in text  # the hotline is the portal's, not the office's
    assert messages[-1]["response"] == "utter_procedure_office_ask_address"
    assert messages[-1]["support_hotline"] == "18001096"


async def test_the_land_paper_of_a_building_permit_is_required(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(portal, tracker("/ask_documents", "ask_documents",
                                            {"procedure_code": BUILDING_PERMIT}), domain)

    documents = messages[0]["documents"]
    land = documents.index("giấy tờ hợp pháp về đất đai")
    assert land < documents.index("Chỉ cần trong một số trường hợp")
    # its note (the data may replace it) is kept with it
    assert "thì được thay bằng dữ liệu" in documents[land:documents.index("Chỉ cần")]

    overview, _ = await run(portal, tracker("/ask_procedure", "ask_procedure",
                                            {"procedure_code": BUILDING_PERMIT}), domain)
    assert "giấy tờ hợp pháp về đất đai" in overview[0]["main_documents"]


@pytest.mark.parametrize(
    "code, intent, field, says, never",
    [
        # the record: 10.000 đồng per person in person for a list, 7.000 đồng online; it gives no
        # in-person figure for one person, so none is made up
        (TEMPORARY_RESIDENCE, "ask_fee", "fees",
         ["• Trực tiếp: 10.000 đồng/người/lần khi đăng ký theo danh sách",
          "• Trực tuyến: 7.000 đồng/lần đăng ký"], ["15.000", "20.000", "Theo Thông tư"]),
        (TEMPORARY_RESIDENCE, "ask_procedure", "fee_short",
         ["Trực tiếp: 10.000 đồng/người/lần", "; trực tuyến: 7.000 đồng/lần đăng ký"],
         ["15.000", "20.000"]),
        (PERMANENT_RESIDENCE, "ask_procedure", "fee_short",
         ["Trực tiếp: 20.000 đồng/lần đăng ký; trực tuyến: 10.000 đồng/lần đăng ký"], []),
    ],
)
async def test_each_fee_is_said_with_its_channel(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any],
    code: str, intent: str, field: str, says: list[str], never: list[str],
) -> None:
    messages, _ = await run(portal, tracker(f"/{intent}", intent, {"procedure_code": code}),
                            domain)

    text = messages[0][field]
    assert [s for s in says if s not in text] == []
    assert [n for n in never if n in text] == []


async def test_opening_hours_in_the_demo_never_name_the_invented_province(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(portal, tracker("trung tâm hành chính công làm việc giờ nào",
                                            "ask_office"), domain)

    assert messages[0]["response"] == "utter_locality_hours"
    assert messages[0]["locality_name"] == "địa phương"
    assert "Mẫu" not in said(messages)
