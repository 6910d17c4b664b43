"""Session ids the server issues, each with a token only the server can make (HMAC-SHA256).

A socket.io session id used to be chosen by the page and shared by every socket that named it, so
anyone who learnt it read and wrote someone else's conversation. Now the server issues the id and
its token in ``session_confirm``; resuming a session needs both, and a socket speaks only in the
session it holds (bot/channels/socketio.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# tokens of this module are never valid for anything else signed with the same secret
_PURPOSE = b"tldvc/socketio-session/v1\x00"


SESSION_PREFIX = "sio-"


@dataclass(frozen=True)
class Session:
    session_id: str
    token: str


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("the session secret must not be empty")
        self._secret = secret

    def token_for(self, session_id: str) -> str:
        digest = hmac.new(self._secret, _PURPOSE + session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def issue(self) -> Session:
        # the prefix marks it as the socket's: the REST channel refuses it as a sender, so a
        # session id alone (no signed token) never reaches the conversation by another door
        session_id = SESSION_PREFIX + uuid.uuid4().hex
        return Session(session_id, self.token_for(session_id))

    def verify(self, session_id: object, token: object) -> bool:
        """True when ``token`` is the one this server issued for ``session_id``."""
        if not isinstance(session_id, str) or not isinstance(token, str):
            return False
        if not session_id or not token:
            return False
        # constant time: a wrong token says nothing about the right one
        return hmac.compare_digest(self.token_for(session_id), token)


def session_secret(environ: Mapping[str, str]) -> bytes:
    """SESSION_SECRET, or a random one for this process (sessions then end on restart)."""
    value = environ.get("SESSION_SECRET", "").strip()
    if value:
        return value.encode()
    logger.warning(
        "SESSION_SECRET is not set: web chat sessions cannot be resumed after a restart"
    )
    return secrets.token_bytes(32)
