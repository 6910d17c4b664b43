"""The figures a province reports about its chatbot, computed from the stored conversations.

Pure functions: sessions (connectors/admin/review/tracker.py) and ratings in, figures out; the
date range is given (Vietnam calendar days, both ends included), never read from a clock here.

Definitions (the dashboard shows them next to the figures):
- conversation: one Rasa session of one sender, counted on the day of its first message;
- messages: what citizens sent (button taps included), counted on their own day;
- resolved without staff: a conversation where the bot answered from facts (a procedure, a
  dossier status, a complaint filed or looked up: the actions after which it asks for a rating)
  and that was never handed to staff;
- fallback: a message the NLU did not understand (``nlu_fallback``, or Rasa's fallback action);
- response time: from the citizen's message to the bot's first reply to it.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from connectors.admin.review.tracker import VIETNAM_TZ, Session, Turn

RESOLVING_ACTIONS = frozenset({
    "action_answer_procedure", "action_check_status", "action_submit_feedback",
    "action_check_feedback",
})
HANDOFF_ACTION = "action_handoff"
STATUS_ACTION = "action_check_status"
COMPLAINT_ACTION = "action_submit_feedback"
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_default_fallback"
TOP = 10
CHANNELS = ("web", "zalo", "rest")  # always shown, even with no conversation


@dataclass(frozen=True)
class DateRange:
    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise ValueError("until is before since")

    def __contains__(self, day: object) -> bool:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        return isinstance(day, date) and self.since <= day <= self.until

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    @classmethod
    def last_days(cls, now: datetime, days: int = 7) -> DateRange:
        """The ``days`` days ending today in Vietnam (``now`` is the injected clock)."""
        today = now.astimezone(VIETNAM_TZ).date()
        return cls(today - timedelta(days=days - 1), today)


@dataclass(frozen=True)
class RatingRow:
    conversation_id: str
    at: datetime
    score: int

    @property
    def day(self) -> str:
        return self.at.astimezone(VIETNAM_TZ).date().isoformat()


@dataclass
class Figures:
    conversations: int = 0
    messages: int = 0
    citizens: int = 0
    resolved_without_staff: int = 0
    fallbacks: int = 0
    handoffs: int = 0
    status_lookups: int = 0
    status_found: int = 0
    complaints: int = 0
    ratings: int = 0
    rating_average: float | None = None
    median_response_ms: int | None = None
    p95_response_ms: int | None = None
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    top_procedures: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, n

    @property
    def resolved_share(self) -> float | None:
        return self.resolved_without_staff / self.conversations if self.conversations else None

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.messages if self.messages else None

    @property
    def handoff_rate(self) -> float | None:
        return self.handoffs / self.conversations if self.conversations else None


@dataclass
class Report:
    range: DateRange
    total: Figures
    by_channel: dict[str, Figures]
    by_day: list[tuple[date, Figures]]
    by_day_and_channel: list[tuple[date, str, Figures]]


def is_fallback(turn: Turn) -> bool:
    return turn.intent == FALLBACK_INTENT or FALLBACK_ACTION in turn.actions


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _procedures_asked(session: Session) -> dict[str, str]:
    """Procedure codes the conversation came to (code -> the name the bot gave it)."""
    asked: dict[str, str] = {}
    for turn in session.turns:
        code = turn.slots.get("procedure_code")
        if code:
            asked[str(code)] = str(turn.slots.get("procedure_name") or asked.get(str(code), ""))
    return asked


def figures(
    sessions: Iterable[Session],
    ratings: Iterable[RatingRow],
    days: DateRange,
    channel: str | None = None,
    senders_channel: dict[str, str] | None = None,
) -> Figures:
    """The figures of ``days`` (and one ``channel``, if given)."""
    sessions = [s for s in sessions if channel is None or s.channel == channel]
    turns = [t for s in sessions for t in s.turns if t.day in days]
    counted = [s for s in sessions if s.day in days]
    out = Figures()
    out.conversations = len(counted)
    out.messages = len(turns)
    out.citizens = len({t.sender for t in turns})
    out.handoffs = sum(1 for s in counted if s.ran(HANDOFF_ACTION))
    out.resolved_without_staff = sum(
        1 for s in counted
        if not s.ran(HANDOFF_ACTION) and any(s.ran(a) for a in RESOLVING_ACTIONS)
    )
    out.fallbacks = sum(1 for t in turns if is_fallback(t))
    out.status_lookups = sum(1 for t in turns if STATUS_ACTION in t.actions)
    out.status_found = sum(
        1 for t in turns if STATUS_ACTION in t.actions and t.slots.get("dossier_status")
    )
    out.complaints = sum(
        1 for t in turns if COMPLAINT_ACTION in t.actions and t.slots.get("feedback_code")
    )
    waits = [t.response_seconds for t in turns if t.response_seconds is not None]
    if waits:
        out.median_response_ms = round(statistics.median(waits) * 1000)
        out.p95_response_ms = round(percentile(waits, 0.95) * 1000)
    intents = Counter(t.intent for t in turns if t.intent)
    out.top_intents = sorted(intents.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    procedures: Counter[str] = Counter()
    names: dict[str, str] = {}
    for session in counted:
        for code, name in _procedures_asked(session).items():
            procedures[code] += 1
            names[code] = name or names.get(code, "")
    out.top_procedures = [
        (code, names[code], n)
        for code, n in sorted(procedures.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    ]
    channels = senders_channel or {}
    chosen = [
        r for r in ratings
        if r.day in days and (channel is None or channels.get(r.conversation_id) == channel)
    ]
    out.ratings = len(chosen)
    if chosen:
        out.rating_average = round(sum(r.score for r in chosen) / len(chosen), 2)
    return out


def report(sessions: Sequence[Session], ratings: Sequence[RatingRow], days: DateRange) -> Report:
    """Totals, by channel, by day, and by day and channel (the CSV's rows)."""
    senders_channel: dict[str, str] = {}
    for session in sorted(sessions, key=lambda s: s.started_at):
        senders_channel.setdefault(session.sender, session.channel)
    channels = list(CHANNELS) + sorted({s.channel for s in sessions} - set(CHANNELS))
    # each day's figures read only the sessions and ratings of that day (a year of days)
    active: dict[str, list[Session]] = {}
    for session in sessions:
        for day in sorted({t.day for t in session.turns}):
            active.setdefault(day, []).append(session)
    rated: dict[str, list[RatingRow]] = {}
    for rating in ratings:
        rated.setdefault(rating.day, []).append(rating)

    def of_day(day: date, channel: str | None = None) -> Figures:
        key = day.isoformat()
        return figures(active.get(key, []), rated.get(key, []), DateRange(day, day), channel,
                       senders_channel)

    return Report(
        range=days,
        total=figures(sessions, ratings, days, None, senders_channel),
        by_channel={c: figures(sessions, ratings, days, c, senders_channel) for c in channels},
        by_day=[(day, of_day(day)) for day in days.days],
        by_day_and_channel=[(day, c, of_day(day, c)) for day in days.days for c in channels],
    )
