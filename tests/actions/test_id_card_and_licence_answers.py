"""ID cards and driving licences as a citizen asks about them (issue 9, citizen play-through):
the renewal for a card about to expire, the fee in force on the day (the 50% reduction until
31/12/2026), a fee line that is never "Miễn phí" when the record names an amount, and an honest
answer on whether an old licence is still good."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from actions.clients.portal import PortalClient
from tests.actions.conftest import TrackerFactory, _portal_on
from tests.actions.test_procedures import run, slots

pytestmark = pytest.mark.anyio

RENEWAL, REPLACEMENT = "1.014063", "1.014064"
LICENCE = "3.000346"
DURING = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)
AFTER = datetime(2027, 1, 2, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "text",
    ["cccd của e sắp hết hạn, làm lại online dc ko", "cccd cua e sap het han, lam lai online dc ko",
     "cccd hết hạn làm lại"],
)
async def test_a_card_about_to_expire_is_renewed_not_replaced(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str
) -> None:
    messages, events = await run(portal, tracker(text, "ask_online"), domain)

    assert slots(events)["procedure_code"] == RENEWAL
    assert "Cấp lại thẻ căn cước" not in " ".join(str(m.get("procedure_name")) for m in messages)


@pytest.mark.parametrize(
    "now, code, fee",
    [
        (DURING, RENEWAL, "25.000 đồng"),
        (AFTER, RENEWAL, "50.000 đồng"),
        (DURING, REPLACEMENT, "35.000 đồng"),
        (AFTER, REPLACEMENT, "70.000 đồng"),
    ],
)
async def test_whether_online_costs_states_the_fee_in_force_that_day(
    portal_database: str, tracker: TrackerFactory, domain: dict[str, Any],
    now: datetime, code: str, fee: str,
) -> None:
    async with _portal_on(portal_database, now) as portal:
        messages, _ = await run(
            portal, tracker("online có mất phí không", "ask_fee", slots={"procedure_code": code}),
            domain,
        )

    assert [m["response"] for m in messages][:2] == ["utter_fee_online_paid", "utter_procedure_fee"]
    assert messages[0]["online_fee"] == fee


@pytest.mark.parametrize(
    "now, fee",
    [(DURING, "25.000 đồng"), (AFTER, "50.000 đồng")],
)
async def test_whether_online_is_cheaper_compares_the_fees_in_force_that_day(
    portal_database: str, tracker: TrackerFactory, domain: dict[str, Any],
    now: datetime, fee: str,
) -> None:
    async with _portal_on(portal_database, now) as portal:
        messages, _ = await run(
            portal,
            tracker("làm online có rẻ hơn không", "ask_online", slots={"procedure_code": RENEWAL}),
            domain,
        )

    assert messages[0]["response"] == "utter_fee_online_same"
    assert (messages[0]["online_fee"], messages[0]["in_person_fee"]) == (fee, fee)


@pytest.mark.parametrize(
    "text, intent, field",
    [("phí bao nhiêu", "ask_fee", "fees"), ("/ask_procedure", "ask_procedure", "fee_short")],
)
async def test_a_fee_text_with_an_amount_is_never_summed_up_as_free(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any],
    text: str, intent: str, field: str,
) -> None:
    """Cấp giấy phép lái xe: the portal's cell says "Miễn phí", its note "Lệ phí cấp giấy phép
    lái xe: 135.000 đồng/lần" and the test fees (the fee line, and the overview's)."""
    messages, _ = await run(
        portal, tracker(text, intent, {"procedure_code": LICENCE} if text[0] == "/" else None,
                        slots={"procedure_code": LICENCE}), domain,
    )

    shown = str(messages[0][field])
    assert "135.000 đồng/lần" in shown
    assert "60.000 đồng/lần" in shown
    assert "Miễn phí" not in shown


@pytest.mark.parametrize(
    "text", ["bằng lái B2 cũ còn dùng được không", "bang lai b2 cu con dung dc ko"]
)
async def test_whether_an_old_licence_is_still_good_is_said_honestly(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str
) -> None:
    messages, events = await run(portal, tracker(text, "ask_procedure"), domain)

    assert [m["response"] for m in messages] in (
        ["utter_validity_not_in_records", "utter_offer_procedure"],
        ["utter_validity_not_in_records_no_hotline", "utter_offer_procedure"],
    )
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "Đổi giấy phép lái xe", "Cấp lại giấy phép lái xe", "Cấp giấy phép lái xe",
    ]
    assert "procedure_code" not in slots(events)  # no procedure card forced


async def test_a_licence_class_alone_offers_the_licence_procedures(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(portal, tracker("bằng lái B2", "ask_procedure"), domain)

    assert [m["response"] for m in messages] == ["utter_choose_procedure_menu"]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Đổi giấy phép lái xe", "Cấp lại giấy phép lái xe", "Cấp giấy phép lái xe",
    ]
    assert "procedure_code" not in slots(events)
