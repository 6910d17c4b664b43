"""The national catalogue's flattened tables, parsed: literal strings shaped like the portal's."""

from __future__ import annotations

import pytest

from connectors.catalogue.national import (
    PROVINCIAL_FEE_NOTE,
    InvalidProcedure,
    clean_text,
    parse_channels,
    parse_documents,
    parse_fee,
    parse_legal_basis,
    parse_procedure,
    parse_result,
    parse_steps,
    short_name,
)

CH = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOC = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL = "Tên văn bản pháp lýMã văn bản"


# (kind, processing_time, time_unit, time_text, fee_text, fee_amount, note)
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            CH + "Trực tuyến1 NgàyMiễn phíDịch vụ bưu chính1 NgàyMiễn phí",
            [
                ("online", 1.0, "Ngày", None, "Miễn phí", 0, None),
                ("post", 1.0, "Ngày", None, "Miễn phí", 0, None),
            ],
        ),
        (  # a description after the fee, with a channel name inside it that starts no row
            CH + "Trực tiếp5 Ngày làm việcMiễn phí- Trực tiếp: tại Công an cấp xã."
            "Trực tuyến5 Ngày làm việcMiễn phí",
            [
                (
                    "in_person",
                    5.0,
                    "Ngày làm việc",
                    None,
                    "Miễn phí",
                    0,
                    "- Trực tiếp: tại Công an cấp xã.",
                ),
                ("online", 5.0, "Ngày làm việc", None, "Miễn phí", 0, None),
            ],
        ),
        (  # hours; an amount with its note in brackets
            CH + "Trực tiếp8 Giờ200,000 Việt Nam Đồng(200.000 đồng/lần)",
            [
                (
                    "in_person",
                    8.0,
                    "Giờ",
                    None,
                    "200,000 Việt Nam Đồng (200.000 đồng/lần)",
                    200000,
                    None,
                )
            ],
        ),
        (  # a bare number glued to the amount: 1 (day) and 20,000 VNĐ
            CH + "Trực tuyến120,000 VNĐ(Theo khoản 1 Điều 3 Thông tư số 172/2010/TT-BTC)",
            [
                (
                    "online",
                    1.0,
                    None,
                    None,
                    "20,000 VNĐ (Theo khoản 1 Điều 3 Thông tư số 172/2010/TT-BTC)",
                    20000,
                    None,
                )
            ],
        ),
        (  # a time that is text, and "Không có thông tin" cells
            CH + "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíQua Cổng DVC."
            "Trực tiếpKhông có thông tinKhông có thông tinKhông có thông tin",
            [
                (
                    "online",
                    None,
                    None,
                    "Không phải trả kết quả cho người nộp thuế",
                    "Miễn phí",
                    0,
                    "Qua Cổng DVC.",
                ),
                ("in_person", None, None, None, None, None, None),
            ],
        ),
        (  # months; a fee in USD is not a VND amount
            CH + "Dịch vụ bưu chính2 Tháng10 USD(/lần)",
            [("post", 2.0, "Tháng", None, "10 USD (/lần)", None, None)],
        ),
        ("Không có thông tin", []),
        ("", []),
    ],
)
def test_channels(text: str, expected: list[tuple[object, ...]]) -> None:
    channels, _ = parse_channels(text)

    assert [
        (c.kind, c.processing_time, c.time_unit, c.time_text, c.fee_text, c.fee_amount, c.note)
        for c in channels
    ] == expected


def test_channel_with_an_unclosed_fee_note_keeps_its_description_and_warns() -> None:
    channels, warnings = parse_channels(
        CH + "Trực tiếp30 Ngày làm việc10,000,000 VNĐ(đồng (Miễn phí kể từ ngày 07/4/2026 đến "
        "30/6/2026)30 ngày kể từ ngày nhận được hồ sơ hợp lệ"
    )

    assert channels[0].note == "30 ngày kể từ ngày nhận được hồ sơ hợp lệ"
    assert channels[0].fee_amount is None  # the note names a period without the fee
    assert [w.kind for w in warnings] == ["unclosed-fee-note"]


# (cell, note, context) -> (fee_text, fee_amount)
@pytest.mark.parametrize(
    "cell, note, context, text, amount",
    [
        ("Miễn phí", None, None, "Miễn phí", 0),
        ("Miễn phí", "Không", None, "Miễn phí", 0),
        ("Miễn phí", "Không quy định.", None, "Miễn phí", 0),
        ("Không có thông tin", None, None, None, None),
        ("200,000 Việt Nam Đồng", None, None, "200,000 Việt Nam Đồng", 200000),
        (
            "1.500.000 VNĐ",
            "1.500.000 đồng/hồ sơ",
            None,
            "1.500.000 VNĐ (1.500.000 đồng/hồ sơ)",
            1500000,
        ),
        # a note describing the fee behind a "Miễn phí" cell: no figure to give
        (
            "Miễn phí",
            "Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần.",
            None,
            "Miễn phí (Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần.)",
            None,
        ),
        # several fees in the description
        (
            "800,000 Việt Nam Đồng",
            None,
            "Phí: 800.000 đồng/hồ sơ. Lệ phí: 100.000 đồng/hồ sơ.",
            "800,000 Việt Nam Đồng",
            None,
        ),
        # a reduced rate for a while
        (
            "1,500,000 Việt Nam Đồng",
            "(Áp dụng mức phí: 750.000 đồng đến hết ngày 31/12/2026)",
            None,
            "1,500,000 Việt Nam Đồng ((Áp dụng mức phí: 750.000 đồng đến hết ngày 31/12/2026))",
            None,
        ),
        # the province sets it: say so, no figure, and no misleading "Miễn phí"
        (
            "Miễn phí",
            "Lệ phí : Đồng (- Mức lệ phí cụ thể do Hội đồng nhân dân cấp tỉnh quyết định",
            None,
            "Mức lệ phí cụ thể do Hội đồng nhân dân cấp tỉnh quyết định",
            None,
        ),
        (
            "50,000 VNĐ",
            "Theo Nghị quyết của HĐND tỉnh",
            None,
            "50,000 VNĐ (Theo Nghị quyết của HĐND tỉnh)",
            None,
        ),
        # printed in thousands: do not guess
        ("20 VNĐ", "20.000 vnđ /tờ khai", None, "20 VNĐ (20.000 vnđ /tờ khai)", None),
        ("10 USD", None, None, "10 USD", None),
    ],
)
def test_fees(
    cell: str, note: str | None, context: str | None, text: str | None, amount: int | None
) -> None:
    fee = parse_fee(cell, note, context=context)

    assert (fee.text, fee.amount) == (text, amount)


def test_provincial_fee_gives_the_procedure_a_fee_note() -> None:
    parsed = parse_procedure(
        {
            "ma_thu_tuc": "9.910001",
            "ten_thu_tuc": "Đăng ký hộ kinh doanh",
            "cach_thuc_thuc_hien": CH + "Trực tiếp3 Ngày làm việcMiễn phí(Theo quy định của "
            "Hội đồng nhân dân cấp tỉnh)",
        }
    )

    assert parsed.record.channels[0].fee_amount is None
    assert parsed.record.fee_note == PROVINCIAL_FEE_NOTE


# (group, name, quantity, copy_kind, form_name, note)
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "--" + DOC + "Tờ khai đăng ký khai sinh theo mẫuTK khai sinh.docx1 bản chính"
            "Giấy chứng sinh1 bản chính,1 bản sao"
            "Ảnh 4x62 bản chính"
            "Giấy tờ chứng minh nơi cư trú0 bản chính,1 bản sao",
            [
                ("nộp", "Tờ khai đăng ký khai sinh theo mẫu", 1, "bản chính", "TK khai sinh", None),
                (
                    "nộp",
                    "Giấy chứng sinh",
                    None,
                    "bản chính, bản sao",
                    None,
                    "1 bản chính, 1 bản sao",
                ),
                ("nộp", "Ảnh 4x6", 2, "bản chính", None, None),
                ("nộp", "Giấy tờ chứng minh nơi cư trú", 1, "bản sao", None, None),
            ],
        ),
        (  # the groups, from the section headings
            "* Giấy tờ phải nộp:" + DOC + "Tờ khai (Mẫu CT01)CT01.docx1 bản chính"
            "* Giấy tờ phải xuất trình:" + DOC + "Thẻ căn cước1 bản chính"
            "* Lưu ý:" + DOC + "Không yêu cầu nộp bản sao giấy tờ đã có trong CSDL.0 bản chính",
            [
                ("nộp", "Tờ khai (Mẫu CT01)", 1, "bản chính", "CT01", None),
                ("xuất trình", "Thẻ căn cước", 1, "bản chính", None, None),
                (
                    "lưu ý",
                    "Không yêu cầu nộp bản sao giấy tờ đã có trong CSDL.",
                    None,
                    None,
                    None,
                    None,
                ),
            ],
        ),
        (  # a heading naming a case becomes the note; bullets go; two form files
            "Trường hợp ủy quyền:" + DOC + "- Văn bản ủy quyền;Mẫu số 01.docxPhụ lục 2.pdf"
            "1 bản chính",
            [
                (
                    "nộp",
                    "Văn bản ủy quyền",
                    1,
                    "bản chính",
                    "Mẫu số 01; Phụ lục 2",
                    "Trường hợp ủy quyền",
                ),
            ],
        ),
        (  # copies named inside a name are part of it ("01 bản sao có chứng thực ...")
            "--" + DOC + "Giấy phép nhập khẩu: 01 bản chính1 bản chính"
            "01 bản sao có chứng thực Giấy chứng nhận đăng ký doanh nghiệp1 bản sao",
            [
                ("nộp", "Giấy phép nhập khẩu: 01 bản chính", 1, "bản chính", None, None),
                (
                    "nộp",
                    "01 bản sao có chứng thực Giấy chứng nhận đăng ký doanh nghiệp",
                    1,
                    "bản sao",
                    None,
                    None,
                ),
            ],
        ),
        (  # a name ending with digits runs into the quantity
            "--" + DOC + "Đơn theo Mẫu số 011 bản chính",
            [("nộp", "Đơn theo Mẫu số 01", 1, "bản chính", None, None)],
        ),
        ("--", []),
        ("Không có thông tin", []),
    ],
)
def test_documents(text: str, expected: list[tuple[object, ...]]) -> None:
    documents, _ = parse_documents(text)

    assert [
        (d.group, d.name, d.quantity, d.copy_kind, d.form_name, d.note) for d in documents
    ] == expected


def test_documents_field_that_is_not_a_table_is_reported() -> None:
    documents, warnings = parse_documents("); nộp hồ sơ cho cơ quan BHXH.\nBước 2. Nhận kết quả")

    assert documents == []
    assert [w.kind for w in warnings] == ["no-table-header"]


# (title, number)
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            LEGAL + "Luật Hộ tịch60/2014/QH13Nghị định 123/2015/NĐ-CP123/2015/NĐ-CP",
            [("Luật Hộ tịch", "60/2014/QH13"), ("Nghị định 123/2015/NĐ-CP", "123/2015/NĐ-CP")],
        ),
        (  # the next title glued to the issuer code, in all three shapes
            LEGAL + "Hướng dẫn về phí và lệ phí85/2019/TT-BTCquy định chi tiết Luật Thuế"
            "80/2021/TT-BTCLUẬT  HÀNG KHÔNG DÂN DỤNG VIỆT NAM66/2006/QH11Luật 51/2019/QH14"
            "51/2019/QH14",
            [
                ("Hướng dẫn về phí và lệ phí", "85/2019/TT-BTC"),
                ("quy định chi tiết Luật Thuế", "80/2021/TT-BTC"),
                ("LUẬT HÀNG KHÔNG DÂN DỤNG VIỆT NAM", "66/2006/QH11"),
                ("Luật 51/2019/QH14", "51/2019/QH14"),
            ],
        ),
        (  # a decimal number; a number quoted inside a title; a title ending with a year
            LEGAL + "Nghị quyết số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm thủ tục"
            "66.7/2025/NQ-CPLuật Căn cước 202326/2023/QH15",
            [
                (
                    "Nghị quyết số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm thủ tục",
                    "66.7/2025/NQ-CP",
                ),
                ("Luật Căn cước 2023", "26/2023/QH15"),
            ],
        ),
        (  # the number cell starting with the document type; a decision without a year
            LEGAL + "Luật sửa đổi 15 luật trong lĩnh vực nông nghiệpLuật số 146/2025/QH15"
            "Quyết định về bảo hiểm xã hội2222/QĐ-BHXH",
            [
                ("Luật sửa đổi 15 luật trong lĩnh vực nông nghiệp", "146/2025/QH15"),
                ("Quyết định về bảo hiểm xã hội", "2222/QĐ-BHXH"),
            ],
        ),
        ("Không có thông tin", []),
    ],
)
def test_legal_basis(text: str, expected: list[tuple[str, str | None]]) -> None:
    documents, _ = parse_legal_basis(text)

    assert [(d.title, d.number) for d in documents] == expected


def test_legal_basis_title_without_a_number_is_kept_and_reported() -> None:
    documents, warnings = parse_legal_basis(LEGAL + "Luật Hóa chất06/2007/QH12Luật Thú y 2015")

    assert [(d.title, d.number) for d in documents] == [
        ("Luật Hóa chất", "06/2007/QH12"),
        ("Luật Thú y 2015", None),
    ]
    assert [w.kind for w in warnings] == ["title-without-number"]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Bước 1: Nộp hồ sơ.\n\nBước 2: Kiểm tra hồ sơ.\n- Nếu thiếu thì hướng dẫn bổ sung.\n",
            ["Bước 1: Nộp hồ sơ.", "Bước 2: Kiểm tra hồ sơ.\n- Nếu thiếu thì hướng dẫn bổ sung."],
        ),
        ("- Nộp hồ sơ.\n\n+ Nhận kết quả.", ["- Nộp hồ sơ.", "+ Nhận kết quả."]),
        ("Không có thông tin", []),
    ],
)
def test_steps(text: str, expected: list[str]) -> None:
    assert parse_steps(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Quyết định giải quyết khiếu nạiMã: KQ.G01.00262Từ khóaKhông có thông tinMô tảKhông "
            "có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ ngành-- Chọn Bộ ngành --",
            "Quyết định giải quyết khiếu nại",
        ),
        (
            "Giấy phépMã: KQ.G19.000181Văn bản từ chốiMã: G19-KQ0060102Từ khóaKhông có thông tin",
            "Giấy phép; Văn bản từ chối",
        ),
        (  # a code cell holding a sentence is not a result
            "Mã số cơ sở chăn nuôi.Mã: Chưa xác địnhTừ khóaKhông có thông tin",
            "Mã số cơ sở chăn nuôi",
        ),
        ("", None),
    ],
)
def test_result(text: str, expected: str | None) -> None:
    assert parse_result(text)[0] == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)", "Cấp lại thẻ căn cước"),
        ("Cấp đổi thẻ căn cước (thực hiện tại cấp Trung ương)", "Cấp đổi thẻ căn cước"),
        ("Đăng ký hộ kinh doanh (cấp xã)", "Đăng ký hộ kinh doanh"),
        ("Thủ tục đăng ký khai sinh", "Đăng ký khai sinh"),
        ("Đăng ký khai sinh", None),
        ("Cấp giấy phép (trừ Lô 09.1)", None),
    ],
)
def test_short_name_drops_the_level_suffix(name: str, expected: str | None) -> None:
    assert short_name(name) == expected


@pytest.mark.parametrize("value", ["Không có thông tin", "", "  ", "--", None, 12])
def test_no_information_is_none(value: object) -> None:
    assert clean_text(value) is None


@pytest.mark.parametrize(
    "obj, reason",
    [
        ([1, 2], "not a JSON object"),
        ({"ten_thu_tuc": "X"}, "no ma_thu_tuc"),
        ({"ma_thu_tuc": "1.000001", "ten_thu_tuc": "Không có thông tin"}, "no ten_thu_tuc"),
    ],
)
def test_a_record_without_code_or_name_is_refused(obj: object, reason: str) -> None:
    with pytest.raises(InvalidProcedure, match=reason):
        parse_procedure(obj)


def test_a_procedure_keeps_its_official_name_and_is_national() -> None:
    record = parse_procedure(
        {
            "ma_thu_tuc": "1.000001",
            "ten_thu_tuc": "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)",
            "cap_thuc_hien": "Cấp tỉnh",
            "linh_vuc": "Căn cước",
        }
    ).record

    assert record.name == "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)"
    assert record.short_name == "Cấp lại thẻ căn cước"
    assert record.aliases == ["Cấp lại thẻ căn cước"]
    assert (record.source, record.popularity, record.level) == ("national", 0, "Cấp tỉnh")
