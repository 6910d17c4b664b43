from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from connectors.deps import CatalogueDep, SessionDep
from connectors.procedures.schemas import ProcedurePublic, SearchResult

router = APIRouter(prefix="/api/v1/procedures", tags=["procedures"])


@router.get("/search", response_model=SearchResult)
def search_procedures(
    session: SessionDep,
    catalogue: CatalogueDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="how the citizen said it")],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Response:
    # the body is already the serialised SearchResult (from Redis when cached): re-validating
    # it through the response model cost 8 ms per request for nothing
    return Response(catalogue.search(session, q, limit), media_type="application/json")


@router.get("/{code}", response_model=ProcedurePublic)
def get_procedure(
    session: SessionDep,
    catalogue: CatalogueDep,
    code: Annotated[str, Path(max_length=32, pattern=r"^[0-9A-Za-z.\-_]+$")],
) -> Response:
    body = catalogue.detail(session, code)
    if body is None:
        raise HTTPException(status_code=404, detail=f"Không có thủ tục mã {code}.")
    return Response(body, media_type="application/json")
