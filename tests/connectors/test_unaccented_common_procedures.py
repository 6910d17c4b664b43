"""Unaccented and abbreviated phrasings of the procedures citizens ask about most (issue 9: "lam
giay khai tu" must find plain death registration, not a neighbour), over the whole national
catalogue. Aliases and everyday words are data: connectors/seed, lexicon/."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(catalogue_client: TestClient) -> TestClient:
    return catalogue_client


@pytest.mark.parametrize(
    "typed, code",
    [
        # khai tử
        ("dang ki khai tu", "1.000656"),
        ("dkkt", "1.000656"),
        ("lam giay chung tu", "1.000656"),
        ("lam giay khai tu", "1.000656"),
        ("lam khai tu cho ba", "1.000656"),
        # khai sinh
        ("dk khai sinh", "1.001193"),
        ("dkks", "1.001193"),
        ("lam giay khai sinh cho con", "1.001193"),
        # kết hôn
        ("dang ky ket hon", "1.000894"),
        ("dk ket hon can gi", "1.000894"),
        ("dkkh", "1.000894"),
        # thường trú
        ("dang ky thuong tru", "1.004222"),
        ("nhap khau cho vo", "1.004222"),
        # tạm trú
        ("dang ky tam tru cho nguoi thue tro", "1.004194"),
        ("dk tam tru", "1.004194"),
        # gia hạn tạm trú
        ("gia han tam tru", "1.002755"),
        # căn cước lần đầu
        ("lam can cuoc lan dau", "1.014061"),
        ("lam cccd", "1.014061"),
        # cấp lại căn cước
        ("cap lai can cuoc bi mat", "1.014064"),
        ("cap lai cccd", "1.014064"),
        # đổi căn cước
        ("doi cccd", "1.014063"),
        # căn cước dưới 14
        ("lam can cuoc cho be 10 tuoi", "1.014062"),
        # hộ chiếu
        ("lam ho chieu", "1.001456"),
        ("lam passport", "1.001456"),
        ("lam passport cho con", "1.001456"),
        # xác nhận tình trạng hôn nhân
        ("giay xac nhan doc than", "1.004873"),
        ("xin giay xac nhan tinh trang hon nhan", "1.004873"),
        # chứng thực bản sao
        ("chung thuc ban sao", "2.000815"),
        ("cong chung ban sao giay to", "2.000815"),
        # lý lịch tư pháp
        ("lam lltp", "3.000333"),
        ("lam phieu ly lich tu phap", "3.000333"),
        ("xin ly lich tu phap", "3.000333"),
        # trích lục / bản sao khai sinh
        ("trich luc khai sinh", "2.000635"),
        ("xin ban sao giay khai sinh", "2.000635"),
        # đăng ký xe
        ("dang ky xe may moi mua", "1.013067"),
        # sang tên xe
        ("sang ten xe", "1.013076"),
        # đổi bằng lái
        ("doi bang lai xe", "3.000347"),
        ("doi gplx", "3.000347"),
        # cấp lại bằng lái
        ("cap lai gplx", "3.000348"),
        # hộ kinh doanh
        ("dang ky hkd", "1.001612"),
        ("dang ky ho kinh doanh", "1.001612"),
        ("xin giay phep kinh doanh ho ca the", "1.001612"),
        # giấy phép xây dựng
        ("xin giay phep xay dung nha o", "1.013225"),
        ("xin gpxd", "1.013225"),
        # sổ đỏ lần đầu
        ("lam so do lan dau", "1.013978"),
        # tạm vắng
        ("bao tam vang", "1.003677"),
        ("khai bao tam vang", "1.003677"),
        # CT07
        ("xac nhan cu tru ct07", "1.010041"),
        ("xin giay xac nhan cu tru", "1.010041"),
        # tách hộ
        ("tach ho khau", "1.010038"),
        # cải chính hộ tịch
        ("cai chinh ho tich", "1.004859"),
        ("sua ten trong giay khai sinh", "1.004859"),
        # thẻ BHYT
        ("lam the bhyt", "1.001939"),
        # thai sản
        ("huong che do thai san", "2.000693"),
        # nhận cha mẹ con
        ("dang ky nhan cha con", "1.001022"),
        ("dang ky nhan con", "1.001022"),
        # giám hộ
        ("dang ky giam ho", "1.004837"),
        # con nuôi
        ("nhan con nuoi", "2.001263"),
        # công ty TNHH
        ("thanh lap cong ty tnhh mot thanh vien", "2.001583"),
        # xóa thường trú
        ("xoa thuong tru", "1.003197"),
    ],
)
def test_an_unaccented_or_abbreviated_phrasing_finds_the_procedure(
    client: TestClient, typed: str, code: str
) -> None:
    response = client.get("/api/v1/procedures/resolve", params={"q": typed})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["decision"], (body["procedure"] or {}).get("code")) == ("confident", code), body


@pytest.mark.parametrize(
    "typed, family",
    [
        # the paper of before: the card that replaced it is offered, never "no procedure fits"
        ("lam cmnd", "1.014061"),
        ("lam cmnd cho con 15 tuoi", "1.014061"),
    ],
)
def test_a_paper_no_longer_issued_leads_to_the_one_that_replaced_it(
    client: TestClient, typed: str, family: str
) -> None:
    body = client.get("/api/v1/procedures/resolve", params={"q": typed}).json()

    assert body["decision"] in ("confident", "weak"), body
    assert body["procedure"]["code"] == family
