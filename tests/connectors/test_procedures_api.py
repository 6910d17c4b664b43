"""The procedure API as the actions and acceptance suites use it."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from connectors.procedures.models import Procedure, ProcedureAlias
from connectors.procedures.service import bump_catalogue_version


@pytest.mark.parametrize(
    "query, code",
    [
        ("đăng ký khai sinh cần giấy tờ gì", "1.001193"),
        ("dang ky khai sinh can giay to gi", "1.001193"),
        ("đkks", "1.001193"),
        ("đkkh", "1.000894"),  # ĐKKH: đăng ký kết hôn
        ("làm giấy khai sinh cho con", "1.001193"),
        ("dang ki khai snh", "1.001193"),  # typos
    ],
)
def test_search_finds_the_procedure_as_citizens_say_it(
    client: TestClient, query: str, code: str
) -> None:
    response = client.get("/api/v1/procedures/search", params={"q": query, "limit": 5})

    assert response.status_code == 200
    assert response.json()["items"][0]["code"] == code


def test_search_items_are_ranked_best_first(client: TestClient) -> None:
    items = client.get("/api/v1/procedures/search", params={"q": "khai sinh"}).json()["items"]

    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    assert {"code", "name", "score"} <= set(items[0])


def test_detail_has_documents_channels_and_legal_basis(client: TestClient) -> None:
    body = client.get("/api/v1/procedures/1.001193").json()

    assert body["name"] == "Thủ tục đăng ký khai sinh"
    assert any("Giấy chứng sinh" in d["name"] for d in body["documents"])
    assert {c["kind"] for c in body["channels"]} == {"in_person", "online", "post"}
    assert any(doc["number"] == "60/2014/QH13" for doc in body["legal_basis"])


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/v1/procedures/9.999999", 404),
        ("/api/v1/procedures/search?q=", 422),
        ("/api/v1/procedures/search?q=khai%20sinh&limit=0", 422),
        ("/api/v1/procedures/search?q=khai%20sinh&limit=abc", 422),
        ("/api/v1/procedures/search", 422),
        ("/api/v1/procedures/bad%20code!", 422),
    ],
)
def test_bad_input_gets_a_clear_client_error(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)

    assert response.status_code == status
    assert response.json()["detail"]


def test_health_reports_database_and_redis(client: TestClient) -> None:
    body = client.get("/health").json()

    assert body["database"]["ok"] is True
    assert "ok" in body["redis"]


def test_a_catalogue_write_never_makes_a_citizen_wait_for_the_index(
    client: TestClient, session: Session
) -> None:
    """The index is rebuilt in the background; the old one answers meanwhile, uncached."""
    word = f"thutuc{uuid.uuid4().hex[:6]}"
    procedure = session.get(Procedure, "1.000894")
    assert procedure is not None
    procedure.aliases.append(ProcedureAlias(alias=f"làm {word} ngay"))
    bump_catalogue_version(session)
    session.commit()

    first = client.get("/api/v1/procedures/search", params={"q": f"làm {word} ngay"})
    assert first.status_code == 200
    deadline = time.monotonic() + 10
    codes: list[str] = []
    while time.monotonic() < deadline:
        items = client.get("/api/v1/procedures/search", params={"q": f"làm {word} ngay"}).json()
        codes = [i["code"] for i in items["items"]]
        if codes[:1] == ["1.000894"]:
            break
        time.sleep(0.2)
    procedure.aliases = [a for a in procedure.aliases if word not in a.alias]
    bump_catalogue_version(session)
    session.commit()

    assert codes[:1] == ["1.000894"]
