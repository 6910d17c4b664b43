"""How the connectors refuse a request, and the OpenAPI document saying so truthfully.

FastAPI documents its own 422 body (``detail`` a list of errors), while ``connectors.main`` answers
a Vietnamese message with a list of fields; the guards' 401/403 and FastAPI's 400 for a body it
cannot read were not documented at all, and that 400 said so in English. Clients generated from the
document, and the schemathesis run in tests/fuzz, would read wrong shapes: the document is
corrected here, in one place, for every operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException

__all__ = ["UNREADABLE_BODY", "ErrorDetail", "FieldProblem", "ValidationProblem", "document_errors"]

_REF = "#/components/schemas/{model}"
# what FastAPI raises when a body is not UTF-8 (or otherwise unreadable, not merely bad JSON)
_FASTAPI_UNREADABLE_BODY = "There was an error parsing the body"
UNREADABLE_BODY = "Không đọc được nội dung gửi lên: cần JSON mã hoá UTF-8."
_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


class ErrorDetail(BaseModel):
    """Every refusal (401, 403, 404, 409, 429): one Vietnamese sentence."""

    detail: str


class FieldProblem(BaseModel):
    field: str
    message: str


class ValidationProblem(BaseModel):
    """422: a Vietnamese summary, then what is wrong with which field."""

    detail: str
    errors: list[FieldProblem]


def _error_components() -> dict[str, Any]:
    _, top = models_json_schema(
        [(model, "validation") for model in (ErrorDetail, FieldProblem, ValidationProblem)],
        ref_template=_REF,
    )
    components: dict[str, Any] = top["$defs"]
    # every operation's 422 already points at FastAPI's HTTPValidationError: give it our shape
    components["HTTPValidationError"] = components.pop(ValidationProblem.__name__)
    return components


def _refusal(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="ErrorDetail")}}},
    }


def _document_refusals(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "requestBody" in operation:
        responses.setdefault("400", _refusal("the body is not readable (not UTF-8 JSON)"))
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    if not schemes:
        return
    responses.setdefault("401", _refusal("missing or wrong credentials"))
    if "HTTPBearer" in schemes:
        responses.setdefault("403", _refusal("the staff account's role is too low"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _FASTAPI_UNREADABLE_BODY:
        exc = HTTPException(status_code=400, detail=UNREADABLE_BODY)
    return await http_exception_handler(request, exc)


def document_errors(app: FastAPI) -> None:
    """Makes ``app.openapi()`` document the refusals as the app gives them, and FastAPI's own
    400 speak Vietnamese (call once)."""
    app.add_exception_handler(HTTPException, _http_error)
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        document.setdefault("components", {}).setdefault("schemas", {}).update(
            _error_components()
        )
        for path_item in document.get("paths", {}).values():
            for method, operation in path_item.items():
                if method in _METHODS:
                    _document_refusals(operation)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
