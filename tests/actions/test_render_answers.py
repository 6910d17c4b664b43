"""How the record's facts are written: which documents are required, fees per channel, offices."""

from __future__ import annotations

from typing import Any

import pytest

from actions import render
from actions.clients.portal import Channel, Document, Office
from actions.phrases import Labels


@pytest.fixture
def labels(domain: dict[str, Any]) -> Labels:
    return Labels(domain)


@pytest.mark.parametrize(
    "name, note, conditional",
    [
        # a note that says when the paper may be replaced or left out: the paper stays required
        ("Bản sao một trong các giấy tờ hợp pháp về đất đai (sổ đỏ, sổ hồng)",
         "Nếu Giấy chứng nhận đã có trong Cơ sở dữ liệu quốc gia về đất đai thì được thay bằng "
         "dữ liệu khi cơ sở dữ liệu vận hành.", False),
        ("Giấy tờ chứng minh chỗ ở hợp pháp",
         "Trường hợp cơ quan khai thác được trên cơ sở dữ liệu thì không phải nộp.", False),
        ("Giấy tờ chứng minh chỗ ở hợp pháp",
         "Không phải nộp nếu cơ quan khai thác được trên cơ sở dữ liệu.", False),
        ("Đơn đề nghị cấp giấy phép xây dựng", None, False),
        # a note that says when the paper is needed at all
        ("Văn bản ủy quyền", "Chỉ khi ủy quyền.", True),
        ("Mảnh trích đo bản đồ địa chính thửa đất", "Nếu có.", True),
        ("Văn bản ủy quyền", "Trường hợp ủy quyền thì nộp thêm bản chính.", True),
        ("Bản cam kết bảo đảm an toàn (nếu có công trình liền kề)", None, True),
    ],
)
def test_a_document_is_conditional_only_when_the_record_makes_it_so(
    name: str, note: str | None, conditional: bool
) -> None:
    assert render.is_conditional(Document(name=name, note=note)) is conditional


def _channel(kind: str, fee: str | None = None, time: str | None = None) -> Channel:
    return Channel(kind=kind, fee_text=fee, time_text=time)


@pytest.mark.parametrize(
    "channels, short",
    [
        # each channel named, in the record's order, each figure once, in Vietnamese form
        ([_channel("in_person", "20000 VNĐ/lần đăng ký"),
          _channel("online", "10,000 Việt Nam Đồng/lần đăng ký")],
         "Trực tiếp: 20.000 đồng/lần đăng ký; trực tuyến: 10.000 đồng/lần đăng ký"),
        ([_channel("in_person", "10.000 đồng/người/lần khi đăng ký theo danh sách"),
          _channel("online", "7.000 đồng/lần đăng ký"), _channel("post", "7.000 đồng/lần đăng ký")],
         "Trực tiếp: 10.000 đồng/người/lần khi đăng ký theo danh sách; "
         "trực tuyến, qua bưu chính: 7.000 đồng/lần đăng ký"),
        # the same figure every way: said once, no channel needed
        ([_channel("in_person", "50.000 đồng/thẻ"), _channel("online", "50.000 đồng/thẻ")],
         "50.000 đồng/thẻ"),
        ([_channel("in_person"), _channel("online")], "chưa có thông tin"),
    ],
)
def test_the_overview_fee_names_each_channel(
    labels: Labels, channels: list[Channel], short: str
) -> None:
    assert render.fee_short(channels, labels).startswith(short)


def test_the_overview_time_names_each_channel_when_they_differ(labels: Labels) -> None:
    channels = [_channel("in_person", time="15 ngày"), _channel("online", time="20 ngày")]

    assert render.time_short(channels, labels) == "Trực tiếp: 15 ngày; trực tuyến: 20 ngày"


COMMUNE = Office(name="Bộ phận một cửa Ủy ban nhân dân phường/xã", level="xã",
                 address="Trụ sở Ủy ban nhân dân phường/xã", hours="7h30–17h00")
INVENTED = Office(name="Trung tâm Phục vụ hành chính công của tỉnh", level="tỉnh",
                  address="Số 1 đường Mẫu", placeholder=True, hours="7h30–17h00",
                  phone="18001096")
REAL = Office(name="Trung tâm Phục vụ hành chính công", level="tỉnh", address="Số 2 đường Thật",
              hours="7h30–17h00", phone="02363822222")


@pytest.mark.parametrize(
    "place, says, never",
    [
        ("construction_site", ["phường/xã nơi có công trình xây dựng: Trụ sở"], ["cư trú"]),
        ("deceased_last_residence", ["phường/xã nơi người mất cư trú cuối cùng: Trụ sở"], []),
        ("anywhere", ["phường/xã bất kỳ trong cả nước (không phụ thuộc nơi cư trú)"], []),
        # no rule, or one the domain does not word: the office named plainly, never the key
        (None, ["• Bộ phận một cửa Ủy ban nhân dân phường/xã: Trụ sở"], ["nơi"]),
        ("somewhere_new", ["• Bộ phận một cửa Ủy ban nhân dân phường/xã: Trụ sở"],
         ["somewhere_new", "place_"]),
    ],
)
def test_a_local_office_is_named_with_the_procedures_place_rule(
    labels: Labels, place: str | None, says: list[str], never: list[str]
) -> None:
    text = render.offices_block([COMMUNE, REAL], labels, place)

    assert [s for s in says if s not in text] == []
    assert [n for n in never if n in text] == []
    # the province's office serves the whole province: no commune rule on it
    assert "• Trung tâm Phục vụ hành chính công: Số 2 đường Thật" in text


def test_an_invented_office_shows_no_address_and_no_phone(labels: Labels) -> None:
    text = render.offices_block([INVENTED, REAL], labels)

    assert "Số 1 đường Mẫu" not in text and "18001096" not in text
    # a real office keeps its address and its own phone
    assert "Số 2 đường Thật" in text and "Điện thoại: 02363822222" in text
