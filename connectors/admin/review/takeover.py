"""Staff taking over a conversation handed to them: the bot pauses for it, staff reply through the
citizen's channel, and the bot resumes when they hand it back.

All through Rasa's HTTP API (token-secured), never by importing Rasa: a ``pause`` event stops the
bot answering that conversation (Rasa still records what the citizen writes), a ``bot`` event
appended with ``execute_side_effects`` is sent to the channel the citizen last wrote from, and a
``resume`` event gives the conversation back. Any Rasa instance will do: trackers and locks are
shared in Redis.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy.orm import Session

from connectors.admin.audit import record
from connectors.conversations.models import Handoff
from connectors.conversations.service import HandoffConflict, HandoffNotFound, update_handoff
from connectors.staff.models import StaffAccount

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
MAX_REPLY_CHARS = 2000  # Zalo's limit for one message


class RasaUnavailable(Exception):
    """Rasa did not take the change; ``str(exc)`` is safe to show staff."""


class TakeoverRefused(Exception):
    """Not possible now (``str(exc)`` says why, in Vietnamese)."""


@dataclass(frozen=True)
class RasaConversations:
    url: str
    token: str
    http: httpx.Client

    def _append(self, sender: str, events: list[dict[str, Any]], *, send: bool = False) -> None:
        params = {"token": self.token, "include_events": "NONE"}
        if send:  # bot messages go out through the channel the citizen last wrote from
            params |= {"execute_side_effects": "true", "output_channel": "latest"}
        try:
            answer = self.http.post(
                f"{self.url.rstrip('/')}/conversations/{quote(sender, safe='')}/tracker/events",
                params=params, json=events, timeout=TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Không kết nối được máy chủ trợ lý: {exc}") from exc
        if answer.status_code >= 400:
            logger.warning("Rasa refused %s for a conversation: HTTP %s",
                           [e["event"] for e in events], answer.status_code)
            raise RasaUnavailable(f"Máy chủ trợ lý từ chối (HTTP {answer.status_code}).")

    def pause(self, sender: str) -> None:
        self._append(sender, [{"event": "pause"}])

    def resume(self, sender: str) -> None:
        self._append(sender, [{"event": "resume"}])

    def say(self, sender: str, text: str, staff: str) -> None:
        # metadata.staff tells the figures (and readers of the tracker) a person wrote it
        self._append(sender, [{"event": "bot", "text": text, "data": {},
                               "metadata": {"staff": staff}}], send=True)


def _handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise TakeoverRefused(f"Không có yêu cầu chuyển cán bộ số {handoff_id}.")
    return handoff


def take_over(
    session: Session, rasa: RasaConversations, handoff_id: int, staff: StaffAccount,
    now: datetime,
) -> Handoff:
    """The handoff becomes this staff member's and the bot stops answering the conversation."""
    handoff = _handoff(session, handoff_id)
    if handoff.status != "open":
        who = f" ({handoff.taken_by})" if handoff.taken_by else ""
        raise TakeoverRefused(f"Yêu cầu này đã được tiếp nhận hoặc đã đóng{who}.")
    rasa.pause(handoff.conversation_id)
    try:
        handoff = update_handoff(session, handoff_id, "taken", staff.username, now)
    except (HandoffNotFound, HandoffConflict) as exc:
        rasa.resume(handoff.conversation_id)
        raise TakeoverRefused("Không tiếp nhận được yêu cầu này.") from exc
    record(session, staff, "review.takeover", handoff.conversation_id,
           before={"status": "open"}, after={"status": "taken", "bot": "paused"}, now=now)
    return handoff


def _mine(session: Session, handoff_id: int, staff: StaffAccount) -> Handoff:
    handoff = _handoff(session, handoff_id)
    if handoff.status != "taken" or handoff.taken_by != staff.username:
        raise TakeoverRefused("Anh/chị chưa tiếp nhận cuộc trò chuyện này.")
    return handoff


def reply(
    session: Session, rasa: RasaConversations, handoff_id: int, staff: StaffAccount, text: str,
    now: datetime,
) -> None:
    handoff = _mine(session, handoff_id, staff)
    cleaned = text.strip()
    if not cleaned:
        raise TakeoverRefused("Nội dung trả lời đang để trống.")
    if len(cleaned) > MAX_REPLY_CHARS:
        raise TakeoverRefused(f"Nội dung trả lời dài quá {MAX_REPLY_CHARS} ký tự.")
    rasa.say(handoff.conversation_id, cleaned, staff.username)
    # what staff wrote stays in the conversation (retention applies there), not in the audit log
    record(session, staff, "review.reply", handoff.conversation_id,
           after={"characters": len(cleaned)}, now=now)


def hand_back(
    session: Session, rasa: RasaConversations, handoff_id: int, staff: StaffAccount,
    now: datetime,
) -> Handoff:
    """The bot answers the conversation again; the handoff is closed."""
    handoff = _mine(session, handoff_id, staff)
    rasa.resume(handoff.conversation_id)
    handoff = update_handoff(session, handoff_id, "closed", staff.username, now)
    record(session, staff, "review.handback", handoff.conversation_id,
           before={"status": "taken", "bot": "paused"}, after={"status": "closed"}, now=now)
    return handoff
