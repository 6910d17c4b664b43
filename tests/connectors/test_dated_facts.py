"""Dated facts expire: fee clauses whose period ended (or has not begun) are not served."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectors.catalogue.store import ChannelIn, ProcedureRecord, upsert_procedure
from connectors.deps import current_time
from connectors.procedures.dated import fee_in_force, in_force, periods, today_in_vietnam
from connectors.procedures.models import Procedure
from connectors.procedures.service import bump_catalogue_version

# verbatim from connectors/seed/national/catalogue.jsonl.gz (as the importer stores them)
ID_CARD = (  # 1.014064, cấp lại thẻ căn cước
    "70,000 Việt Nam Đồng (Cấp lại thẻ căn cước đối với các trường hợp quy định tại khoản 2 Điều "
    "24 Luật Căn cước: 70.000 đồng/thẻ căn cước. Kể từ ngày 01/01/2025 đến hết ngày 31/12/2025, "
    "mức thu lệ phí khi công dân nộp hồ sơ cấp đổi, cấp lại thẻ căn cước theo hình thức trực "
    "tuyển bằng 50% mức thu lệ phí quy định. - Kể từ ngày 01/7/2025 đến hết ngày 31/12/2026 mức "
    "thu lệ phí cấp đổi, cấp lại thẻ căn cước bằng 50% mức thu nêu trên theo quy định tại Thông "
    "tư số 64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính.)"
)
BASE = "Cấp lại thẻ căn cước đối với các trường hợp quy định tại khoản 2 Điều 24 Luật Căn cước"
ONLINE_2025 = "Kể từ ngày 01/01/2025 đến hết ngày 31/12/2025"
HALF_2026 = "Kể từ ngày 01/7/2025 đến hết ngày 31/12/2026"
DRIVING = (  # giấy phép lái xe
    "Miễn phí (Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần. - Trường hợp tổ chức, cá nhân nộp "
    "hồ sơ theo hình thức trực tuyến: Kể từ ngày 01/12/2023 đến hết ngày 31/12/2025, áp dụng "
    "mức thu lệ phí là 115.000 đồng/lần cấp.)"
)
STAMP = (  # 1.014899, tem AB
    "50,000 Việt Nam Đồng (50.000đ/tem “AB” (Thông tư số 25/2021/TT-BTC ngày 07/4/2021 của Bộ "
    "Tài chính). - 25.000đ/tem “AB” (áp dụng đến hết ngày 31/12/2026 theo Thông tư số "
    "64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính).)"
)
OWN_RATE = (
    "800,000 Việt Nam Đồng ((áp dụng mức phí 400.000 đồng/hồ sơ kể từ ngày 01/7/2025 đến hết "
    "ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC))"
)
EXEMPT = (
    "250,000 VNĐ (Thực hành 250.000đ/lần(Miễn kể từ ngày 07/4/2026 đến 30/6/2026 theo Thông tư "
    "40/2026/TT-BTC))"
)
PASS_2024 = (  # 1.001258: the only figure is the one that ended
    "40,000 Việt Nam Đồng (40.000đ/giấy thông hành (áp dụng đến hết ngày 31/12/2024 theo Thông "
    "tư số 43/2024/TT-BTC của Bộ Tài chính).)"
)

BEFORE, DURING_BOTH, DURING_2026, AFTER = (
    date(2024, 6, 1),
    date(2025, 8, 1),
    date(2026, 11, 29),
    date(2027, 1, 1),
)


@pytest.mark.parametrize(
    "text, day, kept, dropped",
    [
        (ID_CARD, BEFORE, [BASE], [ONLINE_2025, HALF_2026]),  # not begun
        (ID_CARD, DURING_BOTH, [BASE, ONLINE_2025, HALF_2026], []),
        (ID_CARD, date(2025, 12, 31), [BASE, ONLINE_2025, HALF_2026], []),  # last day holds
        (ID_CARD, DURING_2026, [BASE, HALF_2026], [ONLINE_2025]),
        (ID_CARD, date(2026, 12, 31), [BASE, HALF_2026], [ONLINE_2025]),
        (ID_CARD, AFTER, [BASE], [ONLINE_2025, HALF_2026]),
        (DRIVING, date(2025, 1, 1), ["135.000 đồng/lần", "115.000 đồng/lần cấp"], []),
        (DRIVING, DURING_2026, ["135.000 đồng/lần"], ["115.000 đồng/lần cấp"]),
        (STAMP, DURING_2026, ["50.000đ/tem", "25.000đ/tem"], []),
        (STAMP, AFTER, ["50.000đ/tem", "25/2021/TT-BTC"], ["25.000đ/tem"]),
        (OWN_RATE, DURING_2026, ["800,000", "400.000 đồng/hồ sơ"], []),
        (OWN_RATE, AFTER, ["800,000 Việt Nam Đồng"], ["400.000 đồng/hồ sơ"]),
        (OWN_RATE, BEFORE, ["800,000 Việt Nam Đồng"], ["400.000 đồng/hồ sơ"]),
        (EXEMPT, date(2026, 5, 1), ["250,000", "Miễn"], []),
        (EXEMPT, DURING_2026, ["250,000 VNĐ (Thực hành 250.000đ/lần)"], ["Miễn"]),
    ],
)
def test_fee_clauses_are_kept_while_they_hold(
    text: str, day: date, kept: list[str], dropped: list[str]
) -> None:
    served, changed = fee_in_force(text, day)

    assert served is not None
    for part in kept:
        assert part in served
    for part in dropped:
        assert part not in served
    assert changed == bool(dropped)


def test_a_fee_whose_only_figure_ended_is_not_served() -> None:
    assert fee_in_force(PASS_2024, date(2024, 12, 31)) == (PASS_2024, False)
    assert fee_in_force(PASS_2024, DURING_2026) == (None, True)


@pytest.mark.parametrize(
    "text",
    [
        "Lệ phí: 100.000 đồng/hồ sơ.",
        "50.000đ/tem “AB” (Thông tư số 25/2021/TT-BTC ngày 07/4/2021 của Bộ Tài chính).",
        "Cấp đổi giấy phép được cấp trước ngày 01/01/2026 và không quy định thời hạn.",
        "Trong thời hạn 15 ngày, kể từ ngày nhận được đủ hồ sơ hợp lệ.",
        "",
    ],
)
def test_a_text_without_a_period_is_unchanged(text: str) -> None:
    assert in_force(text, AFTER).text == text
    assert in_force(text, AFTER).dropped == ()


@pytest.mark.parametrize(
    "text",
    [
        "Giảm 50% kể từ ngày 31/02/2025 đến hết ngày 45/13/2025.",
        "Giảm 50% đến hết ngày 00/00/0000.",
        "Giảm 50% từ ngày 99 tháng 99 năm 2025 đến hết năm 99999.",
        "(((áp dụng đến hết ngày 31/12/2020",
        "áp dụng đến hết ngày 31/12/2020)))) - - ; .",
    ],
)
def test_malformed_dates_do_not_crash(text: str) -> None:
    served = in_force(text, AFTER)
    assert isinstance(served.text, str)
    if "2020" not in text:
        assert served.text == text  # a date that is no date: nothing dropped


@pytest.mark.parametrize(
    "text, start, end",
    [
        (
            "từ ngày 01 tháng 7 năm 2025 đến hết ngày 31 tháng 12 năm 2026",
            date(2025, 7, 1),
            date(2026, 12, 31),
        ),
        ("kể từ ngày 07/4/2026 đến 30/6/2026", date(2026, 4, 7), date(2026, 6, 30)),
        ("áp dụng đến hết năm 2025", None, date(2025, 12, 31)),
        ("a) Trước ngày 01 tháng 7 năm 2026:", None, date(2026, 6, 30)),
        ("áp dụng đến hết 31/12/2025", None, date(2025, 12, 31)),
    ],
)
def test_periods_in_the_catalogue_s_forms(text: str, start: date | None, end: date) -> None:
    (found,) = periods(text)
    assert (found.start, found.end) == (start, end)


def test_the_day_is_vietnam_s() -> None:
    assert today_in_vietnam(datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc)) == AFTER


@pytest.fixture
def id_card(session: Session) -> Iterator[str]:
    code = f"T.{uuid.uuid4().hex[:8]}"
    upsert_procedure(
        session,
        ProcedureRecord(
            code=code,
            name="Cấp lại thẻ căn cước (thử)",
            channels=[ChannelIn(kind="online", fee_text=ID_CARD)],
        ),
    )
    bump_catalogue_version(session)
    session.commit()
    yield code
    procedure = session.get(Procedure, code)
    if procedure is not None:
        session.delete(procedure)
        bump_catalogue_version(session)
        session.commit()


def _fee_on(client: TestClient, code: str, now: datetime) -> str:
    app = cast(FastAPI, client.app)
    app.dependency_overrides[current_time] = lambda: now
    try:
        response = client.get(f"/api/v1/procedures/{code}")
    finally:
        app.dependency_overrides.pop(current_time, None)
    assert response.status_code == 200
    fee: str = response.json()["channels"][0]["fee_text"]
    return fee


def test_the_id_card_reduction_disappears_after_31_12_2026(
    client: TestClient, session: Session, id_card: str
) -> None:
    during = _fee_on(client, id_card, datetime(2026, 12, 31, 16, 59, tzinfo=timezone.utc))
    after = _fee_on(client, id_card, datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc))
    again = _fee_on(client, id_card, datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc))

    assert HALF_2026 in during and ONLINE_2025 not in during
    assert HALF_2026 not in after and BASE in after  # 00:00 on 1/1/2027 in Vietnam
    assert again == during  # the cache keys on the day
    stored = session.get(Procedure, id_card)
    assert stored is not None
    session.refresh(stored.channels[0])
    assert stored.channels[0].fee_text == ID_CARD  # the record stays as imported


def test_passages_answer_from_the_clauses_in_force(client: TestClient, session: Session) -> None:
    code = f"T.{uuid.uuid4().hex[:8]}"
    upsert_procedure(
        session,
        ProcedureRecord(
            code=code,
            name="Thủ tục thử",
            fee_note=(
                "Lệ phí 70.000 đồng/thẻ. Từ 01/7/2025 đến hết 31/12/2026 thu bằng 50%, tức 35.000 "
                "đồng/thẻ khi nộp trực tuyến."
            ),
        ),
    )
    bump_catalogue_version(session)
    session.commit()
    app = cast(FastAPI, client.app)
    try:
        texts = {}
        for day in (
            datetime(2026, 11, 29, tzinfo=timezone.utc),
            datetime(2027, 1, 2, tzinfo=timezone.utc),
        ):
            app.dependency_overrides[current_time] = lambda day=day: day
            found = client.get(
                f"/api/v1/procedures/{code}/passages",
                params={"q": "nộp trực tuyến thu bằng 50% tức 35.000"},
            ).json()
            texts[day.year] = " ".join(p["text"] for p in found["passages"])
    finally:
        app.dependency_overrides.pop(current_time, None)
        procedure = session.get(Procedure, code)
        assert procedure is not None
        session.delete(procedure)
        bump_catalogue_version(session)
        session.commit()

    assert "35.000" in texts[2026]
    assert "35.000" not in texts[2027]


@pytest.mark.parametrize(
    ("now", "shown", "not_shown"),
    [
        (
            datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc),
            ["25.000 đồng/thẻ", "50.000 đồng/thẻ"],
            [],
        ),
        (datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc), ["50.000 đồng/thẻ"], ["25.000"]),
    ],
)
def test_the_curated_id_card_fee_keeps_its_base_after_the_reduction_ends(
    client: TestClient, now: datetime, shown: list[str], not_shown: list[str]
) -> None:
    """Cấp đổi thẻ căn cước (curated): 50% of 50.000 đồng until 31/12/2026, the full fee after."""
    fee = _fee_on(client, "1.014063", now)

    assert all(s in fee for s in shown), fee
    assert not any(s in fee for s in not_shown), fee
