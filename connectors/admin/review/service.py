"""Conversation review: the inbox with each message's marks, recording decisions, and turning a
conversation into a QA conversation file (the `replay record` conversion, personal data masked).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from connectors.admin.audit import record
from connectors.admin.kpi.figures import DateRange, RatingRow
from connectors.admin.review.inbox import BAD_SCORE, LOW_CONFIDENCE, Item, inbox
from connectors.admin.review.models import CLOSING, DETAIL_LENGTH, Decision, ReviewMark
from connectors.admin.review.store import TrackerStore
from connectors.admin.review.tracker import VIETNAM_TZ
from connectors.applications.service import as_utc
from connectors.conversations.models import Rating
from connectors.settings import ROOT
from connectors.staff.models import StaffAccount
from qa.mask import Masker
from qa.record import Recorded, dump, to_conversation

logger = logging.getLogger(__name__)

# where `replay record` writes too: QA reviews the file, then moves it to its topic folder
RECORDED_DIR = ROOT / "tests" / "conversations" / "recorded"


class MessageGone(LookupError):
    """The message is no longer in the tracker store (expired after the retention period)."""


@dataclass
class Entry:
    item: Item
    marks: list[ReviewMark] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return any(m.decision in CLOSING for m in self.marks)

    def mark(self, decision: Decision) -> ReviewMark | None:
        return next((m for m in self.marks if m.decision == decision), None)


def ratings_in(
    session: DbSession, days: DateRange | None = None, max_score: int | None = None
) -> list[RatingRow]:
    """Ratings given on ``days`` (Vietnam calendar), with at most ``max_score`` if given."""
    query = select(Rating)
    if days is not None:
        # bounds in UTC: SQLite keeps the UTC wall time without its zone
        low = datetime.combine(days.since, time(), VIETNAM_TZ).astimezone(timezone.utc)
        high = datetime.combine(days.until + timedelta(days=1), time(), VIETNAM_TZ)
        query = query.where(Rating.created_at >= low,
                            Rating.created_at < high.astimezone(timezone.utc))
    if max_score is not None:
        query = query.where(Rating.score <= max_score)
    rows = session.scalars(query).all()
    return [RatingRow(r.conversation_id, as_utc(r.created_at), r.score) for r in rows]


def entries(
    db: DbSession, store: TrackerStore, days: DateRange | None,
    low_confidence: float = LOW_CONFIDENCE,
) -> list[Entry]:
    """The inbox, newest first, each message with the marks reviewers left."""
    items = inbox(store.sessions(), ratings_in(db, max_score=BAD_SCORE), days, low_confidence)
    senders = {i.turn.sender for i in items}
    marks: dict[tuple[str, int], list[ReviewMark]] = {}
    if senders:
        for mark in db.scalars(select(ReviewMark).where(ReviewMark.sender_id.in_(senders))):
            marks.setdefault((mark.sender_id, mark.position), []).append(mark)
    return [Entry(i, marks.get((i.turn.sender, i.turn.position), [])) for i in items]


def mark(
    db: DbSession, sender: str, position: int, message_at: datetime, decision: Decision,
    detail: str | None, actor: StaffAccount, now: datetime,
) -> ReviewMark:
    """Records a decision (idempotent: the same decision twice keeps the first) and audits it."""
    existing = db.scalars(select(ReviewMark).where(
        ReviewMark.sender_id == sender, ReviewMark.position == position,
        ReviewMark.decision == decision,
    )).first()
    if existing is not None:
        return existing
    row = ReviewMark(
        sender_id=sender, position=position, message_at=as_utc(message_at), decision=decision,
        detail=(detail or None) and str(detail)[:DETAIL_LENGTH], actor=actor.username,
        created_at=as_utc(now),
    )
    db.add(row)
    record(db, actor, f"review.{decision}", f"{sender}@{position}",
           after={"decision": decision, "detail": row.detail}, now=now, commit=False)
    try:
        db.commit()
    except IntegrityError:  # two reviewers clicked at once: the other one's mark stands
        db.rollback()
        kept = db.scalars(select(ReviewMark).where(
            ReviewMark.sender_id == sender, ReviewMark.position == position,
            ReviewMark.decision == decision,
        )).one()
        return kept
    return row


def session_events(events: Sequence[dict[str, Any]], position: int) -> list[dict[str, Any]]:
    """The events of the session holding the event at ``position``."""
    start = 0
    for i in range(position, -1, -1):
        if events[i].get("event") == "session_started":
            start = i
            break
    end = next(
        (i for i in range(position + 1, len(events))
         if events[i].get("event") == "session_started"),
        len(events),
    )
    # the action that opened the session belongs to it (replay skips it anyway)
    return list(events[max(0, start - 1):end])


def conversation_file_name(sender: str, position: int, at: datetime) -> str:
    """Never the sender id itself (a Zalo user id is personal): a short hash of it."""
    digest = hashlib.sha256(sender.encode()).hexdigest()[:10]
    return f"{at.astimezone(VIETNAM_TZ):%Y-%m-%d}-{digest}-{position}.yml"


def save_as_test(
    store: TrackerStore, sender: str, position: int, out: Path = RECORDED_DIR
) -> Path:
    """Writes the session that holds the message as a QA conversation file, masked."""
    dialogue = store.dialogue(sender)
    events = list((dialogue or {}).get("events") or [])
    if not 0 <= position < len(events) or events[position].get("event") != "user":
        raise MessageGone(f"{sender}@{position}")
    content = to_conversation(Recorded(sender, session_events(events, position)), Masker())
    content["title"] = f"Từ hộp xem lại: {content['title']}"
    out.mkdir(parents=True, exist_ok=True)
    at = datetime.fromtimestamp(float(events[position].get("timestamp") or 0), VIETNAM_TZ)
    path = out / conversation_file_name(sender, position, at)
    path.write_text(dump(content), encoding="utf-8")
    logger.info("conversation saved as a test: %s", path.name)
    return path
