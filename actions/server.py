"""The action server, as ``python -m rasa_sdk --actions actions`` ran it, made safe to expose.

    python -m actions.server --port 5055          # host from ACTIONS_HOST, default 127.0.0.1

rasa-sdk's own command binds 0.0.0.0 and runs whatever tracker it is sent, so anyone who can
reach the port can skip a form's limits and read dossiers. This launcher keeps the same app
(``rasa_sdk.endpoint.create_app``), the ``actions`` package and the logging options, and adds:

- loopback by default (``--host`` / ``ACTIONS_HOST``);
- the token Rasa sends with every call (``action_endpoint.token`` in endpoints.yml, sent as the
  query parameter ``token``), compared with ``ACTION_SERVER_TOKEN``; without that variable the
  server refuses to start. ``/health`` stays open: it says only "ok";
- a checked ``/webhook`` body: malformed, oversized or undecodable bodies get a 4xx with a JSON
  ``error``, never a 500 (and never an echo of the body, which holds the citizen's messages).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import time
import zlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.handlers import ErrorHandler
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse
from sanic.worker.loader import AppLoader

from actions.metrics import ActionMetrics
from vnid import redact, request_id

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
TOKEN_ENV = "ACTION_SERVER_TOKEN"
# Rasa sends the whole tracker (every event of every session) and the domain (~50 kB) on each
# call; a turn adds a few kB, so 4 MiB holds about a thousand turns of one citizen.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
# Rasa's EndpointConfig default `token_name`.
TOKEN_PARAM = "token"
OPEN_PATHS = frozenset({"/health", "/metrics"})

UNAUTHORISED = "Thiếu hoặc sai mã xác thực của máy chủ hành động (tham số token)."
NOT_JSON = "Nội dung yêu cầu không phải JSON hợp lệ."
BAD_SHAPE = "Nội dung yêu cầu không đúng định dạng lời gọi hành động của Rasa."
TOO_LARGE = "Nội dung yêu cầu quá lớn."
SERVER_ERROR = "Máy chủ hành động gặp lỗi khi xử lý yêu cầu."
BAD_REQUEST = "Yêu cầu không hợp lệ."
CLIENT_ERRORS = {
    404: "Không có địa chỉ này trên máy chủ hành động.",
    405: "Địa chỉ này không nhận phương thức HTTP đó.",
    413: TOO_LARGE,
}


AnyApp = Sanic[Any, Any]


class MissingToken(RuntimeError):
    """ACTION_SERVER_TOKEN is not set: an action server without it would serve anyone."""


# ----------------------------------------------------------------------------- the body


class _Part(BaseModel):
    # Rasa adds keys between versions: only what the actions read is checked, the rest passes.
    model_config = ConfigDict(extra="allow")


class _Event(_Part):
    event: str


class _LatestMessage(_Part):
    text: str | None = None
    intent: dict[str, Any] | None = None
    entities: list[dict[str, Any]] | None = None


class _Tracker(_Part):
    sender_id: str = Field(min_length=1)
    slots: dict[str, Any] | None = None
    latest_message: _LatestMessage | None = None
    events: list[_Event] | None = None
    active_loop: dict[str, Any] | None = None
    followup_action: str | None = None
    latest_action_name: str | None = None


class ActionCall(_Part):
    """What Rasa POSTs to /webhook (``RemoteAction._action_call_format``)."""

    next_action: str = Field(min_length=1)
    tracker: _Tracker
    domain: dict[str, Any] | None = None
    version: str | None = None


class BadBody(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def read_action_call(body: bytes, encoding: str | None, max_bytes: int) -> dict[str, Any]:
    """The checked action call, or BadBody with the status to answer.

    A deflated body is inflated at most to ``max_bytes`` (a small bomb must not become GBs).
    """
    if (encoding or "").strip().lower() == "deflate":
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            raise BadBody(400, NOT_JSON) from exc
        if len(body) > max_bytes or inflater.unconsumed_tail:
            raise BadBody(413, TOO_LARGE)
    try:
        call = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadBody(400, NOT_JSON) from exc
    if not isinstance(call, dict):
        raise BadBody(400, BAD_SHAPE)
    try:
        ActionCall.model_validate(call)
    except (ValidationError, RecursionError) as exc:
        raise BadBody(422, BAD_SHAPE) from exc
    return call


# ----------------------------------------------------------------------------- the app


def token_matches(given: str | None, expected: str) -> bool:
    # bytes: compare_digest refuses non-ASCII str, and a token is whatever a caller types
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class JsonErrors(ErrorHandler):
    """Every error as JSON. rasa-sdk's own handler answers 500 to any exception (a 404 or a
    413 included) and echoes the request body, i.e. the citizen's conversation."""

    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException) and exception.status_code < 500:
            status = exception.status_code
            return _error(status, CLIENT_ERRORS.get(status, BAD_REQUEST))
        logger.error("request %s %s failed", request.method if request else "?",
                     request.path if request else "?", exc_info=exception)
        return _error(500, SERVER_ERROR)


@dataclass(frozen=True)
class ServerOptions:
    token: str
    actions: str = "actions"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    loglevel: int = logging.INFO
    log_file: str | None = None
    logging_config_file: str | None = None


def configure_logging(options: ServerOptions) -> None:
    """As rasa-sdk's command does it (and again in each worker process, which starts afresh)."""
    redact.install()  # no citizen's ID number, phone or dossier code in a log line
    request_id.install()  # a call's log lines end with the id of the citizen's message
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    # httpx logs each request's URL at INFO: the procedure search carries the citizen's message
    logging.getLogger("httpx").setLevel(logging.WARNING)
    utils.configure_colored_logging(options.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        options.log_file,
        options.loglevel,
        options.logging_config_file,
    )
    utils.update_sanic_log_level()


def build_app(options: ServerOptions) -> AnyApp:
    """rasa-sdk's app for the ``actions`` package, behind the token and the body checks."""
    executor = ActionExecutor()
    executor.register_package(options.actions)
    # no CORS: only Rasa calls this server, never a browser
    app: AnyApp = create_app(executor, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = options.max_body_bytes
    app.error_handler = JsonErrors()

    async def remember_failure(request: Request, exception: Exception) -> None:
        request.ctx.failed = exception

    # Sanic runs the request middleware again for a request that already failed (a body over
    # the limit, an unknown path): then the error handler answers, not the body check.
    app.add_signal(remember_failure, "http.lifecycle.exception")

    metrics = ActionMetrics()

    async def exposition(_request: Request) -> HTTPResponse:
        body, content_type = metrics.exposition()
        return response.raw(body, content_type=content_type)

    app.add_route(exposition, "/metrics", methods=["GET"])

    async def guard(request: Request) -> HTTPResponse | None:
        # set on every request: a kept-alive connection handles the next one in the same task
        request_id.current.set(None)
        request.ctx.started = time.perf_counter()
        if getattr(request.ctx, "failed", None) is not None:
            return None
        if request.method == "OPTIONS" or request.path in OPEN_PATHS:
            return None
        if not token_matches(request.args.get(TOKEN_PARAM), options.token):
            return _error(401, UNAUTHORISED)
        if request.path == "/webhook" and request.method == "POST":
            try:
                call = read_action_call(
                    request.body, request.headers.get("content-encoding"),
                    options.max_body_bytes,
                )
            except BadBody as exc:
                return _error(exc.status, exc.message)
            if (request.headers.get("content-encoding") or "").lower() != "deflate":
                # parsed once, checked; the handler reuses it
                request.parsed_json = call  # type: ignore[assignment]
            request.ctx.action = str(call.get("next_action"))
            latest = (call.get("tracker") or {}).get("latest_message") or {}
            request_id.current.set(request_id.valid(latest.get("message_id")))
        return None

    async def measure(request: Request, answer: BaseHTTPResponse) -> None:
        action = getattr(request.ctx, "action", None)
        if action is not None:
            elapsed = time.perf_counter() - request.ctx.started
            metrics.observe(action, answer.status, elapsed)
            logger.info("%s %d %.1f ms", action, answer.status, elapsed * 1000)

    app.register_middleware(guard, "request")
    app.register_middleware(measure, "response")
    return app


# ----------------------------------------------------------------------------- command line


def required_token(environ: dict[str, str] | None = None) -> str:
    token = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    if not token:
        raise MissingToken(
            f"{TOKEN_ENV} is not set: the action server will not start without it. Set the same "
            "value for Rasa (endpoints.yml: action_endpoint.token) and for this server; "
            "`make run` generates one into var/secrets/."
        )
    return token


def parser() -> argparse.ArgumentParser:
    parsed = argparse.ArgumentParser(
        prog="python -m actions.server", description="Starts the action server."
    )
    parsed.add_argument(
        "-p", "--port", type=int,
        default=int(os.environ.get("ACTIONS_PORT") or DEFAULT_SERVER_PORT),
        help="port to listen on (default: ACTIONS_PORT or 5055)",
    )
    parsed.add_argument(
        "--host", default=os.environ.get("ACTIONS_HOST") or DEFAULT_HOST,
        help="interface to listen on (default: ACTIONS_HOST or 127.0.0.1)",
    )
    parsed.add_argument("--actions", default="actions", help="package of the actions")
    parsed.add_argument(
        "--max-body-bytes", type=int,
        default=int(os.environ.get("ACTIONS_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
        help="largest request body accepted (default: ACTIONS_MAX_BODY_BYTES or 4 MiB)",
    )
    utils.add_logging_level_option_arguments(parsed)
    utils.add_logging_file_arguments(parsed)
    return parsed


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        token = required_token()
    except MissingToken as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    options = ServerOptions(
        token=token,
        actions=args.actions,
        max_body_bytes=args.max_body_bytes,
        loglevel=args.loglevel,
        log_file=args.log_file,
        logging_config_file=args.logging_config_file,
    )
    configure_logging(options)
    # the factory runs again in each worker process (Sanic starts them afresh)
    loader = AppLoader(factory=partial(_worker_app, options))
    app = loader.load()
    app.prepare(host=args.host, port=args.port, workers=utils.number_of_sanic_workers())
    logger.info("Action endpoint is up and running on http://%s:%s", args.host, args.port)
    Sanic.serve(primary=app, app_loader=loader)
    return 0


def _worker_app(options: ServerOptions) -> AnyApp:
    configure_logging(options)
    return build_app(options)


if __name__ == "__main__":
    # run through the importable module, so the worker processes find `_worker_app` by name
    from actions.server import main as _main

    sys.exit(_main())
