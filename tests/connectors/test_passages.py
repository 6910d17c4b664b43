"""Sentences of a record that answer a question no field answers whole (GET /{code}/passages)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

MARRIAGE_ABROAD = "2.000806"  # đăng ký kết hôn có yếu tố nước ngoài
BIRTH_ABROAD = "2.000528"  # đăng ký khai sinh có yếu tố nước ngoài


@pytest.fixture(scope="module")
def client(catalogue_client: TestClient) -> TestClient:
    return catalogue_client


def passages(client: TestClient, code: str, q: str) -> list[str]:
    response = client.get(f"/api/v1/procedures/{code}/passages", params={"q": q})
    assert response.status_code == 200, response.text
    return [p["text"] for p in response.json()["passages"]]


@pytest.mark.parametrize(
    "code, q, says",
    [
        # the record's words, asked in everyday ones ("khám sức khỏe" is "xác nhận y tế")
        (MARRIAGE_ABROAD, "giay kham suc khoe do co gia tri bao lau", "chỉ có giá trị 06 tháng"),
        (MARRIAGE_ABROAD, "hai vợ chồng phải cùng đến à", "Hai bên phải có mặt"),
        (BIRTH_ABROAD, "văn bản thỏa thuận chọn quốc tịch có bắt buộc không",
         "phải có văn bản thỏa thuận chọn quốc tịch"),
        # how long a paper lasts: the law's sentence, kept in the curated record
        ("1.004194", "thời hạn tạm trú tối đa là bao lâu", "tối đa là 02 năm"),
        ("1.001456", "hộ chiếu có giá trị mấy năm", "giá trị (thời hạn) 10 năm"),
        # the record uses the everyday words itself
        ("3.000347", "có cần khám sức khỏe ko", "Giấy khám sức khỏe"),
        # how a way of submitting works, in that channel's note
        ("1.003677", "gui qua email hay goi dien thoai duoc khong", "thư điện tử"),
        # the seller is the records' "chủ xe cũ"
        ("1.013076", "người bán có phải làm gì không", "thu hồi trong 30 ngày"),
    ],
)
def test_the_sentence_that_answers_comes_first(
    client: TestClient, code: str, q: str, says: str
) -> None:
    assert says in passages(client, code, q)[0]


@pytest.mark.parametrize(
    "code, q",
    [
        (MARRIAGE_ABROAD, "đăng ký kết hôn có yếu tố nước ngoài"),  # only the name: nothing new
        (MARRIAGE_ABROAD, "ở nhờ nhà người quen có được không"),  # the record does not say
    ],
)
def test_nothing_is_said_when_the_record_does_not_say_it(
    client: TestClient, code: str, q: str
) -> None:
    assert passages(client, code, q) == []


def test_an_unknown_procedure_is_a_404(client: TestClient) -> None:
    assert client.get("/api/v1/procedures/9.999999/passages", params={"q": "x"}).status_code == 404
