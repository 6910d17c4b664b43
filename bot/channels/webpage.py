"""The citizen web chat, served by the Rasa server: the same origin as its socket.io channel.

    /chat/             the full page (web/chat.html)
    /chat/embed        the same page inside the floating bubble of another site
    /chat/widget.js    the one script a city website adds to get the bubble (web/widget.js)
    /chat/assets/NAME  the page's script and styles, and the socket.io client from npm
    /chat/config.json  the locality's name and hotline for the header (from the connectors)

The files live in web/ at the repository root (WEB_DIR elsewhere), not in bot/: editing the widget
changes no model fingerprint (scripts/stack.py MODEL_INPUTS). Only the files listed here are ever
served. The embedded page may be framed only by the sites of ALLOWED_ORIGINS (CSP
frame-ancestors); the full page by none. This channel takes no messages: the page talks to the
socket.io channel (bot/channels/socketio.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.headers import page_policy
from bot.channels.origins import allowed_origins

logger = logging.getLogger(__name__)

DEFAULT_WEB_DIR = Path(__file__).resolve().parents[2] / "web"
JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
HTML = "text/html; charset=utf-8"
# name in the URL -> (file under the web folder, media type); nothing else is served
ASSETS = {
    "chat.js": ("assets/chat.js", JS),
    "render.js": ("assets/render.js", JS),
    "chat.css": ("assets/chat.css", CSS),
    "widget.css": ("assets/widget.css", CSS),
    # the ES module build: chat.js imports it, no global
    "socket.io.esm.min.js": ("node_modules/socket.io-client/dist/socket.io.esm.min.js", JS),
}
# the page's files hold no one's data: a browser may keep them a few minutes
STATIC_CACHE = {"Cache-Control": "public, max-age=300"}
CONFIG_TTL = 300.0  # seconds the locality's name and hotline are kept
CONFIG_RETRY = 15.0  # seconds before asking the connectors again after a failure
CONFIG_TIMEOUT = 2.0


def web_dir(environ: Mapping[str, str]) -> Path:
    configured = environ.get("WEB_DIR", "").strip()
    return Path(configured) if configured else DEFAULT_WEB_DIR


class LocalityConfig:
    """The header's locality name and hotline, read from the connectors (one source of truth
    for every channel) and kept a few minutes; empty when they cannot be reached."""

    def __init__(self, connectors_url: str) -> None:
        self.url = f"{connectors_url.rstrip('/')}/api/v1/webchat/config" if connectors_url else ""
        self.value: dict[str, str] = {}
        self.expires = 0.0

    async def get(self) -> dict[str, str]:
        now = time.monotonic()
        if now < self.expires or not self.url:
            return self.value
        try:
            timeout = aiohttp.ClientTimeout(total=CONFIG_TIMEOUT)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(self.url) as answer,
            ):
                answer.raise_for_status()
                body = await answer.json()
            self.value = {
                "title": str(body.get("title") or ""),
                "hotline": str(body.get("hotline") or ""),
            }
            self.expires = now + CONFIG_TTL
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AttributeError) as exc:
            # the page still works, without the locality's name (the last one known is kept)
            logger.warning("the chat page's locality could not be read from %s: %r", self.url, exc)
            self.expires = now + CONFIG_RETRY
        return self.value


class WebPageInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "webpage"

    def url_prefix(self) -> str:
        # Rasa joins it to /webhooks/: an absolute prefix puts the page at /chat
        return "/chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # read here, not at import: the launcher's environment decides
        web = web_dir(os.environ)
        embedders = allowed_origins(os.environ)
        locality = LocalityConfig(os.environ.get("CONNECTORS_URL", ""))
        client = web / ASSETS["socket.io.esm.min.js"][0]
        if not client.is_file():
            logger.error(
                "%s is missing: the chat page cannot connect. Run `make setup` (npm ci in web/).",
                client,
            )
        full_page = {"Content-Security-Policy": page_policy(), "X-Frame-Options": "DENY"}
        embedded_page = {"Content-Security-Policy": page_policy(embedders)}
        bp = Blueprint("webpage", strict_slashes=True)

        @bp.route("", methods=["GET"])
        async def to_page(_request: Request) -> HTTPResponse:
            # relative: the page's own files are relative to /chat/, behind a proxy's prefix too
            return response.redirect("chat/", status=301)

        @bp.route("/", methods=["GET"])
        async def page(_request: Request) -> HTTPResponse:
            return await response.file(web / "chat.html", mime_type=HTML, headers=dict(full_page))

        @bp.route("/embed", methods=["GET"])
        async def embedded(_request: Request) -> HTTPResponse:
            return await response.file(
                web / "chat.html", mime_type=HTML, headers=dict(embedded_page)
            )

        @bp.route("/widget.js", methods=["GET"])
        async def widget(_request: Request) -> HTTPResponse:
            return await response.file(web / "widget.js", mime_type=JS, headers=dict(STATIC_CACHE))

        @bp.route("/assets/<name>", methods=["GET"])
        async def asset(_request: Request, name: str) -> HTTPResponse:
            found = ASSETS.get(name)
            if found is None or not (web / found[0]).is_file():
                return response.json(
                    {"detail": "Không tìm thấy tệp."},
                    status=404,
                    dumps=lambda value: json.dumps(value, ensure_ascii=False),
                )
            path, media_type = found
            return await response.file(web / path, mime_type=media_type, headers=dict(STATIC_CACHE))

        @bp.route("/config.json", methods=["GET"])
        async def config(_request: Request) -> HTTPResponse:
            return response.json(
                await locality.get(),
                headers=dict(STATIC_CACHE),
                dumps=lambda value: json.dumps(value, ensure_ascii=False),
            )

        return bp
