"""Starts the Rasa server like ``rasa run``, with the API token from the environment.

    .venv-rasa/bin/python -m bot.serve --model M --endpoints E --credentials C --enable-api ...

Every option of ``rasa run`` is accepted, except ``--auth-token``: a token in the command line is
readable by every user of the machine (``ps``, /proc/<pid>/cmdline). The token comes from
RASA_AUTH_TOKEN and is handed to Rasa's own CLI inside this process only (the kernel keeps the
command line the process was started with, not ``sys.argv``). Every response also gets the
security headers of bot/channels/headers.py, and every log line is redacted (vnid/redact.py).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

USAGE_ERROR = 2


def _refuse(message: str) -> int:
    print(f"bot.serve: {message}", file=sys.stderr)
    return USAGE_ERROR


def _with_security_headers(configure_app: Callable[..., Any]) -> Callable[..., Any]:
    """Rasa's ``configure_app`` whose app also sends the security headers and caps requests."""
    from bot.channels import headers
    from bot.channels.limits import MAX_REQUEST_BYTES

    def configure(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        headers.install(app)
        # Sanic reads up to 100 MB into memory by default before any channel sees it
        app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
        return app

    return configure


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in args):
        return _refuse("--auth-token is not accepted here; set RASA_AUTH_TOKEN instead")
    token = os.environ.get("RASA_AUTH_TOKEN", "").strip()
    if "--enable-api" in args and not token:
        return _refuse("--enable-api needs RASA_AUTH_TOKEN: the HTTP API is never left open")

    import rasa.core.run
    from rasa.__main__ import main as rasa_main

    # shared with actions/ and connectors/: pure Python, no dependency
    from vnid import redact, request_id

    redact.install()  # no citizen's ID number, phone or dossier code in a log line
    request_id.install()  # a message's log lines end with its request id
    # our channels' line per message (Rasa sets the level of its own loggers only)
    logging.getLogger("bot").setLevel(logging.INFO)

    # serve_application() looks configure_app up in its module when it runs
    rasa.core.run.configure_app = _with_security_headers(rasa.core.run.configure_app)
    sys.argv = ["rasa", "run", *args, *(["--auth-token", token] if token else [])]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
