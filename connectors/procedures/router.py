from __future__ import annotations

from datetime import timezone
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response

from connectors.deps import CatalogueDep, NowDep, SessionDep, SettingsDep
from connectors.errors import ErrorDetail
from connectors.locality.agencies import (
    kinds_of,
    kinds_of_level,
    office_level,
    offices_for,
    place_of,
)
from connectors.locality.service import load_locality
from connectors.procedures.dated import VIETNAM, today_in_vietnam
from connectors.procedures.models import Procedure
from connectors.procedures.schemas import (
    ProcedureOffices,
    ProcedurePassages,
    ProcedurePublic,
    ResolveResult,
    SearchResult,
)
from connectors.procedures.service import ProcedureRetired

router = APIRouter(prefix="/api/v1/procedures", tags=["procedures"])

CODE_PATTERN = r"^[0-9A-Za-z.\-_]+$"  # national codes (1.001193) and local ones
ProcedureCode = Annotated[str, Path(max_length=32, pattern=CODE_PATTERN)]
NO_SUCH_PROCEDURE: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "no procedure with this code"},
    410: {"model": ErrorDetail, "description": "withdrawn from the national catalogue: no longer "
          "in force (the detail says since when)"},
}


def _gone(exc: ProcedureRetired) -> HTTPException:
    """A withdrawn procedure is not "unknown": the citizen (or the bot) is told it no longer
    applies, and since when, rather than shown as current or as a typo."""
    retired_at = exc.retired_at
    if retired_at.tzinfo is None:  # SQLite hands back naive UTC
        retired_at = retired_at.replace(tzinfo=timezone.utc)
    day = retired_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
    return HTTPException(
        status_code=410,
        detail=f"Thủ tục mã {exc.code} không còn được áp dụng: thủ tục đã được đưa ra khỏi Cơ sở "
        f"dữ liệu quốc gia về thủ tục hành chính từ ngày {day}.",
    )


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


@router.get("/resolve", response_model=ResolveResult)
def resolve_procedure(
    session: SessionDep,
    catalogue: CatalogueDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="the citizen's message")],
    focus: Annotated[
        str | None,
        Query(max_length=32, pattern=CODE_PATTERN,
              description="the procedure the conversation is about, if any"),
    ] = None,
) -> Response:
    """Which procedure a message means and how sure that is, what it asks about it, or that no
    procedure of the catalogue fits it."""
    return Response(catalogue.resolve(session, q, focus), media_type="application/json")


@router.get("/{code}/passages", response_model=ProcedurePassages, responses=NO_SUCH_PROCEDURE)
def procedure_passages(
    session: SessionDep,
    catalogue: CatalogueDep,
    code: ProcedureCode,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="the citizen's question")],
    now: NowDep,
) -> ProcedurePassages:
    """The sentences of the record that answer a question no field answers whole ("giấy khám
    sức khỏe có giá trị bao lâu"); an empty list when the record does not say."""
    try:
        found = catalogue.passages(session, code, q, today_in_vietnam(now))
    except ProcedureRetired as exc:
        raise _gone(exc) from exc
    if found is None:
        raise HTTPException(status_code=404, detail=f"Không có thủ tục mã {code}.")
    return found


@router.get("/{code}", response_model=ProcedurePublic, responses=NO_SUCH_PROCEDURE)
def get_procedure(
    session: SessionDep,
    catalogue: CatalogueDep,
    code: ProcedureCode,
    now: NowDep,
) -> Response:
    """Fees as they hold today: dated clauses of the catalogue's fee texts that ended (or have
    not begun) are left out; the stored record keeps them."""
    try:
        body = catalogue.detail(session, code, today_in_vietnam(now))
    except ProcedureRetired as exc:
        raise _gone(exc) from exc
    if body is None:
        raise HTTPException(status_code=404, detail=f"Không có thủ tục mã {code}.")
    return Response(body, media_type="application/json")


@router.get("/{code}/offices", response_model=ProcedureOffices, responses=NO_SUCH_PROCEDURE)
def procedure_offices(
    session: SessionDep,
    settings: SettingsDep,
    code: ProcedureCode,
) -> ProcedureOffices:
    """Where to submit: the agency the record names, and this locality's offices of that kind
    (none when the locality lists no office of that kind: never a wrong one). A record without
    an agency is placed by its level, when it names one ("Cấp xã": the commune's one-stop shop).
    ``place`` says whose commune a local office is (where the construction is, where the deceased
    last lived...), as the record states it."""
    procedure = session.get(Procedure, code)
    if procedure is None:
        raise HTTPException(status_code=404, detail=f"Không có thủ tục mã {code}.")
    if procedure.retired_at is not None:
        raise _gone(ProcedureRetired(code, procedure.retired_at))
    kinds = kinds_of(procedure.agency)
    by_level = not procedure.agency and bool(kinds_of_level(procedure.level))
    if by_level:
        kinds = kinds_of_level(procedure.level)
    return ProcedureOffices(
        code=code, agency=procedure.agency, kinds=kinds,
        offices=offices_for(load_locality(settings.locality_file), kinds,
                            office_level(procedure.level)),
        level=procedure.level if by_level else None,
        place=place_of(procedure.agency, procedure.name),
    )
