"""A channel's single figure is the one in force on the day served: a dated reduction that holds
replaces the base figure (Cấp đổi thẻ căn cước: 25.000 đồng until 31/12/2026, 50.000 after)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.deps import current_time
from connectors.procedures.dated import amount_in_force, dated_figures

# as the curated records of connectors/seed/procedures write them
RENEWAL = "50.000 đồng/thẻ. Từ 01/7/2025 đến hết 31/12/2026: 25.000 đồng/thẻ, bằng 50%."
LICENCE_ONLINE = (
    "135.000 đồng/lần (mức giảm 115.000 đồng cho hồ sơ trực tuyến chỉ áp dụng đến hết 31/12/2025)"
)
# a dated share with no figure of its own: no single figure can be said
SHARE_ONLY = (
    "70.000 đồng/thẻ. Kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 mức thu lệ phí bằng 50% mức "
    "thu nêu trên."
)
OWN_RATE = (
    "800.000 đồng/hồ sơ (áp dụng mức phí 400.000 đồng/hồ sơ kể từ ngày 01/7/2025 đến hết ngày "
    "31/12/2026 theo Thông tư số 64/2025/TT-BTC)"
)
NOT_ABOUT_MONEY = "20.000 đồng. Từ ngày 01/7/2025 đến hết ngày 31/12/2026 nộp tại Công an cấp xã."

DURING, AFTER, BEFORE = date(2026, 11, 29), date(2027, 1, 1), date(2025, 6, 30)


@pytest.mark.parametrize(
    "text, amount, day, expected",
    [
        (RENEWAL, 50000, DURING, 25000),
        (RENEWAL, 50000, date(2026, 12, 31), 25000),  # the last day holds
        (RENEWAL, 50000, AFTER, 50000),
        (RENEWAL, 50000, BEFORE, 50000),
        (LICENCE_ONLINE, 135000, date(2025, 6, 1), 115000),
        (LICENCE_ONLINE, 135000, DURING, 135000),
        (SHARE_ONLY, 70000, DURING, None),
        (SHARE_ONLY, 70000, AFTER, 70000),
        (OWN_RATE, 800000, DURING, 400000),
        (OWN_RATE, 800000, AFTER, 800000),
        (NOT_ABOUT_MONEY, 20000, DURING, 20000),
        (RENEWAL, None, DURING, None),  # no single figure to begin with: none made up
    ],
)
def test_the_figure_in_force_is_the_dated_one_while_it_holds(
    text: str, amount: int | None, day: date, expected: int | None
) -> None:
    assert amount_in_force(text, amount, day) == expected


def test_dates_are_not_read_as_figures() -> None:
    """"01/7/2025 đến" is no "2025 đ"."""
    assert dated_figures(RENEWAL, DURING) == {25000}
    assert dated_figures(RENEWAL, AFTER) is None


@pytest.fixture(scope="module")
def catalogue(catalogue_client: TestClient) -> TestClient:
    return catalogue_client


@pytest.mark.parametrize(
    "code, now, amount",
    [
        ("1.014063", datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc), 25000),
        ("1.014063", datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc), 50000),  # 1/1/2027 VN
        ("1.014064", datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc), 35000),
        ("1.014064", datetime(2027, 1, 2, 2, 0, tzinfo=timezone.utc), 70000),
    ],
)
def test_the_id_card_channels_carry_the_fee_in_force(
    catalogue: TestClient, code: str, now: datetime, amount: int
) -> None:
    app = cast(FastAPI, catalogue.app)
    app.dependency_overrides[current_time] = lambda: now
    try:
        body = catalogue.get(f"/api/v1/procedures/{code}").json()
    finally:
        app.dependency_overrides.pop(current_time, None)

    assert {c["kind"]: c["fee_amount"] for c in body["channels"]} == {
        "in_person": amount, "online": amount,
    }
