"""Finding 1 of issue 10: another citizen's socket.io conversation could be joined.

Replayed against the running stack with a real socket.io client. A victim opens the chat from the
chat page's origin (/chat/ on the Rasa server) and looks up a demo dossier; an attacker tries what
worked before the fix: connecting from another site, and asking for the victim's session id (with
no token or a forged one) to read the replies, the conversation so far (``session_history``, sent
when a session is resumed) and type into the conversation.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import httpx
import pytest
import socketio  # type: ignore[import-untyped]

from scripts.stack import Stack
from tests.e2e.conftest import user_texts
from tests.security.conftest import Instances

pytestmark = pytest.mark.e2e

# connectors/seed/dossiers.yml: a birth registration that needs a supplement
DOSSIER = "000.00.30.H56-261115-0012"
LOOKUP = f"tra cứu hồ sơ {DOSSIER}, CCCD 079203001234"
REPLY_WAIT = 30.0  # seconds for the first reply (actions and connectors included)
QUIET = 2.0  # seconds without a new reply: the bot has finished answering


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


class Chat:
    """One browser tab: a socket.io connection that records what the server sends it."""

    def __init__(self, url: str, origin: str | None) -> None:
        self.confirms: list[Any] = []
        self.histories: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        # the WebSocket handshake carries exactly this Origin (or none), as a browser's would
        handshake = {"origin": origin} if origin is not None else {"suppress_origin": True}
        self.client = socketio.Client(reconnection=False, websocket_extra_options=handshake)
        self.client.on("session_confirm", self.confirms.append)
        self.client.on("session_history", self.histories.append)
        self.client.on("bot_uttered", self.replies.append)
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def request_session(self, session: dict[str, Any] | None = None) -> dict[str, Any]:
        before = len(self.confirms), len(self.histories)
        self.client.emit("session_request", session or {"session_id": None})
        assert wait_for(lambda: len(self.confirms) > before[0], 10), "no session_confirm"
        # the history follows the confirmation (empty unless a session was resumed with its token)
        assert wait_for(lambda: len(self.histories) > before[1], 10), "no session_history"
        confirm = self.confirms[-1]
        if isinstance(confirm, str):  # Rasa's own channel sends the bare id, and no token
            return {"session_id": confirm, "session_token": None}
        assert isinstance(confirm, dict)
        return confirm

    def say(self, message: str, session_id: str) -> None:
        self.client.emit("user_uttered", {"message": message, "session_id": session_id})

    def texts(self) -> str:
        return "\n".join(str(r.get("text", "")) for r in self.replies)

    def wait_for_replies(self, since: int = 0) -> list[dict[str, Any]]:
        assert wait_for(lambda: len(self.replies) > since, REPLY_WAIT), "the bot did not answer"
        count = -1
        while count != len(self.replies):
            count = len(self.replies)
            time.sleep(QUIET)
        return self.replies[since:]

    def history_texts(self) -> str:
        return "\n".join(str(m.get("text")) for h in self.histories for m in h["messages"])

    def close(self) -> None:
        self.client.disconnect()


def chat_origin(stack: Stack) -> str:
    """The origin of the chat page (/chat/ on the Rasa server): the one allowed by default."""
    return stack.config.rasa_url


class OpenChat(Protocol):
    def __call__(self, origin: str | None, url: str | None = None) -> Chat: ...


@pytest.fixture
def chats(stack: Stack) -> Iterator[OpenChat]:
    """Opens chats from ``origin`` on the stack's Rasa instance, or on the one at ``url``."""
    opened: list[Chat] = []

    def open_chat(origin: str | None, url: str | None = None) -> Chat:
        chat = Chat(url or stack.config.rasa_url, origin)
        opened.append(chat)
        return chat

    yield open_chat
    for chat in opened:
        chat.close()


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",  # sandboxed frames, file:// pages
        None,  # no Origin at all
        "http://127.0.0.1:1",  # loopback, another port
    ],
)
def test_a_page_of_another_origin_cannot_connect(
    chats: OpenChat, origin: str | None
) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        chats(origin)


def test_the_connectors_origin_no_longer_hosts_the_chat_and_cannot_connect(
    stack: Stack, chats: OpenChat
) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        chats(stack.config.connectors_url)


def test_the_chat_page_origin_connects_and_gets_a_server_issued_session(
    stack: Stack, chats: OpenChat
) -> None:
    chosen = uuid.uuid4().hex
    chat = chats(chat_origin(stack))

    confirm = chat.request_session({"session_id": chosen})

    assert confirm["session_id"] != chosen  # a page cannot choose its session id
    assert set(confirm) == {"session_id", "session_token"}
    assert len(confirm["session_token"]) >= 40


@pytest.mark.parametrize(
    ("forged_token", "instances"),
    [
        (None, "same instance"),
        ("", "same instance"),
        ("A" * 43, "same instance"),  # the shape of a real token
        ("own-token", "same instance"),  # the attacker's own (valid) token for its own session
        # the attacker's socket on another Rasa instance than the victim's (the same secret
        # signs every instance's sessions): a forged token, and a valid one of another session
        ("A" * 43, "other instance"),
        ("own-token", "other instance"),
    ],
    indirect=["instances"],
)
def test_another_socket_cannot_join_a_citizens_conversation(
    stack: Stack, chats: OpenChat, forged_token: str | None, instances: Instances
) -> None:
    victim = chats(chat_origin(stack), instances.first)
    victim_session = victim.request_session()
    victim_id = victim_session["session_id"]
    victim.say(LOOKUP, victim_id)
    assert DOSSIER in "\n".join(str(r.get("text")) for r in victim.wait_for_replies())

    attacker = chats(chat_origin(stack), instances.second)
    own = attacker.request_session()
    token = own["session_token"] if forged_token == "own-token" else forged_token
    taken = attacker.request_session({"session_id": victim_id, "session_token": token})

    # the victim goes on; nothing of it reaches the attacker
    seen = len(victim.replies)
    victim.say("vậy em cần bổ sung cái gì?", victim_id)
    victim.wait_for_replies(since=seen)
    assert attacker.replies == []
    # the attacker got a NEW session, not the victim's, and nothing of its conversation so far
    assert taken["session_id"] not in (victim_id, own["session_id"])
    assert attacker.histories[-1] == {"session_id": taken["session_id"], "messages": []}
    assert DOSSIER not in attacker.history_texts()
    # the attacker types into the victim's conversation: dropped
    marker = f"attacker-{uuid.uuid4().hex[:8]}"
    seen = len(victim.replies)
    attacker.say(f"xin chào {marker}", victim_id)
    time.sleep(QUIET * 2)
    assert attacker.replies == []
    assert len(victim.replies) == seen
    assert not any(marker in text for text in user_texts(stack, victim_id))
    # in its own session the attacker is an ordinary citizen
    attacker.say("xin chào", taken["session_id"])
    assert attacker.wait_for_replies()


def test_the_citizen_resumes_the_session_with_its_token_after_reconnecting(
    stack: Stack, chats: OpenChat, instances: Instances
) -> None:
    """Behind a load balancer the new socket may land on another Rasa instance: the session,
    its history and its conversation come along (one SESSION_SECRET, one tracker store)."""
    first = chats(chat_origin(stack), instances.first)
    session = first.request_session()
    first.say(LOOKUP, session["session_id"])
    first.wait_for_replies()
    first.close()

    again = chats(chat_origin(stack), instances.second)
    resumed = again.request_session(session)
    again.say("vậy em cần bổ sung cái gì?", resumed["session_id"])

    assert resumed == session
    # the token holder gets the conversation so far back (the page shows it after a reload)
    assert again.histories[-1]["session_id"] == session["session_id"]
    assert [m["text"] for m in again.histories[-1]["messages"] if m["sender"] == "user"] == [LOOKUP]
    assert DOSSIER in again.history_texts()
    assert again.wait_for_replies()
    assert user_texts(stack, session["session_id"]) == [LOOKUP, "vậy em cần bổ sung cái gì?"]


def test_a_citizens_session_id_is_no_sender_on_the_rest_channel(
    stack: Stack, chats: OpenChat
) -> None:
    """Found by the second probe: the socket's session id, posted as a REST sender, wrote into the
    citizen's conversation without the signed token."""
    victim = chats(chat_origin(stack))
    session_id = victim.request_session()["session_id"]
    victim.say("xin chào", session_id)
    assert victim.wait_for_replies()

    forged = httpx.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": session_id, "message": "tra cứu hồ sơ"},
        timeout=30,
    )

    assert forged.status_code == 400
    assert "tra cứu hồ sơ" not in user_texts(stack, session_id)
