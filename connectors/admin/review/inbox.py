"""Which citizen messages deserve a reviewer's look, and why (pure: sessions and ratings in).

- fallback: the NLU did not understand it (``nlu_fallback`` or Rasa's fallback action);
- low confidence: understood, but with less than ``low_confidence`` (a button tap never is);
- abstained: the procedure search found no procedure that fits (``utter_not_covered``);
- picked another: the bot offered procedures as buttons and the citizen tapped one other than the
  first, the one search ranked best: the phrasing may be an alias of the procedure picked;
- rated badly: the answer before a rating of 1 or 2;
- handoff: the conversation was handed to staff (the question before "gặp cán bộ", when there
  was one: that is what the bot did not answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from connectors.admin.kpi.figures import (
    HANDOFF_ACTION,
    RESOLVING_ACTIONS,
    DateRange,
    RatingRow,
    is_fallback,
)
from connectors.admin.review.tracker import PROCEDURE_PAYLOAD, Session, Turn

Reason = Literal["fallback", "low_confidence", "abstained", "picked_other", "rated_badly",
                 "handoff"]
REASONS: dict[Reason, str] = {
    "fallback": "Trợ lý không hiểu",
    "low_confidence": "Độ tin cậy thấp",
    "abstained": "Không tìm được thủ tục phù hợp",
    "picked_other": "Người dân chọn thủ tục khác",
    "rated_badly": "Bị đánh giá thấp",
    "handoff": "Chuyển cán bộ",
}
LOW_CONFIDENCE = 0.6  # the NLU's fallback threshold is 0.4 (config.yml): just above it is shaky
BAD_SCORE = 2
ABSTENTIONS = frozenset({"utter_not_covered"})
REQUEST_HUMAN = "request_human"


@dataclass
class Item:
    """One message to review."""

    session: Session
    turn: Turn
    reasons: list[Reason] = field(default_factory=list)
    procedure_code: str | None = None  # the procedure the citizen picked or was answered about

    @property
    def key(self) -> str:
        return message_key(self.turn.sender, self.turn.position)

    @property
    def reason_titles(self) -> list[str]:
        return [REASONS[r] for r in self.reasons]


def message_key(sender: str, position: int) -> str:
    return f"{position}:{sender}"


def _picked(next_turn: Turn | None) -> str | None:
    if next_turn is None:
        return None
    match = PROCEDURE_PAYLOAD.match(next_turn.text)
    return match["code"] if match else None


def _question_before(turns: Sequence[Turn], index: int) -> int:
    """The citizen's last own phrasing at or before ``index`` (a tap is not one)."""
    for i in range(index, -1, -1):
        if not turns[i].is_payload:
            return i
    return index


def _handed_over(turns: Sequence[Turn], index: int) -> int:
    """For a handoff at ``index``: the question the bot did not answer, if the citizen asked one
    before asking for a person; else the message that asked."""
    if turns[index].intent == REQUEST_HUMAN:
        for i in range(index - 1, -1, -1):
            if not turns[i].is_payload and turns[i].intent != REQUEST_HUMAN:
                return i
    return index


def _rated(turns: Sequence[Turn], at: datetime) -> int | None:
    """The answer a rating given at ``at`` judged: the last turn before it that answered."""
    before = [i for i, t in enumerate(turns) if t.at <= at]
    if not before:
        return None
    answered = [i for i in before if RESOLVING_ACTIONS & set(turns[i].actions)]
    return _question_before(turns, answered[-1] if answered else before[-1])


def session_items(
    session: Session, ratings: Iterable[RatingRow] = (), low_confidence: float = LOW_CONFIDENCE
) -> list[Item]:
    turns = session.turns
    found: dict[int, Item] = {}

    def flag(index: int, reason: Reason, code: str | None = None) -> None:
        item = found.setdefault(index, Item(session, turns[index]))
        if reason not in item.reasons:
            item.reasons.append(reason)
        if code and item.procedure_code is None:
            item.procedure_code = code

    for i, turn in enumerate(turns):
        following = turns[i + 1] if i + 1 < len(turns) else None
        answered_code = turn.slots.get("procedure_code")
        if is_fallback(turn) and not turn.is_payload:
            flag(i, "fallback")
        elif (not turn.is_payload and turn.confidence is not None
              and turn.confidence < low_confidence):
            flag(i, "low_confidence", answered_code)
        if ABSTENTIONS & set(turn.responses):
            flag(i, "abstained")
        offered = [b.procedure_code for b in turn.buttons if b.procedure_code]
        picked = _picked(following)
        if offered and picked and picked != offered[0]:
            flag(_question_before(turns, i), "picked_other", picked)
        if HANDOFF_ACTION in turn.actions:
            flag(_handed_over(turns, i), "handoff")
    for rating in ratings:  # those given during this session
        if rating.score <= BAD_SCORE and (index := _rated(turns, rating.at)) is not None:
            flag(index, "rated_badly")
    return [found[i] for i in sorted(found)]


def ratings_by_session(
    sessions: Sequence[Session], ratings: Iterable[RatingRow]
) -> dict[tuple[str, int], list[RatingRow]]:
    """Each rating goes to its sender's last session begun before it."""
    starts: dict[str, list[Session]] = {}
    for session in sessions:
        starts.setdefault(session.sender, []).append(session)
    out: dict[tuple[str, int], list[RatingRow]] = {}
    for rating in ratings:
        begun = [s for s in starts.get(rating.conversation_id, []) if s.started_at <= rating.at]
        if begun:
            last = max(begun, key=lambda s: s.started_at)
            out.setdefault((last.sender, last.number), []).append(rating)
    return out


def inbox(
    sessions: Iterable[Session], ratings: Sequence[RatingRow], days: DateRange | None = None,
    low_confidence: float = LOW_CONFIDENCE,
) -> list[Item]:
    """Messages to review, newest first (in ``days``, when given)."""
    sessions = list(sessions)
    rated = ratings_by_session(sessions, ratings)
    items = [
        item
        for session in sessions
        for item in session_items(
            session, rated.get((session.sender, session.number), []), low_confidence
        )
        if days is None or item.turn.day in days
    ]
    return sorted(items, key=lambda item: item.turn.at, reverse=True)
