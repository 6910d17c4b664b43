"""Which web pages may open a chat with the bot: ALLOWED_ORIGINS, matched exactly.

Browsers send ``Origin`` on socket.io connections; a page of any other site must not be able to
chat in its visitors' name. Non-browser clients can forge the header, which is why sessions are
also bound to signed tokens (bot/channels/sessions.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(origin: str) -> str | None:
    """``scheme://host[:port]`` in lower case, without a default port; None if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    if ":" in host:  # IPv6 literal: keep its brackets
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_origins(value: str) -> frozenset[str]:
    """The comma-separated ALLOWED_ORIGINS as normalised origins (entries that are none dropped)."""
    found = (normalise_origin(item) for item in value.split(","))
    return frozenset(origin for origin in found if origin)


def allowed_origins(environ: Mapping[str, str]) -> frozenset[str]:
    return parse_origins(environ.get("ALLOWED_ORIGINS", ""))


def page_origin(environ: Mapping[str, str]) -> str | None:
    """The origin of the chat page this server serves (RASA_PUBLIC_URL), or None when that is
    unset or relative (behind a proxy on the same origin: ALLOWED_ORIGINS must name it then)."""
    public = environ.get("RASA_PUBLIC_URL", "").strip()
    if not public:
        return None
    parts = urlsplit(public)
    return normalise_origin(f"{parts.scheme}://{parts.netloc}") if parts.netloc else None


def socket_origins(environ: Mapping[str, str]) -> frozenset[str]:
    """Pages that may open a socket.io chat: ALLOWED_ORIGINS and the chat page's own origin."""
    own = page_origin(environ)
    return allowed_origins(environ) | ({own} if own else set())


def origin_allowed(origin: str | None, allowed: frozenset[str]) -> bool:
    """True only for an Origin header naming one of ``allowed``; a missing one is refused."""
    if not origin:
        return False
    normalised = normalise_origin(origin)
    return normalised is not None and normalised in allowed
