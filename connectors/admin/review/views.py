"""Conversations as the review pages show them: times in Vietnam, personal data masked unless
the reviewer may see it (the masking of `replay record`, qa/mask.py: the same number gets the
same stand-in throughout a conversation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.admin.review.tracker import VIETNAM_TZ, Session
from qa.mask import Masker


def shown_text(text: str, unmasked: bool, masker: Masker | None = None) -> str:
    return text if unmasked else (masker or Masker()).citizen(text)


@dataclass(frozen=True)
class ShownTurn:
    position: int
    at: str
    channel: str
    text: str
    intent: str | None
    confidence: float | None
    actions: list[str]
    responses: list[str]
    bot_texts: list[str]
    staff_texts: list[str]


@dataclass
class Shown:
    number: int
    started_at: str
    channel: str
    turns: list[ShownTurn] = field(default_factory=list)


def shown_sessions(sessions: list[Session], unmasked: bool) -> list[Shown]:
    masker = Masker()  # one per conversation: stand-ins stay consistent across its turns
    out: list[Shown] = []
    for session in sessions:
        shown = Shown(
            session.number,
            session.started_at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M"),
            session.channel,
        )
        for turn in session.turns:
            shown.turns.append(ShownTurn(
                position=turn.position,
                at=turn.at.astimezone(VIETNAM_TZ).strftime("%H:%M:%S"),
                channel=turn.channel,
                text=shown_text(turn.text, unmasked, masker),
                intent=turn.intent,
                confidence=turn.confidence,
                actions=list(turn.actions),
                responses=list(turn.responses),
                bot_texts=[t if unmasked else masker.bot(t) for t in turn.bot_texts],
                staff_texts=[t if unmasked else masker.bot(t) for t in turn.staff_texts],
            ))
        out.append(shown)
    return out
