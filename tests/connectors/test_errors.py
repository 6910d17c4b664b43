"""How the connectors refuse, and the OpenAPI document saying so (connectors/errors.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from connectors.errors import UNREADABLE_BODY
from connectors.main import create_app
from connectors.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(Settings(database_url="sqlite://")).openapi()


@pytest.mark.parametrize(
    "method, path, documented",
    [
        ("post", "/api/v1/feedback", {"400", "401", "422"}),  # service token, JSON body
        ("get", "/api/v1/handoffs", {"401", "403", "422"}),  # staff login
        ("get", "/api/v1/procedures/{code}", {"404", "422"}),  # public
        ("post", "/api/v1/staff/login", {"400", "401", "422", "429"}),
    ],
)
def test_refusals_are_documented(
    document: dict[str, Any], method: str, path: str, documented: set[str]
) -> None:
    assert documented <= set(document["paths"][path][method]["responses"])


def test_public_operations_document_no_401(document: dict[str, Any]) -> None:
    assert "401" not in document["paths"]["/api/v1/procedures/search"]["get"]["responses"]


def test_the_422_body_is_documented_as_sent(document: dict[str, Any]) -> None:
    shape = document["components"]["schemas"]["HTTPValidationError"]
    assert shape["required"] == ["detail", "errors"]
    assert shape["properties"]["detail"]["type"] == "string"


@pytest.mark.parametrize("body", [b"\x80", b'{"topic": "\xff"}', b"\xc3"])
def test_a_body_that_is_not_utf8_gets_a_vietnamese_400(client: TestClient, body: bytes) -> None:
    response = client.post(
        "/api/v1/feedback", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": UNREADABLE_BODY}
