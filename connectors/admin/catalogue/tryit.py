"""The "try it" box: what search answers for a phrasing, as the bot would get it.

A trial reads the same answers the action server reads (``CatalogueService.search`` and
``resolve``, cached or not), so staff see exactly what a citizen would get. The last trial of
each staff member is kept (Redis, a day) so that after an edit the page shows it beside the new
one: which procedure moved up, which is new, whether search still abstains.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

import redis
from sqlalchemy.orm import Session

from connectors.cache import Cache
from connectors.procedures.schemas import ResolveResult, SearchResult
from connectors.procedures.service import CatalogueService, catalogue_version
from vnid.redact import redact

logger = logging.getLogger(__name__)

MAX_PHRASING_CHARS = 500  # what the search API accepts
KEEP_SECONDS = 24 * 3600

# what the bot does with each decision of the resolver (connectors/procedures/resolve.py)
DECISIONS = {
    "confident": "Chắc chắn: trả lời ngay về thủ tục này",
    "weak": "Chưa chắc: hỏi lại người dân, gợi ý các thủ tục",
    "none": "Câu hỏi không nêu thủ tục nào",
    "menu": "Yêu cầu chung chung: đưa danh sách để chọn",
    "no_fit": "Không có thủ tục phù hợp: bot từ chối, không đoán",
}


@dataclass(frozen=True)
class TrialHit:
    code: str
    name: str
    score: float


@dataclass(frozen=True)
class Trial:
    phrasing: str
    version: int  # the catalogue version it was answered from
    hits: list[TrialHit]  # search's top results, best first
    decision: str  # what the resolver decided (DECISIONS)
    reason: str
    chosen: str | None  # the procedure the bot would answer about, if any
    candidates: list[str] = field(default_factory=list)  # the buttons it would offer

    @property
    def abstained(self) -> bool:
        """Search found nothing that fits: the bot says so rather than guess."""
        return self.decision == "no_fit" or not self.hits

    @property
    def decision_text(self) -> str:
        return DECISIONS.get(self.decision, self.decision)

    def rank_of(self, code: str) -> int | None:
        """1 for the first hit; None when ``code`` is not among the hits."""
        return next((i for i, hit in enumerate(self.hits, start=1) if hit.code == code), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Trial:
        data = json.loads(text)
        data["hits"] = [TrialHit(**hit) for hit in data["hits"]]
        return cls(**data)


def try_phrasing(
    session: Session, catalogue: CatalogueService, phrasing: str, limit: int = 5
) -> Trial:
    """What search and the resolver answer for ``phrasing`` now."""
    text = phrasing.strip()[:MAX_PHRASING_CHARS]
    found = SearchResult.model_validate_json(catalogue.search(session, text, limit))
    resolved = ResolveResult.model_validate_json(catalogue.resolve(session, text, None))
    return Trial(
        phrasing=text,
        version=catalogue_version(session),
        hits=[TrialHit(item.code, item.name, item.score) for item in found.items],
        decision=resolved.decision,
        reason=resolved.reason,
        chosen=resolved.procedure.code if resolved.procedure else None,
        candidates=[c.code for c in resolved.candidates],
    )


def movement(before: Trial | None, after: Trial, code: str) -> str:
    """How ``code`` moved between two trials of the same phrasing, for the page: "mới" (new
    among the hits), "lên 2", "xuống 1", "giữ nguyên"; "" without a comparable earlier trial."""
    if before is None or before.phrasing != after.phrasing:
        return ""
    now, then = after.rank_of(code), before.rank_of(code)
    if now is None:
        return ""
    if then is None:
        return "mới"
    if then > now:
        return f"lên {then - now}"
    if then < now:
        return f"xuống {now - then}"
    return "giữ nguyên"


class TrialMemory:
    """The last trial of each staff member. A phrasing holding an ID number or a phone is not
    kept (the cache keeps no personal data); without Redis, nothing is kept."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def _key(self, username: str) -> str:
        return self._cache.key("admin", "catalogue", "trial", username)

    def last(self, username: str) -> Trial | None:
        try:
            text = self._cache.client.get(self._key(username))
        except redis.RedisError as exc:
            logger.warning("last trial not read: %s", exc)
            return None
        if not isinstance(text, str):
            return None
        try:
            return Trial.from_json(text)
        except (ValueError, TypeError, KeyError):  # written by an older version
            return None

    def keep(self, username: str, trial: Trial) -> None:
        if redact(trial.phrasing) != trial.phrasing:
            return
        try:
            self._cache.client.set(self._key(username), trial.to_json(), ex=KEEP_SECONDS)
        except redis.RedisError as exc:
            logger.warning("trial not kept: %s", exc)
