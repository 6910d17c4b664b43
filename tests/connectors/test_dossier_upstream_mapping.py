"""Reading a province's dossier answer through its file's mapping (pure: no server)."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.applications.sources.base import PlainOwner
from connectors.applications.sources.build import read_mapping
from connectors.applications.sources.mapping import (
    VIETNAM_TZ,
    DossierUpstreamFile,
    MappingError,
    UnknownStatus,
    is_not_found,
    parse_date,
    parse_dossier,
)
from tests.fakes.one_stop import EXAMPLE_FILE, SUPPLEMENT_CODE, supplement_dossier

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture(scope="module")
def mapping() -> DossierUpstreamFile:
    return read_mapping(EXAMPLE_FILE)


def body(**changes: Any) -> dict[str, Any]:
    """The fake's answer, with ``data__trangThai="X"`` changed (``...``: removed)."""
    answer: dict[str, Any] = {"maLoi": "0", "data": supplement_dossier(NOW)}
    for path, value in changes.items():
        target = answer
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is ...:
            target.pop(last)
        else:
            target[last] = value
    return answer


def test_the_shipped_example_reads_the_fakes_dossier(mapping: DossierUpstreamFile) -> None:
    record = parse_dossier(mapping, body(), SUPPLEMENT_CODE)

    assert record.status == "needs_supplement"
    assert record.received_at == datetime(2026, 11, 21, 9, 30, tzinfo=VIETNAM_TZ)
    assert record.owner == PlainOwner(id_number="079203009876", phone="0908765432")
    assert record.channel == "online"
    assert record.procedure_code == "1.001193.000.00.00.H56"  # named from the catalogue later
    assert [e.status for e in record.events] == ["received", "needs_supplement"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("23/11/2026 14:05:00", datetime(2026, 11, 23, 14, 5, tzinfo=VIETNAM_TZ)),
        ("23/11/2026 14:05", datetime(2026, 11, 23, 14, 5, tzinfo=VIETNAM_TZ)),
        ("23/11/2026", datetime(2026, 11, 23, 0, 0, tzinfo=VIETNAM_TZ)),
        ("2026-11-23T14:05:00", datetime(2026, 11, 23, 14, 5, tzinfo=VIETNAM_TZ)),  # naive: VN
        ("2026-11-23T07:05:00Z", datetime(2026, 11, 23, 14, 5, tzinfo=VIETNAM_TZ)),
        ("2026-11-23T14:05:00+07:00", datetime(2026, 11, 23, 14, 5, tzinfo=VIETNAM_TZ)),
    ],
)
def test_dates_in_the_files_formats(
    mapping: DossierUpstreamFile, raw: str, expected: datetime
) -> None:
    parsed = parse_date(mapping, raw)

    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_epoch_milliseconds_when_the_file_lists_them(mapping: DossierUpstreamFile) -> None:
    epoch = mapping.model_copy(
        update={"dates": mapping.dates.model_copy(update={"formats": ["epoch_ms"]})}
    )

    assert parse_date(epoch, 1_795_417_500_000) == datetime(2026, 11, 23, 14, 5, tzinfo=VIETNAM_TZ)


@pytest.mark.parametrize("raw", ["23-11-2026", "hôm qua", 20261123, None])
def test_a_date_in_no_listed_format_is_unreadable(mapping: DossierUpstreamFile, raw: Any) -> None:
    with pytest.raises(MappingError):
        parse_date(mapping, raw)


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"data__trangThai": "DA_CHUYEN_LIEN_THONG"}, UnknownStatus),
        ({"data__trangThai": ...}, MappingError),
        ({"data__quaTrinhXuLy": [{"trangThai": "LA", "thoiGian": "23/11/2026"}]}, UnknownStatus),
        ({"data__maHoSo": "000.00.30.H56-261120-0102"}, MappingError),  # another dossier
        ({"data__ngayTiepNhan": ...}, MappingError),
        ({"data__coQuanTiepNhan": ""}, MappingError),
        ({"data__maThuTuc": ..., "data__tenThuTuc": ...}, MappingError),
        ({"data": None}, MappingError),
        ({"data": []}, MappingError),
    ],
)
def test_what_does_not_fit_is_never_guessed(
    mapping: DossierUpstreamFile, changes: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        parse_dossier(mapping, body(**changes), SUPPLEMENT_CODE)


def test_the_code_is_compared_normalised(mapping: DossierUpstreamFile) -> None:
    record = parse_dossier(
        mapping, body(data__maHoSo="000.00.30.h56 - 261120 - 0101"), SUPPLEMENT_CODE
    )

    assert record.code == SUPPLEMENT_CODE


@pytest.mark.parametrize(
    "raw, status",
    [("DA_TIEP_NHAN", "received"), (" DANG_XU_LY ", "in_progress"), ("TRA_LAI", "returned")],
)
def test_statuses_map_as_the_file_says(mapping: DossierUpstreamFile, raw: str, status: str) -> None:
    assert parse_dossier(mapping, body(data__trangThai=raw), SUPPLEMENT_CODE).status == status


def test_numeric_status_codes_map_too(mapping: DossierUpstreamFile) -> None:
    data = mapping.model_dump()
    data["statuses"] = {**data["statuses"], 1: "received", 2: "in_progress"}
    numeric = DossierUpstreamFile.model_validate(data)

    assert parse_dossier(numeric, body(data__trangThai=2), SUPPLEMENT_CODE).status == "in_progress"


@pytest.mark.parametrize(
    "raw, channel", [("TRUC_TIEP", "in_person"), ("BUU_CHINH", "post"), ("KIOSK", "in_person")]
)
def test_channels_and_their_default(mapping: DossierUpstreamFile, raw: str, channel: str) -> None:
    assert parse_dossier(mapping, body(data__hinhThucNop=raw), SUPPLEMENT_CODE).channel == channel


@pytest.mark.parametrize(
    "answer, not_found",
    [
        ({"maLoi": "HS_KHONG_TON_TAI", "data": None}, True),
        ({"maLoi": "0", "data": {}}, False),
        ({"data": {}}, False),
    ],
)
def test_not_found_in_a_200_body(
    mapping: DossierUpstreamFile, answer: dict[str, Any], not_found: bool
) -> None:
    assert is_not_found(mapping, answer) is not_found


@pytest.mark.parametrize(
    "stored, owner",
    [
        (
            {"soGiayTo": "079 203 009 876", "soDienThoai": "0908.765.432"},
            ("079203009876", "0908765432"),
        ),
        ({"soGiayTo": None, "soDienThoai": "84908765432"}, (None, "0908765432")),
        (
            {"soGiayTo": "079203009876", "soDienThoai": "(0236) 3821 234"},
            ("079203009876", "02363821234"),
        ),
    ],
)
def test_owner_identifiers_are_normalised_as_citizens_type_them(
    mapping: DossierUpstreamFile, stored: dict[str, Any], owner: tuple[str | None, str | None]
) -> None:
    answer = body()
    answer["data"]["chuHoSo"].update(stored)

    record = parse_dossier(mapping, answer, SUPPLEMENT_CODE)

    assert record.owner == PlainOwner(*owner)


def test_a_post_request_shape_is_accepted(tmp_path: Path, mapping: DossierUpstreamFile) -> None:
    data = copy.deepcopy(mapping.model_dump())
    data["request"] = {"method": "POST", "path": "/tra-cuu", "body": {"maHoSo": "{code}"}}

    assert DossierUpstreamFile.model_validate(data).request.body == {"maHoSo": "{code}"}


@pytest.mark.parametrize(
    "section, value",
    [
        ("statuses", {"DA_TIEP_NHAN": "accepted"}),  # not one of our statuses
        ("statuses", {}),
        ("default_channel", "fax"),
        ("request", {"method": "DELETE", "path": "/x"}),
    ],
)
def test_a_file_with_a_wrong_value_is_refused(
    mapping: DossierUpstreamFile, section: str, value: Any
) -> None:
    data = mapping.model_dump()
    data[section] = value

    with pytest.raises(ValueError, match=section):
        DossierUpstreamFile.model_validate(data)
