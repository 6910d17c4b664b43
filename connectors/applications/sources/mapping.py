"""A province's upstream dossier API described in a file: how to ask for one dossier, where it sits
in the answer, and which of its fields and status values mean what to us.

Pure: no I/O. ``parse_dossier`` turns one upstream body into a ``DossierRecord`` or raises
``MappingError``; it never guesses a status it was not told about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.applications.models import ApplicationStatusName
from connectors.applications.sources.base import DossierEvent, DossierRecord, PlainOwner
from connectors.upstream.config import UpstreamConfig
from vnid import normalize_code, normalize_phone

VIETNAM_TZ = timezone(timedelta(hours=7))
ISO = "iso"  # in dates.formats: ISO 8601 (2026-11-23T09:00:00, with or without an offset)
EPOCH_MS = "epoch_ms"  # in dates.formats: milliseconds since 1970 (a number)
ChannelName = Literal["in_person", "online", "post"]
Body = Mapping[str, Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestShape(_Strict):
    """How to ask for one dossier. ``{code}`` in the path, a param, a header or a string of the
    body is replaced by the dossier code (URL-encoded in the path)."""

    method: Literal["GET", "POST"] = "GET"
    path: str = Field(min_length=1, examples=["/api/v1/hoso/{code}"])
    params: dict[str, str] = {}
    headers: dict[str, str] = {}
    body: Any = None  # a JSON template for POST, e.g. {"maHoSo": "{code}"}
    # a look-up reads, even through POST: retried once when it fails (set false if the upstream's
    # POST has side effects, e.g. it logs each call as a citizen's request)
    idempotent: bool = True


class NotFoundRule(_Strict):
    """What "no such dossier" looks like: an HTTP status, or a field of a 200 body."""

    http_status: list[int] = [404]
    field: str | None = None  # dotted path in the body, e.g. "maLoi"
    values: list[Any] = []  # values of that field meaning "not found" (null included)


class ResponseShape(_Strict):
    record: str = ""  # dotted path to the dossier in the body, e.g. "data" ("" = the body itself)
    not_found: NotFoundRule = NotFoundRule()


class FieldMap(_Strict):
    """Our field -> the upstream's field (dotted paths for nested objects: "chuHoSo.hoTen")."""

    code: str
    status: str
    received_at: str
    agency: str
    procedure_code: str | None = None
    procedure_name: str | None = None
    applicant_name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    channel: str | None = None
    due_at: str | None = None
    completed_at: str | None = None
    supplement_note: str | None = None
    supplement_due_at: str | None = None
    status_note: str | None = None  # when the upstream has a note of the current step apart


class HistoryMap(_Strict):
    path: str  # the list of steps, e.g. "quaTrinhXuLy"
    status: str  # each step's fields
    at: str
    note: str | None = None


class DateFormats(_Strict):
    # tried in order; naive times are Vietnam time (UTC+7)
    formats: list[str] = Field(default_factory=lambda: [ISO], min_length=1)


class DossierUpstreamFile(_Strict):
    """A province's file: ``upstream:`` (connectors/upstream) plus the dossier mapping."""

    upstream: UpstreamConfig
    request: RequestShape
    response: ResponseShape = ResponseShape()
    fields: FieldMap
    dates: DateFormats = DateFormats()
    statuses: dict[str, ApplicationStatusName] = Field(min_length=1)
    channels: dict[str, ChannelName] = {}
    default_channel: ChannelName = "in_person"
    history: HistoryMap | None = None

    @field_validator("statuses", "channels", mode="before")
    @classmethod
    def _keys_as_text(cls, value: object) -> object:
        # YAML reads 1: received with an integer key; upstreams send 1 or "1" alike
        if isinstance(value, Mapping):
            return {str(k).strip(): v for k, v in value.items()}
        return value


class MappingError(ValueError):
    """The upstream body does not fit the mapping."""


class UnknownStatus(MappingError):
    def __init__(self, raw: Any, where: str) -> None:
        super().__init__(f"unknown upstream status {raw!r} in {where}")
        self.raw = raw
        self.where = where


_MISSING = object()


def get(body: Any, path: str) -> Any:
    """The value at a dotted path ("chuHoSo.hoTen", "items.0.id"), or _MISSING."""
    if path == "":
        return body
    value = body
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def is_not_found(mapping: DossierUpstreamFile, body: Any) -> bool:
    rule = mapping.response.not_found
    if rule.field is None:
        return False
    value = get(body, rule.field)
    return value is not _MISSING and value in rule.values


def parse_dossier(mapping: DossierUpstreamFile, body: Any, asked: str) -> DossierRecord:
    """The dossier in an upstream body; ``procedure_name`` may be "" when the upstream gives only
    a code (the caller names it from the catalogue)."""
    record = get(body, mapping.response.record)
    if not isinstance(record, Mapping):
        raise MappingError(f"no dossier object at {mapping.response.record or 'the body'!r}")
    fields = mapping.fields
    code = _text(record, fields.code, required=True)
    assert code is not None
    if normalize_code(code) != asked:
        # a fuzzy search upstream must never show one citizen another's dossier
        raise MappingError("the upstream answered with another dossier code")
    status = _status(mapping, _value(record, fields.status, required=True), "trạng thái")
    events = _history(mapping, record)
    procedure_code = _text(record, fields.procedure_code) or ""
    procedure_name = _text(record, fields.procedure_name) or ""
    if not procedure_code and not procedure_name:
        raise MappingError("neither a procedure code nor a procedure name")
    id_number = _text(record, fields.id_number)
    phone = _text(record, fields.phone)
    return DossierRecord(
        code=asked,
        status=status,
        procedure_code=procedure_code,
        procedure_name=procedure_name,
        procedure_short_name=None,
        applicant_name=_text(record, fields.applicant_name) or "",
        agency=_text(record, fields.agency, required=True) or "",
        channel=_channel(mapping, record),
        received_at=_required_date(mapping, record, fields.received_at),
        owner=PlainOwner(id_number=_digits(id_number), phone=_phone(phone)),
        due_at=_date(mapping, record, fields.due_at, deadline=True),
        completed_at=_date(mapping, record, fields.completed_at),
        supplement_note=_text(record, fields.supplement_note),
        supplement_due_at=_date(mapping, record, fields.supplement_due_at, deadline=True),
        status_note=_text(record, fields.status_note),
        events=events,
    )


def parse_date(mapping: DossierUpstreamFile, raw: Any, *, deadline: bool = False) -> datetime:
    """A time in Vietnam time. A deadline given as a day alone ("27/11/2026") lasts to the end
    of that day: a dossier due that day is not late at 9 in the morning."""
    for fmt in mapping.dates.formats:
        parsed = _try_date(fmt, raw)
        if parsed is None:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=VIETNAM_TZ)
        parsed = parsed.astimezone(VIETNAM_TZ)
        if deadline and _day_only(fmt, raw):
            parsed = parsed.replace(hour=23, minute=59, second=59)
        return parsed
    raise MappingError(f"date {raw!r} fits none of the formats {mapping.dates.formats}")


def _day_only(fmt: str, raw: Any) -> bool:
    if fmt == EPOCH_MS:
        return False
    if fmt == ISO:
        return isinstance(raw, str) and len(raw.strip()) == len("2026-11-27")
    return "%H" not in fmt and "%I" not in fmt


def _try_date(fmt: str, raw: Any) -> datetime | None:
    if fmt == EPOCH_MS:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return datetime.fromtimestamp(raw / 1000, tz=timezone.utc)
        return None
    if not isinstance(raw, str):
        return None
    try:
        if fmt == ISO:
            return datetime.fromisoformat(raw.strip())
        return datetime.strptime(raw.strip(), fmt)
    except ValueError:
        return None


def _value(record: Body, path: str | None, *, required: bool = False) -> Any:
    value = _MISSING if path is None else get(record, path)
    if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MappingError(f"field {path!r} is missing")
        return None
    return value


def _text(record: Body, path: str | None, *, required: bool = False) -> str | None:
    value = _value(record, path, required=required)
    if value is None:
        return None
    if isinstance(value, Mapping | list):
        raise MappingError(f"field {path!r} is not text")
    return str(value).strip()


def _digits(value: str | None) -> str | None:
    # "079 203 001 234", "079.203.001.234": compared as digits, as citizens' input is
    return "".join(ch for ch in value if ch.isdigit()) or None if value else None


def _phone(value: str | None) -> str | None:
    # "+84 912 345 678" -> 0912345678; a landline keeps its digits (its last 4 still match)
    return (normalize_phone(value) or _digits(value)) if value else None


def _date(
    mapping: DossierUpstreamFile, record: Body, path: str | None, *, deadline: bool = False
) -> datetime | None:
    value = _value(record, path)
    return None if value is None else parse_date(mapping, value, deadline=deadline)


def _required_date(mapping: DossierUpstreamFile, record: Body, path: str) -> datetime:
    return parse_date(mapping, _value(record, path, required=True))


def _status(mapping: DossierUpstreamFile, raw: Any, where: str) -> ApplicationStatusName:
    status = mapping.statuses.get(str(raw).strip())
    if status is None:
        raise UnknownStatus(raw, where)
    return status


def _channel(mapping: DossierUpstreamFile, record: Body) -> str:
    raw = _value(record, mapping.fields.channel)
    channel = mapping.channels.get(str(raw).strip()) if raw is not None else None
    # the channel is not shown to citizens: an unmapped one falls back rather than failing
    return channel or mapping.default_channel


def _history(mapping: DossierUpstreamFile, record: Body) -> tuple[DossierEvent, ...]:
    spec = mapping.history
    if spec is None:
        return ()
    steps = get(record, spec.path)
    if steps is _MISSING or steps is None:
        return ()
    if not isinstance(steps, list):
        raise MappingError(f"history {spec.path!r} is not a list")
    events = []
    for step in steps:
        if not isinstance(step, Mapping):
            raise MappingError(f"a step of {spec.path!r} is not an object")
        events.append(
            DossierEvent(
                status=_status(mapping, _value(step, spec.status, required=True), "lịch sử"),
                at=_required_date(mapping, step, spec.at),
                note=_text(step, spec.note),
            )
        )
    # upstreams list newest first or oldest first: we show oldest first
    return tuple(sorted(events, key=lambda e: e.at))
