"""The province's feedback system (hệ thống tiếp nhận phản ánh, kiến nghị), as its file says.

FEEDBACK_UPSTREAM_FILE names a YAML file with `upstream:` (how to reach it: connectors/upstream)
and how our complaint maps onto its API: which of its fields gets which of ours, where its id and
status are in its answers, and what its status words mean. Every province's API differs; the code
does not: connectors/upstream/examples/feedback.yml is an example to adapt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors.applications.service import VIETNAM_TZ, as_utc
from connectors.feedback.models import Feedback, FeedbackStatusName
from connectors.feedback.schemas import without_control_characters
from connectors.upstream.client import UpstreamBadResponse
from connectors.upstream.config import UpstreamConfig, UpstreamFileError, read_yaml
from vnid.redact import redact

logger = logging.getLogger(__name__)

OurField = Literal[
    "tracking_code", "topic", "description", "location", "contact_name", "contact_phone",
    "created_at",
]
_ANSWER_LIMIT = 8000
_NOTE_LIMIT = 1000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubmitMapping(_Strict):
    """How a complaint is sent: ``fields`` maps OUR field to THEIR field (a dotted name nests)."""

    method: Literal["POST", "PUT"] = "POST"
    path: str = Field(min_length=1)
    fields: dict[OurField, str]
    constants: dict[str, str | int | bool] = Field(default_factory=dict)  # kenhTiepNhan: Chatbot
    # our tracking code goes in this header too: an upstream that honours it stores a retried
    # request once (the outbox retries whenever the answer is lost)
    idempotency_header: str | None = "Idempotency-Key"
    id_path: str = Field(min_length=1)  # where the upstream's id is in its answer: data.id

    @field_validator("fields")
    @classmethod
    def _needs_the_complaint(cls, value: dict[OurField, str]) -> dict[OurField, str]:
        missing = {"description", "tracking_code"} - set(value)
        if missing:
            raise ValueError(f"submit.fields must map {', '.join(sorted(missing))}")
        return value


class StatusMapping(_Strict):
    """How a complaint's progress is read: GET ``path`` ({upstream_id} or {tracking_code})."""

    path: str = Field(min_length=1)
    status_path: str = Field(min_length=1)
    status_map: dict[str, FeedbackStatusName]
    answer_path: str | None = None  # the agency's answer to the citizen
    note_path: str | None = None  # a note for the history (a step of the handling)

    @model_validator(mode="after")
    def _path_names_the_record(self) -> StatusMapping:
        if "{upstream_id}" not in self.path and "{tracking_code}" not in self.path:
            raise ValueError("status.path must contain {upstream_id} or {tracking_code}")
        return self


class DeliveryConfig(_Strict):
    """The outbox's retries: after failure n it waits min(cap, first * 2**(n-1)), less up to 20%
    (jitter keeps several connectors instances from calling in step after an outage)."""

    first_retry_seconds: float = Field(default=30.0, gt=0)
    max_retry_seconds: float = Field(default=3600.0, gt=0)
    # how long a claimed complaint is reserved for the instance sending it; longer than a call
    lease_seconds: float = Field(default=120.0, gt=0)
    batch: int = Field(default=50, ge=1)  # complaints sent (or synced) per tick


class FeedbackUpstreamFile(_Strict):
    upstream: UpstreamConfig
    submit: SubmitMapping
    status: StatusMapping
    delivery: DeliveryConfig = DeliveryConfig()

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> FeedbackUpstreamFile:
        call = self.upstream.resilience.timeout_seconds * (1 + self.upstream.resilience.retries)
        if self.delivery.lease_seconds <= 2 * call:
            raise ValueError(
                f"delivery.lease_seconds ({self.delivery.lease_seconds:g}) must exceed twice a "
                f"call's longest wait ({call:g} s), or another instance could send it again"
            )
        return self


def load_feedback_upstream(path: Path) -> FeedbackUpstreamFile:
    """The province file, or an error naming the file and what is wrong in it."""
    data = read_yaml(path)
    try:
        return FeedbackUpstreamFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise UpstreamFileError(f"feedback upstream file {path}: {problems}") from exc


class Requester(Protocol):
    """What the outbox needs of connectors.upstream.client.UpstreamClient."""

    name: str

    def request(
        self, method: str, path: str, *, idempotent: bool, json: Any = None,
        params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
    ) -> httpx.Response: ...

    def json(self, response: httpx.Response) -> Any: ...


class Refused(Exception):
    """The upstream refused the complaint with a 4xx that sending again cannot fix."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(f"HTTP {status_code}: {reason}" if reason else f"HTTP {status_code}")
        self.status_code = status_code


class Gone(Exception):
    """The upstream no longer knows a complaint it accepted (404 on its status)."""


@dataclass(frozen=True)
class UpstreamProgress:
    """A complaint's state as the upstream tells it; ``status`` None: a word not in the map."""

    raw_status: str
    status: FeedbackStatusName | None
    answer: str | None
    note: str | None


def _dig(body: Any, path: str) -> Any:
    """``data.id`` in ``{"data": {"id": 7}}`` -> 7; None when any step is missing."""
    value = body
    for step in path.split("."):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for step in parents:
        body = body.setdefault(step, {})
    body[last] = value


def _text(value: Any, limit: int) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = without_control_characters(str(value)).strip()
    return text[:limit] or None


# no 4xx is worth sending again except these: a timeout, and "too many requests" (which the
# client already reports as unavailable)
_TRANSIENT_4XX = {408, 429}


class FeedbackUpstream:
    """Sends one complaint and reads one complaint's progress, through an UpstreamClient."""

    def __init__(self, config: FeedbackUpstreamFile, client: Requester) -> None:
        self.config = config
        self.client = client

    @property
    def name(self) -> str:
        return self.client.name

    def payload(self, feedback: Feedback) -> dict[str, Any]:
        """The complaint in the upstream's words; contact details erased here are not sent."""
        ours: dict[OurField, Any] = {
            "tracking_code": feedback.tracking_code,
            "topic": feedback.topic,
            "description": feedback.description,
            "location": feedback.location,
            "contact_name": feedback.contact_name,
            "contact_phone": feedback.contact_phone,
            "created_at": as_utc(feedback.created_at).astimezone(VIETNAM_TZ).isoformat(),
        }
        body: dict[str, Any] = {}
        for name, value in self.config.submit.constants.items():
            _put(body, name, value)
        for our, theirs in self.config.submit.fields.items():
            _put(body, theirs, ours[our])
        return body

    def submit(self, feedback: Feedback) -> str:
        """The upstream's id for the complaint, once it holds it.

        Raises UpstreamUnavailable (try later), UpstreamBadResponse (2xx we cannot read: try
        later, the idempotency key makes the retry safe) or Refused (never try again by itself).
        Not retried inside: a send is not idempotent for the client; the outbox retries it.
        """
        submit = self.config.submit
        key = submit.idempotency_header
        headers = {key: feedback.tracking_code} if key else {}
        response = self.client.request(
            submit.method, submit.path, idempotent=False, json=self.payload(feedback),
            headers=headers,
        )
        code = response.status_code
        if code in _TRANSIENT_4XX:
            raise UpstreamBadResponse(f"HTTP {code}")
        if code == 409 or 200 <= code < 300:
            # 409: "I have it already", from an upstream that reports a repeat as a conflict
            upstream_id = _text(_dig(self._body(response, code == 409), submit.id_path), 100)
            if upstream_id is not None:
                return upstream_id
            if code != 409:
                raise UpstreamBadResponse(f"HTTP {code} without an id at {submit.id_path}")
        raise Refused(code, _reason(response))

    def progress(self, upstream_id: str | None, tracking_code: str) -> UpstreamProgress:
        """Raises UpstreamUnavailable, UpstreamBadResponse or Gone."""
        status = self.config.status
        path = status.path.replace("{upstream_id}", quote(upstream_id or "", safe=""))
        path = path.replace("{tracking_code}", tracking_code)
        response = self.client.request("GET", path, idempotent=True)
        if response.status_code == 404:
            raise Gone(f"HTTP 404 at {status.path}")
        if response.status_code >= 300:
            raise UpstreamBadResponse(f"HTTP {response.status_code} at {status.path}")
        body = self._body(response)
        raw = _text(_dig(body, status.status_path), 100)
        if raw is None:
            raise UpstreamBadResponse(f"no status at {status.status_path}")
        answer, note = status.answer_path, status.note_path
        return UpstreamProgress(
            raw_status=raw,
            status=status.status_map.get(raw),
            answer=_text(_dig(body, answer), _ANSWER_LIMIT) if answer else None,
            note=_text(_dig(body, note), _NOTE_LIMIT) if note else None,
        )

    def _body(self, response: httpx.Response, lenient: bool = False) -> Any:
        try:
            return self.client.json(response)
        except UpstreamBadResponse:
            if lenient:  # a conflict's body need not be JSON: then it is a refusal
                return None
            raise


def _reason(response: httpx.Response) -> str:
    """A short reason for the operator, without personal data an upstream may echo back."""
    try:
        text = response.text
    except (httpx.HTTPError, UnicodeDecodeError):
        return ""
    with suppress(ValueError):  # JSON's \u escapes made readable
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return redact(" ".join(without_control_characters(text).split()))[:200]
