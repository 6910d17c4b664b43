"""ActionAnswerProcedure: which procedure, which aspect, and what the citizen is told."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient
from actions.procedures import ActionAnswerProcedure
from tests.actions.conftest import TrackerFactory

pytestmark = pytest.mark.anyio

BIRTH = "1.001193"


async def run(
    portal: PortalClient, tracker: Any, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerProcedure(portal).run(dispatcher, tracker, domain)
    return dispatcher.messages, events


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    "text, intent, entities, response",
    [
        (
            "đăng ký khai sinh cần giấy tờ gì",
            "ask_documents",
            {"procedure": "đăng ký khai sinh"},
            "utter_procedure_documents",
        ),
        ("dang ky khai sinh can giay to gi", "ask_documents", {}, "utter_procedure_documents"),
        ("đkks phí bao nhiêu", "ask_fee", {"procedure": "đkks"}, "utter_procedure_fee"),
        (
            "đăng ký khai sinh mất mấy ngày",
            "ask_processing_time",
            {"procedure": "đăng ký khai sinh"},
            "utter_procedure_time",
        ),
        ("đkks nộp ở đâu", "ask_office", {"procedure": "đkks"}, "utter_procedure_office"),
        (
            "làm giấy khai sinh online được không",
            "ask_online",
            {"procedure": "làm giấy khai sinh"},
            "utter_procedure_online_yes",
        ),
        (
            "thủ tục đăng ký khai sinh",
            "ask_procedure",
            {"procedure": "đăng ký khai sinh"},
            "utter_procedure_overview",
        ),
    ],
)
async def test_answers_the_aspect_asked_for_the_procedure_named(
    portal: PortalClient,
    tracker: TrackerFactory,
    domain: dict[str, Any],
    text: str,
    intent: str,
    entities: dict[str, str],
    response: str,
) -> None:
    messages, events = await run(portal, tracker(text, intent, entities), domain)

    assert messages[0]["response"] == response
    assert slots(events)["procedure_code"] == BIRTH


async def test_documents_come_from_the_catalogue(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(
        portal,
        tracker("đăng ký khai sinh cần gì", "ask_documents", {"procedure": "đăng ký khai sinh"}),
        domain,
    )

    assert "Giấy chứng sinh" in messages[0]["documents"]
    assert messages[1]["response"] == "utter_procedure_present_documents"


async def test_follow_up_uses_the_procedure_in_focus(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(
        portal, tracker("phí bao nhiêu?", "ask_fee", slots={"procedure_code": BIRTH}), domain
    )

    assert messages[0]["response"] == "utter_procedure_fee"
    assert "Miễn phí" in messages[0]["fees"]
    assert slots(events)["procedure_code"] == BIRTH


async def test_follow_up_without_focus_asks_which_procedure(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(portal, tracker("/ask_fee", "ask_fee"), domain)

    assert [m["response"] for m in messages] == ["utter_ask_which_procedure"]
    assert "procedure_code" not in slots(events)


async def test_a_button_payload_picks_the_procedure_by_code(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(
        portal, tracker("/ask_documents", "ask_documents", {"procedure_code": BIRTH}), domain
    )

    assert messages[0]["response"] == "utter_procedure_documents"
    assert slots(events)["procedure_name"] == "Đăng ký khai sinh"


async def test_unknown_code_is_a_polite_not_found(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, events = await run(
        portal, tracker("/ask_fee", "ask_fee", {"procedure_code": "9.999999"}), domain
    )

    assert messages[0]["response"] == "utter_procedure_not_found"
    assert slots(events)["procedure_code"] is None


async def test_connectors_down_gives_an_apology_not_an_error(
    portal_down: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(
        portal_down, tracker("khai sinh", "ask_documents", {"procedure": "khai sinh"}), domain
    )

    # no hotline known: the connectors never answered and none is configured
    assert [m["response"] for m in messages] == ["utter_portal_unavailable_no_hotline"]


async def test_a_message_without_a_procedure_name_asks_which_one(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    messages, _ = await run(portal, tracker("lệ phí bao nhiêu?", "ask_fee"), domain)

    assert [m["response"] for m in messages] == ["utter_ask_which_procedure"]


async def test_a_slow_portal_still_gets_an_apology_within_three_seconds(
    portal_slow: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    started = time.monotonic()
    messages, _ = await run(
        portal_slow, tracker("hộ chiếu", "ask_documents", {"procedure": "hộ chiếu"}), domain
    )

    assert time.monotonic() - started < 3.0
    # no hotline known: the connectors never answered and none is configured
    assert [m["response"] for m in messages] == ["utter_portal_unavailable_no_hotline"]


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m["response"] for m in messages]


@pytest.mark.parametrize(
    "text, intent, focus, code",
    [
        # the detail decides the member of the family
        ("em bi mat ho chieu o trong nuoc, phai lam gi a", "ask_procedure", None, "1.010386"),
        ("bé nhà mình 5 tuổi có cần làm căn cước ko", "ask_procedure", None, "1.014062"),
        ("làm căn cước lần đầu cho người 20 tuổi", "ask_procedure", None, "1.014061"),
        ("mất thẻ căn cước thì làm lại thế nào", "ask_procedure", None, "1.014064"),
        ("đăng ký khai sinh cho con, bố bé là người Hàn Quốc", "ask_procedure", None, "2.000528"),
        ("đăng ký khai sinh cho con", "ask_procedure", None, "1.001193"),
        # a message that names a procedure switches the focus, follow-ups included
        ("quay lại hộ chiếu, phí bao nhiêu", "ask_fee", "1.000894", "1.001456"),
        ("còn đăng ký thường trú cho bé thì phí bao nhiêu", "ask_fee", "1.001193", "1.004222"),
        ("nhập khẩu mất phí ko", "ask_fee", None, "1.004222"),
        # a follow-up keeps it
        ("thế còn nộp ở đâu", "ask_office", "1.000894", "1.000894"),
    ],
)
async def test_the_procedure_is_the_one_the_message_means(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any],
    text: str, intent: str, focus: str | None, code: str,
) -> None:
    t = tracker(text, intent, slots={"procedure_code": focus} if focus else {})

    _, events = await run(portal, t, domain)

    assert slots(events)["procedure_code"] == code


async def test_two_questions_in_one_message_get_two_answers(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("phí và mất mấy ngày", "ask_fee", slots={"procedure_code": BIRTH})

    messages, _ = await run(portal, t, domain)

    assert [r for r in responses(messages) if r != "utter_procedure_fee_note"] == [
        "utter_procedure_fee", "utter_procedure_time",
    ]


async def test_no_fitting_procedure_is_said_honestly(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("làm giấy phép lao động cho người nước ngoài", "ask_procedure")

    messages, events = await run(portal, t, domain)

    assert responses(messages) == ["utter_not_covered"]
    assert "procedure_code" not in slots(events)


async def test_a_penalty_question_is_not_answered_with_a_procedure_card(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("không đăng ký khai sinh đúng hạn thì bị phạt bao nhiêu", "ask_fee")

    messages, events = await run(portal, t, domain)

    assert responses(messages)[0] == "utter_cannot_answer"
    assert "utter_procedure_fee" not in responses(messages)
    assert "procedure_code" not in slots(events)


async def test_asking_which_twice_offers_choices_and_a_person(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    asked = {"event": "bot", "metadata": {"utter_action": "utter_ask_which_procedure"}}
    t = tracker("phí bao nhiêu", "ask_fee", events=[asked])

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_ask_which_procedure_again"]
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "Gặp cán bộ" in titles and len(set(titles)) == len(titles)


@pytest.mark.parametrize(
    "code, kind",
    [
        ("1.014061", "Công an phường/xã"),  # ID card: the police
        ("1.001456", "Phòng Quản lý xuất nhập cảnh"),  # passport: immigration
        ("1.000656", "Ủy ban nhân dân phường/xã"),  # death registration: the commune
    ],
)
async def test_the_office_is_the_one_of_the_procedures_agency(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], code: str, kind: str
) -> None:
    t = tracker("/ask_office", "ask_office", {"procedure_code": code})

    messages, _ = await run(portal, t, domain)

    office = next(m for m in messages if m["response"].startswith("utter_procedure_office"))
    assert kind in office["offices"]
    assert "(địa chỉ mẫu)" not in office["offices"]


async def test_a_record_without_an_agency_is_placed_by_its_level(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    # 1.013229 (building permit for repairs) names no agency; its level is "Cấp xã, Cơ quan khác"
    t = tracker("/ask_office", "ask_office", {"procedure_code": "1.013229"})

    messages, _ = await run(portal, t, domain)

    assert messages[0]["response"] == "utter_procedure_office"
    assert messages[0]["agency"].startswith("cơ quan cấp xã")
    assert "Ủy ban nhân dân phường/xã" in messages[0]["offices"]


@pytest.mark.parametrize(
    "text, code, expected",
    [
        # the time limits the record sets for the citizen, not the office's processing time
        ("phải báo trong mấy ngày", "1.010386", "Phải báo trong 02 ngày làm việc"),
        ("gia hạn trước bao lâu", "1.002755", "trong thời hạn 15 ngày trước ngày hết hạn"),
    ],
)
async def test_a_deadline_question_gets_the_records_time_limit(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str, code: str,
    expected: str,
) -> None:
    t = tracker(text, "ask_processing_time", slots={"procedure_code": code})

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_procedure_deadline"]
    assert expected in messages[0]["deadlines"]


@pytest.mark.parametrize(
    "text, intent, code, says",
    [
        # no aspect, but a sentence of the record answers it
        ("hai vợ chồng phải cùng đến à", "ask_procedure", "2.000806", "Hai bên phải có mặt"),
        ("hai vợ chồng phải cùng đến à", "ask_procedure", "1.000894", "cả hai bên phải có mặt"),
        # how long a paper is valid: the records have no field for it, a sentence may say it
        ("giay kham suc khoe do co gia tri bao lau", "ask_processing_time", "2.000806",
         "chỉ có giá trị 06 tháng"),
        ("thời hạn tạm trú tối đa là bao lâu", "ask_processing_time", "1.004194",
         "tối đa là 02 năm"),
        # the certificate issued before is a document of the record, with its condition
        ("trước đây có xin một lần rồi mà giấy hết hạn thì sao", "ask_procedure", "1.004873",
         "đã được cấp trước đó"),
        # a paper of the record in focus, not another topic
        ("giấy xác nhận y tế có giá trị bao lâu", "ask_processing_time", "2.000806",
         "giá trị 06 tháng"),
    ],
)
async def test_a_question_beyond_the_fields_is_answered_from_the_records_sentences(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str,
    intent: str, code: str, says: str,
) -> None:
    t = tracker(text, intent, slots={"procedure_code": code})

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_procedure_passages"]
    assert says in messages[0]["passages"]


@pytest.mark.parametrize(
    "text",
    [
        "gui qua email hay goi dien thoai duoc khong",
    ],
)
async def test_a_follow_up_the_record_does_not_answer_is_not_called_a_missing_procedure(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str
) -> None:
    t = tracker(text, "ask_procedure", slots={"procedure_code": "1.004873"})

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_focus_does_not_say"]
    assert messages[0]["procedure_name"] == "Cấp Giấy xác nhận tình trạng hôn nhân"


async def test_a_yes_no_question_naming_a_procedure_gets_its_card_and_the_records_answer(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("con tôi vừa đủ 14 tuổi, làm căn cước lần đầu có phải đưa cháu đi trực tiếp không",
                "ask_procedure")

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_procedure_overview", "utter_procedure_passages"]
    assert "Công dân phải trực tiếp đến" in messages[1]["passages"]


@pytest.mark.parametrize(
    "text, focus, code",
    [
        # who may submit the procedure in focus, not notarisation or parent-child recognition
        ("bà là bà nội ruột thì có cần giấy ủy quyền công chứng không ạ", "1.001193", "1.001193"),
        ("cha me lam cho con thi co can giay uy quyen ko", "3.000333", "3.000333"),
        # a procedure named outright is still another topic
        ("làm hộ chiếu cho con có nhờ người khác nộp được không", "1.001193", "1.001456"),
    ],
)
async def test_who_may_submit_is_asked_of_the_procedure_in_focus(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str, focus: str,
    code: str,
) -> None:
    t = tracker(text, "ask_procedure", slots={"procedure_code": focus})

    _, events = await run(portal, t, domain)

    assert slots(events)["procedure_code"] == code


@pytest.mark.parametrize(
    "text, focus, expected",
    [
        # a paper the re-issued ID card does not need, whatever procedure its name matches
        ("co can mang giay khai sinh ko", "1.014064", "utter_procedure_paper_not_listed"),
        # the record says a marriage needs no proof of single status
        ("có cần nộp giấy xác nhận độc thân không", "1.000894",
         "utter_procedure_paper_not_listed"),
        ("có cần mang giấy chứng sinh không", "1.001193", "utter_procedure_paper_listed"),
    ],
)
async def test_is_this_paper_needed_is_read_in_the_documents_of_the_focus(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str, focus: str,
    expected: str,
) -> None:
    t = tracker(text, "ask_documents", slots={"procedure_code": focus})

    messages, events = await run(portal, t, domain)

    assert responses(messages) == [expected]
    assert slots(events)["procedure_code"] == focus


async def test_a_permit_to_apply_for_is_a_procedure_of_its_own(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("Có sổ rồi thì tôi xây nhà 3 tầng có cần xin giấy phép xây dựng không",
                "ask_procedure", slots={"procedure_code": "1.012785"})

    messages, _ = await run(portal, t, domain)

    assert "utter_procedure_paper_not_listed" not in responses(messages)


async def test_an_aspect_asked_after_choices_offers_the_same_choices_again(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    offered = {"event": "bot", "text": "Anh/chị chọn giúp em thủ tục đúng ạ:", "data": {
        "buttons": [{"title": "Nhận cha, mẹ, con",
                     "payload": '/ask_procedure{"procedure_code": "1.001022"}'},
                    {"title": "Khai sinh kết hợp nhận cha, mẹ, con",
                     "payload": '/ask_procedure{"procedure_code": "1.000689"}'}]}}
    t = tracker("mat bao lau, phi bao nhieu", "ask_processing_time", events=[offered])

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_choose_procedure"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/ask_fee{"procedure_code": "1.001022"}', '/ask_fee{"procedure_code": "1.000689"}']


async def test_opening_hours_without_a_procedure_come_from_the_locality(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("bộ phận một cửa làm việc giờ nào vậy", "ask_office")

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_locality_hours"]
    # the office the question names, not the whole list
    assert messages[0]["hours"].startswith(
        "• Bộ phận một cửa Ủy ban nhân dân phường/xã: Thứ Hai đến Thứ Sáu")
    assert "Công an" not in messages[0]["hours"]


async def test_opening_hours_with_a_procedure_are_its_offices(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("thứ 7 công an phường có làm việc không", "ask_office",
                slots={"procedure_code": "1.014061"})

    messages, _ = await run(portal, t, domain)

    assert responses(messages)[0] == "utter_procedure_office"
    assert "một số nơi làm cả sáng Thứ Bảy" in messages[0]["offices"]


async def test_the_overview_names_the_main_documents(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("bị mất hộ chiếu thì phải làm gì", "ask_procedure")

    messages, _ = await run(portal, t, domain)

    assert messages[0]["response"] == "utter_procedure_overview"
    assert messages[0]["main_documents"].startswith(
        "Đơn trình báo mất hộ chiếu phổ thông (mẫu TK05)")


async def test_an_invented_address_is_never_shown_as_real(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("/ask_office", "ask_office", {"procedure_code": "1.001456"})

    messages, _ = await run(portal, t, domain)

    assert "Số 5 đường Mẫu" not in messages[0]["offices"]
    assert responses(messages)[-1] == "utter_procedure_office_ask_address"


async def test_required_documents_come_first_and_conditions_are_kept(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("/ask_documents", "ask_documents", {"procedure_code": BIRTH, "detail": "all"})

    messages, _ = await run(portal, t, domain)

    documents = messages[0]["documents"]
    # the birth certificate is required ("nếu không có thì..." names an alternative)
    assert documents.index("Giấy chứng sinh") < documents.index("Chỉ cần trong một số trường hợp")
    assert documents.index("Chỉ cần trong một số trường hợp") < documents.index("Văn bản ủy quyền")
    assert "Chỉ khi ủy quyền" in documents


async def test_what_to_supplement_comes_from_the_dossier_looked_up(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("vậy em cần bổ sung cái gì", "ask_documents",
                slots={"procedure_code": BIRTH, "dossier_supplement": "Bản chính Giấy chứng sinh"})

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_status_supplement_again"]


@pytest.mark.parametrize(
    "text, intent, status, expected",
    [
        # a result to collect: what to bring is the appointment slip, not the application's papers
        ("can mang theo gi", "ask_documents", "done", "utter_status_pickup_again"),
        # a returned dossier: a new one, corrected
        ("vay gio phai nop ho so moi a", "ask_procedure", "returned",
         "utter_status_returned_again"),
        # the same words about a dossier still in progress: the procedure's documents
        ("can mang theo gi", "ask_documents", "in_progress", "utter_procedure_documents"),
    ],
)
async def test_questions_after_a_look_up_are_about_that_dossier(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any], text: str,
    intent: str, status: str, expected: str,
) -> None:
    t = tracker(text, intent, slots={
        "procedure_code": BIRTH, "dossier_procedure": BIRTH, "dossier_status": status,
        "dossier_agency": "UBND phường Trung Tâm", "dossier_note": "Thiếu giấy chứng sinh",
    })

    messages, _ = await run(portal, t, domain)

    assert responses(messages)[0] == expected


async def test_asking_who_may_act_for_you_shows_the_power_of_attorney_paper(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    t = tracker("anh trai e di lam thu tuc thay thi co can giay uy quyen ko", "ask_procedure",
                slots={"procedure_code": "1.000656"})  # death registration

    messages, _ = await run(portal, t, domain)

    assert responses(messages) == ["utter_procedure_requesters", "utter_procedure_proxy"]
    assert "anh, chị, em ruột thì không cần chứng thực" in messages[1]["documents"]


@pytest.mark.parametrize(
    "text, intent, code, verdict",
    [
        # Thông tư 75/2022/TT-BTC: 20.000 đồng in person, 10.000 đồng online
        ("làm online có rẻ hơn không", "ask_online", "1.004222",
         ("utter_fee_online_cheaper", "10.000 đồng", "20.000 đồng")),
        ("nop truc tuyen phi co re hon ko", "ask_fee", "1.010038",
         ("utter_fee_online_cheaper", "5.000 đồng", "10.000 đồng")),
        ("nộp qua mạng với nộp trực tiếp phí có khác nhau không", "ask_fee", "3.000347",
         ("utter_fee_online_same", "135.000 đồng", "135.000 đồng")),
        ("lam online co re hon khong", "ask_online", BIRTH,
         ("utter_fee_online_same", "miễn phí", "miễn phí")),
        # no comparison asked: the list only
        ("phí bao nhiêu", "ask_fee", "1.004222", None),
    ],
)
async def test_whether_online_costs_less_is_answered_yes_or_no_first(
    portal: PortalClient, tracker: TrackerFactory, domain: dict[str, Any],
    text: str, intent: str, code: str, verdict: tuple[str, str, str] | None,
) -> None:
    messages, _ = await run(portal, tracker(text, intent, slots={"procedure_code": code}), domain)

    responses = [m["response"] for m in messages]
    if verdict is None:
        assert not any(r.startswith("utter_fee_online_") for r in responses)
        assert responses[0] == "utter_procedure_fee"
        return
    response, online, in_person = verdict
    assert responses[:2] == [response, "utter_procedure_fee"]
    assert (messages[0]["online_fee"], messages[0]["in_person_fee"]) == (online, in_person)
