"""Zalo's Official Account platform, faked for tests: its send API, its token endpoint, and the
signed webhook events it posts. A real HTTP server on a free loopback port (tests/fakes/server.py).

    POST /v3.0/oa/message/cs     header ``access_token``; JSON {"recipient": {"user_id"},
                                 "message": {...}}; HTTP 200 {"error": 0, "data": {...}} or
                                 HTTP 200 {"error": -216} for a token it did not issue or expired,
                                 {"error": -201} for a message Zalo would refuse (text over 2,000
                                 characters, more than 5 buttons, a button without title...)
    POST /v4/oa/access_token     header ``secret_key`` (the App Secret Key); form app_id,
                                 grant_type=refresh_token, refresh_token. A new pair each time;
                                 the refresh token just used is dead from then on (single use),
                                 and so is every older one: HTTP 200 {"error": -14014, ...}

Every send (accepted or not) and every refresh is recorded. A test can expire the access tokens
(the next send gets -216), queue error codes for the next sends (``fail_next(-32)``), and switch
``mode``: ``ok``, ``slow`` (answers after ``slow_seconds``), ``error`` (HTTP 500), ``down``
(nothing listens). Events are signed as Zalo signs them: SHA-256 of app id + raw body + timestamp
+ OA secret key, in ``X-ZEvent-Signature: mac=<hex>``, computed here on its own (not with the
channel's code, which this fake checks).

The ids and keys are invented; they only look like Zalo's.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs

from tests.fakes.server import JsonHandler, LoopbackFake

SEND_PATH = "/v3.0/oa/message/cs"
TOKEN_PATH = "/v4/oa/access_token"
APP_ID = "1234567890123456789"
OA_ID = "9876543210987654321"
OA_SECRET_KEY = "fake-oa-secret-key-0000"
APP_SECRET_KEY = "fake-app-secret-key-0000"
MAX_TEXT = 2000
MAX_BUTTONS = 5
BUTTON_TYPES = {"oa.query.hide", "oa.query.show", "oa.open.url", "oa.open.phone", "oa.open.sms"}

Mode = Literal["ok", "slow", "error", "down"]
T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    """One call of the send API, accepted or not."""

    user_id: str
    message: dict[str, Any]
    access_token: str
    error: int
    at: float  # time.monotonic() when it arrived

    @property
    def text(self) -> str:
        return str(self.message.get("text") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons") or [])


@dataclass(frozen=True)
class Refresh:
    refresh_token: str
    accepted: bool


@dataclass
class FakeZalo(LoopbackFake):
    app_id: str = APP_ID
    oa_id: str = OA_ID
    oa_secret_key: str = OA_SECRET_KEY
    app_secret_key: str = APP_SECRET_KEY
    token_lifetime: int = 90_000  # seconds, as Zalo announces (about 25 hours)
    mode: Mode = "ok"
    sends: list[Sent] = field(default_factory=list)
    refreshes: list[Refresh] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str = ""  # the only one the token endpoint accepts now
    spent: set[str] = field(default_factory=set)
    # the pair a province copies from Zalo's developer site once: the channel's first tokens
    first_access_token: str = field(init=False, default="")
    first_refresh_token: str = field(init=False, default="")
    _queued_errors: deque[int] = field(default_factory=deque)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.first_access_token, self.first_refresh_token = self._issue()

    def handler(self) -> type[JsonHandler]:
        return _handler(self)

    # -- what tests do ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.origin

    def channel_env(self) -> dict[str, str]:
        """The environment that points the Zalo channel at this fake, with its first tokens."""
        return {
            "ZALO_APP_ID": self.app_id,
            "ZALO_OA_SECRET_KEY": self.oa_secret_key,
            "ZALO_APP_SECRET_KEY": self.app_secret_key,
            "ZALO_ACCESS_TOKEN": self.first_access_token,
            "ZALO_REFRESH_TOKEN": self.first_refresh_token,
            "ZALO_API_URL": self.origin,
            "ZALO_OAUTH_URL": self.origin,
        }

    def set_mode(self, mode: Mode) -> None:
        self._set_listening(mode != "down")
        self.mode = mode

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (as after its 25 hours)."""
        with self._lock:
            self.access_tokens.clear()

    def fail_next(self, *errors: int) -> None:
        """The next sends get these error codes (HTTP 200), one each, before any check."""
        with self._lock:
            self._queued_errors.extend(errors)

    def sent_to(self, user_id: str) -> list[Sent]:
        """What reached ``user_id``: the sends Zalo accepted, in order."""
        with self._lock:
            return [s for s in self.sends if s.user_id == user_id and s.error == 0]

    def attempts_to(self, user_id: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sends if s.user_id == user_id]

    def wait_for(
        self, found: Callable[[], T], *, timeout: float = 60.0, interval: float = 0.1
    ) -> T:
        """Polls ``found`` until it returns something true; its last value after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            value = found()
            if value or time.monotonic() > deadline:
                return value
            time.sleep(interval)

    # -- events as Zalo posts them -----------------------------------------------------------

    def text_event(self, user_id: str, text: str, *, msg_id: str | None = None,
                   event_name: str = "user_send_text") -> dict[str, Any]:
        return self._event(event_name, user_id, {"text": text, "msg_id": msg_id or self.msg_id()})

    def media_event(self, user_id: str, kind: str = "image") -> dict[str, Any]:
        """``user_send_image``, ``_sticker``, ``_file``, ``_location``... with one attachment."""
        payload: dict[str, Any] = {"url": f"https://example.invalid/{kind}.bin",
                                   "thumbnail": f"https://example.invalid/{kind}-small.jpg"}
        if kind == "location":
            payload = {"coordinates": {"latitude": "10.7769", "longitude": "106.7009"}}
        message = {"msg_id": self.msg_id(), "text": "",
                   "attachments": [{"type": kind, "payload": payload}]}
        return self._event(f"user_send_{kind}", user_id, message)

    def echo_event(self, user_id: str, text: str) -> dict[str, Any]:
        """What Zalo posts after the OA itself sent ``text`` to ``user_id``."""
        event = self._event("oa_send_text", self.oa_id, {"text": text, "msg_id": self.msg_id()})
        event["recipient"] = {"id": user_id}
        return event

    def receipt_event(self, user_id: str, name: str = "user_seen_message") -> dict[str, Any]:
        return self._event(name, user_id, {"msg_ids": [self.msg_id()]})

    def follow_event(self, user_id: str) -> dict[str, Any]:
        return {
            "event_name": "follow",
            "app_id": self.app_id,
            "oa_id": self.oa_id,
            "follower": {"id": user_id},
            "source": "oa_profile",
            "timestamp": _now_ms(),
            "user_id_by_app": f"9{user_id[-17:]}",
        }

    def sign(
        self, event: dict[str, Any], *, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers Zalo would post for ``event`` (signed with ``secret``
        instead of the OA secret key: a forgery)."""
        body = json.dumps(event, ensure_ascii=False).encode()
        key = self.oa_secret_key if secret is None else secret
        signed = self.app_id.encode() + body + str(event.get("timestamp", "")).encode()
        mac = hashlib.sha256(signed + key.encode()).hexdigest()
        return body, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}

    def msg_id(self) -> str:
        return secrets.token_hex(10)

    def _event(self, name: str, sender: str, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "event_name": name,
            "app_id": self.app_id,
            "sender": {"id": sender},
            "recipient": {"id": self.oa_id},
            "message": message,
            "timestamp": _now_ms(),
            "user_id_by_app": f"9{sender[-17:]}",
        }

    # -- serving -----------------------------------------------------------------------------

    def _issue(self) -> tuple[str, str]:
        with self._lock:
            n = next(self._counter)
            access = f"fake-access-{n}-{secrets.token_urlsafe(12)}"
            refresh = f"fake-refresh-{n}-{secrets.token_urlsafe(12)}"
            if self.refresh_token:
                self.spent.add(self.refresh_token)
            self.access_tokens.add(access)
            self.refresh_token = refresh
            return access, refresh

    def _send(self, token: str, body: Any) -> tuple[int, dict[str, Any]]:
        self._count("send")
        if self.mode == "slow":
            self._pause(self.slow_seconds)
        if self.mode == "error":
            return 500, {"error": -1, "message": "Internal server error"}
        recipient = (body.get("recipient") or {}) if isinstance(body, dict) else {}
        message = body.get("message") if isinstance(body, dict) else None
        user = str(recipient.get("user_id") or "")
        with self._lock:
            error = self._queued_errors.popleft() if self._queued_errors else 0
            if not error and token not in self.access_tokens:
                error = -216
        if not error and not _valid_message(message):
            error = -201
        with self._lock:
            self.sends.append(Sent(user, message if isinstance(message, dict) else {}, token,
                                   error, time.monotonic()))
        if error:
            return 200, {"error": error, "message": _ERRORS.get(error, "Error")}
        return 200, {"error": 0, "message": "Success",
                     "data": {"message_id": secrets.token_hex(16), "user_id": user}}

    def _refresh(self, secret_key: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self._count("token")
        if self.mode == "slow":
            self._pause(self.slow_seconds)
        if self.mode == "error":
            return 500, {"error": -1, "message": "Internal server error"}
        given = form.get("refresh_token", "")
        ok = (
            secret_key == self.app_secret_key
            and form.get("app_id") == self.app_id
            and form.get("grant_type") == "refresh_token"
            and bool(given)
            and given == self.refresh_token
        )
        with self._lock:
            self.refreshes.append(Refresh(given, ok))
        if not ok:
            return 200, {"error": -14014, "error_name": "Invalid refresh token",
                         "error_reason": "refresh token is invalid or has been used",
                         "error_description": "refresh token is invalid or has been used"}
        access, refresh = self._issue()
        return 200, {"access_token": access, "refresh_token": refresh,
                     "expires_in": str(self.token_lifetime)}


_ERRORS = {
    -32: "Exceeded the limit of requests",
    -100: "Unexpected error, please try again later",
    -201: "Parameters are invalid",
    -216: "Access token is invalid",
    -124: "Access token has expired",
    -230: "User has not interacted with the OA in the last 7 days",
}


def _now_ms() -> str:
    return str(int(time.time() * 1000))


def _valid_message(message: Any) -> bool:
    """What Zalo refuses, as far as these tests need: empty messages, text over 2,000
    characters, more than 5 buttons, buttons without a title or of an unknown type."""
    if not isinstance(message, dict):
        return False
    text = message.get("text")
    attachment = message.get("attachment")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        return False
    if not text and not attachment:
        return False
    if attachment is None:
        return True
    payload = attachment.get("payload") if isinstance(attachment, dict) else None
    if not isinstance(payload, dict):
        return False
    buttons = payload.get("buttons")
    if buttons is None:
        return payload.get("template_type") == "media" and bool(payload.get("elements"))
    return (
        isinstance(buttons, list)
        and 0 < len(buttons) <= MAX_BUTTONS
        and all(
            isinstance(b, dict) and b.get("type") in BUTTON_TYPES and str(b.get("title") or "")
            and b.get("payload")
            for b in buttons
        )
    )


def _handler(fake: FakeZalo) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server names it)
            raw = self.read_body()
            path = self.path.split("?", 1)[0]
            if path == SEND_PATH:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                status, answer = fake._send(str(self.headers.get("access_token") or ""), body)
            elif path == TOKEN_PATH:
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
                status, answer = fake._refresh(str(self.headers.get("secret_key") or ""), form)
            else:
                status, answer = 404, {"error": 404, "message": "Not found"}
            self.send_json(status, answer)

    return Handler


@contextmanager
def running(**options: Any) -> Iterator[FakeZalo]:
    with FakeZalo(**options) as fake:
        yield fake
