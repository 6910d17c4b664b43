"""Which office, in whose commune: the record's place rule, the level it is settled at, and a demo
locality whose invented offices are never given a phone or the invented province's name."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import ValidationError

from connectors.locality.agencies import office_level, place_of, place_rules
from connectors.locality.service import Locality, Office
from connectors.settings import ROOT

BUILDING_PERMIT = "1.013225"
BUILDING_REPAIR = "1.013229"  # national record: no agency, only its level
ID_CARD_RENEWAL = "1.014063"
DEATH = "1.000656"
TEMPORARY_RESIDENCE = "1.004194"
HOUSEHOLD_BUSINESS = "1.001612"
PASSPORT = "1.001456"


@pytest.fixture(scope="module")
def client(catalogue_client: TestClient) -> TestClient:
    return catalogue_client


@pytest.mark.parametrize(
    "agency, name, place",
    [
        # the agency text states the place rule
        ("Công an cấp xã hoặc Bộ phận Một cửa cấp xã trong cả nước, không phụ thuộc nơi cư trú",
         "Cấp đổi thẻ căn cước", "anywhere"),
        ("Ủy ban nhân dân cấp xã nơi cư trú cuối cùng của người chết (nếu không xác định được thì"
         " nơi người đó chết)", "Đăng ký khai tử", "deceased_last_residence"),
        ("Công an cấp xã nơi dự kiến tạm trú", "Đăng ký tạm trú", "intended_stay"),
        ("Công an cấp xã nơi thường trú, tạm trú hoặc nơi ở hiện tại",
         "Xác nhận số chứng minh nhân dân", "any_residence"),
        ("Công an cấp xã nơi thường trú", "Tách hộ", "permanent_residence"),
        ("Uy ban nhan dan cap xa noi co dat", "Đăng ký đất đai lần đầu", "land_site"),
        # the agency says nothing of it: the name does (a building permit: where it is built)
        ("Ủy ban nhân dân cấp xã; nộp hồ sơ tại Trung tâm Phục vụ hành chính công cấp xã",
         "Cấp giấy phép xây dựng mới ... và nhà ở riêng lẻ", "construction_site"),
        (None, "Cấp giấy phép xây dựng sửa chữa, cải tạo", "construction_site"),
        # nothing said: no place (the office is named plainly, never "where you live")
        ("Công an cấp Xã", "Đăng ký thường trú", None),
        ("Ủy ban nhân dân cấp xã có thẩm quyền (nơi thường trú của người được nhận làm con nuôi)",
         "Đăng ký việc nuôi con nuôi trong nước", None),
        (None, None, None),
    ],
)
def test_the_place_rule_is_read_from_the_record(
    agency: str | None, name: str | None, place: str | None
) -> None:
    assert place_of(agency, name) == place


def test_every_place_has_its_words_in_the_domain() -> None:
    labels: set[str] = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        labels |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                      .get("responses") or {})
    missing = [r.place for r in place_rules() if f"utter_label_place_{r.place}" not in labels]
    assert missing == []


@pytest.mark.parametrize(
    "level, offices",
    [("Cấp xã", "xã"), ("Cấp xã, Cơ quan khác", "xã"), ("Cấp tỉnh", "tỉnh"),
     ("Cấp bộ, Cấp xã", None), ("Cấp tỉnh, Cấp xã", None), (None, None)],
)
def test_a_record_settled_at_one_level_is_served_by_offices_of_that_level(
    level: str | None, offices: str | None
) -> None:
    assert office_level(level) == offices


@pytest.mark.parametrize(
    "code, place, names, not_names",
    [
        (BUILDING_PERMIT, "construction_site", ["Bộ phận một cửa Ủy ban nhân dân phường/xã"], []),
        (BUILDING_REPAIR, "construction_site", ["Bộ phận một cửa Ủy ban nhân dân phường/xã"], []),
        (ID_CARD_RENEWAL, "anywhere", ["Công an phường/xã"], []),
        (TEMPORARY_RESIDENCE, "intended_stay", ["Công an phường/xã"], []),
        # a commune procedure "nộp tại Bộ phận một cửa hoặc Trung tâm Phục vụ hành chính công":
        # the commune's centre, never the province's
        (DEATH, "deceased_last_residence", ["Bộ phận một cửa Ủy ban nhân dân phường/xã"],
         ["Trung tâm Phục vụ hành chính công của tỉnh"]),
        (PASSPORT, None, ["Phòng Quản lý xuất nhập cảnh Công an tỉnh"], []),
    ],
)
def test_offices_come_with_the_records_place_rule(
    client: TestClient, code: str, place: str | None, names: list[str], not_names: list[str]
) -> None:
    response = client.get(f"/api/v1/procedures/{code}/offices")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["place"] == place
    shown = [o["name"] for o in body["offices"]]
    assert [n for n in names if n not in shown] == []
    assert [n for n in not_names if n in shown] == []


def test_no_demo_office_carries_a_place_rule_a_phone_or_the_invented_province() -> None:
    demo = Locality.model_validate(_demo())
    for office in demo.offices:
        if office.level == "xã":  # whose commune is the procedure's rule, added by the bot
            assert " nơi " not in f" {office.name} ", office.name
        assert demo.name not in office.name
        if office.placeholder:
            assert office.phone is None


def _demo() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "connectors" / "locality" / "demo.yml").read_text(encoding="utf-8"))
    return data


OFFICE = {"name": "Trung tâm Phục vụ hành chính công", "level": "tỉnh", "address": "Số 1",
          "hours": "7h30–17h00"}


def test_a_placeholder_office_cannot_be_given_a_phone() -> None:
    with pytest.raises(ValidationError, match="placeholder office has no phone"):
        Office.model_validate({**OFFICE, "placeholder": True, "phone": "18001096"})
    # a real office keeps its own phone
    assert Office.model_validate({**OFFICE, "phone": "02363822222"}).phone == "02363822222"


def test_a_demo_locality_cannot_name_its_offices_after_the_invented_province() -> None:
    data = _demo()
    data["offices"] = [*data["offices"], {**OFFICE, "name": f"Trung tâm của {data['name']}"}]
    with pytest.raises(ValidationError, match="demo offices named after"):
        Locality.model_validate(data)
    # a real locality names its offices after itself
    assert Locality.model_validate({**data, "demo": False}).offices[-1].name.endswith(data["name"])
