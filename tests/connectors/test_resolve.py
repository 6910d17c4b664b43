"""Which procedure a message means, over the whole national catalogue (GET /procedures/resolve).

Phrasings are the kind the issue reports citizens use; the search exams in benchmarks/ measure
the same thing at scale (`make bench-search`).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(catalogue_client: TestClient) -> TestClient:
    return catalogue_client


def resolve(client: TestClient, q: str, focus: str | None = None) -> Any:
    params = {"q": q, **({"focus": focus} if focus else {})}
    response = client.get("/api/v1/procedures/resolve", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "q, code",
    [
        # a detail of the message decides the member of the family
        ("em bi mat ho chieu o trong nuoc, phai lam gi a", "1.010386"),
        ("làm hộ chiếu lần đầu", "1.001456"),
        ("tìm lại được hộ chiếu đã báo mất, muốn dùng lại", "1.010384"),
        ("bé nhà mình 5 tuổi có cần làm căn cước ko", "1.014062"),
        ("thẻ căn cước bị gãy, đổi thẻ mới", "1.014063"),
        ("đánh rơi thẻ căn cước, xin cấp lại", "1.014064"),
        ("đăng ký khai sinh cho con, bố bé là người Hàn Quốc", "2.000528"),
        ("đăng ký khai sinh cho con mới sinh", "1.001193"),
        ("đăng ký kết hôn với người Trung Quốc", "2.000806"),
        ("mất cà vẹt xe máy, lên công an làm lại", "1.013082"),
        ("sang tên sổ đỏ cho con", "1.013831"),
        ("sang tên sổ đỏ do bố mất thì cần giấy tờ gì", "1.013831"),  # "bố mất": a death
        # everyday words for official names, and abbreviations
        ("nhập khẩu cho vợ về nhà chồng", "1.004222"),
        ("xin giấy xác nhận cư trú thay sổ hộ khẩu", "1.010041"),
        ("tách hộ khẩu ra riêng", "1.010038"),
        # the citizen's story around the name does not drown it
        ("nha co 3 the he, con trai lay vo muon tach ho rieng nhung van o chung nha thi dc ko",
         "1.010038"),
        ("báo tạm vắng đi làm xa", "1.003677"),
        ("dang ky ho kinh doanh", "1.001612"),
        # a driving licence named by its class alone
        ("bằng a1 bị mất", "3.000348"),
        # expired: tested again under Cấp giấy phép lái xe (the record of 3.000346)
        ("bằng B1 hết hạn đổi ở đâu", "3.000346"),
        ("bằng B1 sắp hết hạn đổi ở đâu", "3.000347"),
        ("tam ngung kinh doanh ho ca the", "1.001570"),
    ],
)
def test_the_message_means_this_procedure(client: TestClient, q: str, code: str) -> None:
    body = resolve(client, q)

    assert body["decision"] == "confident", body
    assert body["procedure"]["code"] == code


@pytest.mark.parametrize(
    "q",
    [
        "làm giấy phép lao động cho người nước ngoài",
        "xin chuyển trường cho con lên lớp 6",
        "cấp giấy phép hành nghề khám chữa bệnh cho bác sĩ",
        "đăng ký thi tốt nghiệp trung học phổ thông",
    ],
)
def test_no_fitting_procedure_is_said_not_guessed(client: TestClient, q: str) -> None:
    body = resolve(client, q)

    assert body["decision"] == "no_fit", body
    assert body["procedure"] is None


@pytest.mark.parametrize(
    "q, aspects",
    [
        ("phí và mất mấy ngày", ["fee", "time"]),
        ("khi nào có kết quả", ["time"]),
        ("nộp qua vneid được không", ["online"]),
        ("con toi 10 tuoi lam vneid muc 2 duoc ko", []),  # the account, not the way to submit
        ("cấp lại có mất tiền không, lấy ngay được không", ["fee", "time"]),
        ("nộp ở đâu, có làm online được không", ["office", "online"]),
        ("Thành phần hồ sơ đăng ký khai tử quy định như thế nào?", ["documents"]),
        # the whole procedure asked formally, then an aspect: both
        ("Thủ tục đăng ký khai tử được quy định như thế nào, thời hạn giải quyết bao lâu?",
         ["overview", "time"]),
        ("ai được nộp thay, có cần giấy ủy quyền không", ["requesters"]),
        # the paper signed, not someone submitting for the citizen
        ("chứng thực chữ ký trên giấy ủy quyền hết bao nhiêu", ["fee"]),
        ("chung thuc chu ky tren giay uy quyen thi bao nhieu", []),
        ("làm hộ chiếu mất bao lâu", ["time"]),  # "mất" here is time, not a loss
        # a time limit the citizen must keep is not how long the office takes
        ("tạm trú sắp hết hạn thì phải gia hạn trước bao lâu", ["deadline"]),
        ("mất hộ chiếu thì phải báo trong mấy ngày", ["deadline"]),
        ("han bao lau phai lam", ["deadline"]),
        # how long the paper lasts is not how long the office takes
        ("thời hạn tạm trú tối đa là bao lâu", ["validity"]),
        ("hộ chiếu có giá trị mấy năm", ["validity"]),
        ("ket qua nhan duoc giay gi", ["result"]),  # "giấy gì": the result, not another paper
        ("thứ 7 có làm không", ["hours"]),
        ("bộ phận một cửa làm việc giờ nào vậy", ["hours"]),
        ("có khách ở lại thì phải báo trước mấy giờ", ["deadline"]),
    ],
)
def test_every_aspect_asked_is_read(client: TestClient, q: str, aspects: list[str]) -> None:
    assert resolve(client, q)["aspects"] == aspects


@pytest.mark.parametrize(
    "q, focus",
    [
        # a word of a short follow-up matches elsewhere ("hạn" of "gia hạn", "đăng ký" of all)
        ("đi khai đúng hạn thì có mất phí không", "1.000656"),
        ("đăng ký được tối đa bao lâu", "1.004194"),
        # a detail that fits the focus itself ("mất" for the loss report in focus)
        ("phải báo trong bao lâu kể từ lúc phát hiện mất", "1.010386"),
        # where the citizen lives places the question; it is not residence registration
        ("lam o dau, co phai ve que noi thuong tru khong", "1.014061"),
        # an aspect in a few words that fit nothing else: the paper the citizen expects
        ("phí bao nhiêu, bao lâu có giấy phép", "2.001583"),
    ],
)
def test_a_follow_up_that_names_nothing_else_stays_on_the_focus(
    client: TestClient, q: str, focus: str
) -> None:
    body = resolve(client, q, focus)

    assert body["decision"] == "none", body
    assert body["procedure"] is None


@pytest.mark.parametrize(
    "q, focus, code",
    [
        ("nhập khẩu mất phí ko", "1.001193", "1.004222"),
        # "bản sao" fits the birth-certificate copy in focus, but a longer name is said whole
        ("chứng thực bản sao ở phường hết bao nhiêu tiền", "2.000635", "2.000815"),
        # "đổi" picks a member of the vehicle family in focus, but the licence is another family
        ("đổi bằng lái cần giấy tờ gì", "1.013076", "3.000347"),
    ],
)
def test_a_message_that_holds_another_name_leaves_the_focus(
    client: TestClient, q: str, focus: str, code: str
) -> None:
    body = resolve(client, q, focus)

    assert body["decision"] == "confident"
    assert body["procedure"]["code"] == code


def test_a_time_question_with_mat_is_not_a_lost_passport(client: TestClient) -> None:
    assert resolve(client, "làm hộ chiếu mất bao lâu")["procedure"]["code"] == "1.001456"


@pytest.mark.parametrize(
    "q, kind",
    [
        ("không đăng ký khai sinh đúng hạn bị phạt bao nhiêu", "penalty"),
        ("chính sách hỗ trợ người nghèo năm nay thế nào", "policy"),
        ("trường hợp của tôi có được tách thửa không", "personal_case"),
        ("tính giúp tôi đóng bhxh 22 năm thì lương hưu được bao nhiêu một tháng",
         "personal_case"),
    ],
)
def test_questions_no_procedure_answers_are_flagged(client: TestClient, q: str, kind: str) -> None:
    assert kind in resolve(client, q)["out_of_reach"]


def test_a_vague_request_offers_choices_with_distinct_titles(client: TestClient) -> None:
    body = resolve(client, "làm giấy tờ cho con")

    assert body["decision"] == "menu"
    titles = [c["title"] for c in body["candidates"]]
    assert len(titles) >= 3 and len(set(titles)) == len(titles)


@pytest.mark.parametrize("q", ["giấy phép kinh doanh", "chứng thực", "đất đai"])
def test_an_unsure_reading_offers_its_best_procedure_first(client: TestClient, q: str) -> None:
    body = resolve(client, q)

    assert body["decision"] == "weak"
    codes = [c["code"] for c in body["candidates"]]
    # the buttons start with the procedure the reading leans to (it was once dropped as a
    # "duplicate title" of itself)
    assert codes[0] == body["procedure"]["code"]
    assert len(set(codes)) == len(codes)


def test_twins_at_other_levels_are_one_answer(client: TestClient) -> None:
    body = resolve(client, "trình báo mất hộ chiếu phổ thông")
    codes = [body["procedure"]["code"], *(c["code"] for c in body["candidates"])]

    assert codes[0] == "1.010386"
    # 1.001445, 1.010385 and 2.000539 are the same procedure at other levels
    assert not {"1.001445", "1.010385", "2.000539"} & set(codes)


@pytest.mark.parametrize(
    "q, focus, code",
    [
        ("còn nếu bị mất thì sao", "1.001456", "1.010386"),  # a sibling of the focus
        ("phí bao nhiêu", "1.001456", None),  # nothing new: the caller keeps its focus
        ("còn nếu bố bé là người nước ngoài thì sao", "1.001193", "2.000528"),
        # another paper named: a new topic, never the focus's foreign-element sibling
        ("làm giấy phép lao động cho người nước ngoài", "1.001193", None),
        # "thì" folds to "thi" (an exam): no licence test is asked for
        ("bao lâu thì nhận", "3.000353", None),
        ("bao lau thi nhan duoc bang", "3.000353", None),
        ("thi bằng lái xe máy ở đâu", "3.000353", "3.000346"),
    ],
)
def test_the_focus_lends_its_family(
    client: TestClient, q: str, focus: str, code: str | None
) -> None:
    body = resolve(client, q, focus)

    assert (body["procedure"] or {}).get("code") == code


@pytest.mark.parametrize(
    "q, focus, decision",
    [
        # the paper it names is the focus's own: a follow-up, not a new topic
        ("bao lâu thì có giấy phép", "1.013229", "none"),
        ("bao lau thi co so moi", "1.012786", "none"),
        # another paper that fits no procedure stays a new topic
        ("giấy phép lao động thì phí bao nhiêu", "1.013229", "no_fit"),
    ],
)
def test_a_follow_up_about_the_focus_is_not_a_new_topic(
    client: TestClient, q: str, focus: str, decision: str
) -> None:
    assert resolve(client, q, focus)["decision"] == decision


@pytest.mark.parametrize(
    "q, focus, names_another",
    [
        ("co gui the ve nha qua buu dien dc ko", "1.014062", False),  # the ID card's own card
        ("co gui the ve nha qua buu dien dc ko", None, True),
        ("giấy phép lao động thì phí bao nhiêu", "1.013229", True),
    ],
)
def test_a_paper_is_another_topic_only_when_the_focus_is_not_about_it(
    client: TestClient, q: str, focus: str | None, names_another: bool
) -> None:
    assert resolve(client, q, focus)["names_a_paper"] is names_another


@pytest.mark.parametrize(
    "q",
    ["bằng B2 cũ còn dùng được không", "bang b2 cu con dung duoc ko",
     "bằng lái B2 cũ còn dùng được không", "bằng lái B2", "bang lai b2", "bằng B2"],
)
def test_an_old_licence_class_offers_the_licence_procedures(client: TestClient, q: str) -> None:
    """No procedure answers whether an old B2 licence is still valid, and nothing says which
    licence procedure is meant: the choices are the driving-licence ones, a licence held first
    (before: a passport line, then the licence-test card "Cấp giấy phép lái xe")."""
    body = resolve(client, q)

    assert body["decision"] == "menu", body
    assert body["procedure"] is None
    assert [c["code"] for c in body["candidates"]] == ["3.000347", "3.000348", "3.000346"]


@pytest.mark.parametrize(
    "q, aspects",
    [("bằng lái B2 cũ còn dùng được không", ["validity"]),
     ("bang lai b2 cu con dung dc ko", ["validity"]),
     ("căn cước cũ còn hạn không", ["validity"])],
)
def test_whether_a_paper_is_still_good_is_a_validity_question(
    client: TestClient, q: str, aspects: list[str]
) -> None:
    assert resolve(client, q)["aspects"] == aspects


@pytest.mark.parametrize(
    "q, focus, decision, code",
    [
        ("thi bằng lái B2", None, "confident", "3.000346"),  # a licence to get
        ("học bằng lái ô tô", None, "confident", "3.000346"),
        # expired: tested again under Cấp giấy phép lái xe (the record of 3.000346)
        ("bằng B2 hết hạn đổi ở đâu", None, "confident", "3.000346"),
        # a licence procedure in focus answers the vague follow-up
        ("bằng lái xe phí bao nhiêu", "3.000348", "none", None),
        # another topic in focus: the licence choices, not the focus's fee
        ("bằng lái xe phí bao nhiêu", "1.014063", "menu", None),
    ],
)
def test_a_licence_named_vaguely_asks_unless_a_detail_or_the_focus_says(
    client: TestClient, q: str, focus: str | None, decision: str, code: str | None
) -> None:
    body = resolve(client, q, focus)

    assert body["decision"] == decision, body
    assert (body["procedure"] or {}).get("code") == code
