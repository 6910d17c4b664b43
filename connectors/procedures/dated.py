"""Dated facts: the clauses of a record's text that hold only for a while.

Fee texts of the national catalogue carry dated reductions ("Kể từ ngày 01/7/2025 đến hết ngày
31/12/2026 mức thu lệ phí ... bằng 50%"). The stored record stays as the catalogue published it;
what is served is filtered for the day it is served: a clause whose period has ended, or has not
begun, is left out, and the rest of the text stays as written. A clause without a period (or with
a date that is no date, "31/02/2025") is never left out.

Pure functions, no database, no clock: the caller passes the day.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from connectors.procedures.schemas import ChannelPublic, ProcedurePublic

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving time

_NUMERIC = r"(?P<{p}d>\d{{1,2}})\s*[/.\-]\s*(?P<{p}m>\d{{1,2}})\s*[/.\-]\s*(?P<{p}y>\d{{4}})"
_WORDS = r"(?P<{p}wd>\d{{1,2}})\s+tháng\s+(?P<{p}wm>\d{{1,2}})\s*,?\s+năm\s+(?P<{p}wy>\d{{4}})"


def _date(p: str) -> str:
    return rf"(?:{_NUMERIC.format(p=p)}|{_WORDS.format(p=p)})(?!\d)"


_FROM = r"(?:kể\s+)?từ\s+(?:kể\s+từ\s+)?(?:ngày\s+)?"
_RANGE_RE = re.compile(
    rf"{_FROM}{_date('a')}\s*,?\s*đến\s+(?:hết\s+)?(?:ngày\s+)?{_date('b')}", re.IGNORECASE
)
_UNTIL_RE = re.compile(rf"đến\s+hết\s+(?:ngày\s+)?{_date('b')}", re.IGNORECASE)
_UNTIL_YEAR_RE = re.compile(r"đến\s+hết\s+năm\s+(?P<year>\d{4})(?!\d)", re.IGNORECASE)
_SINCE_RE = re.compile(rf"{_FROM}{_date('a')}", re.IGNORECASE)
# "trước ngày D" is a period only where a clause or "áp dụng" opens with it: "giấy phép được
# cấp trước ngày 01/01/2026" is a condition on the licence, not a date the text stops holding.
_BEFORE_RE = re.compile(
    rf"(?:^|áp\s+dụng\s+)(?:[a-zđ0-9]{{1,3}}[.)]\s*)?trước\s+ngày\s+{_date('b')}", re.IGNORECASE
)
# a parenthesis that states its own figure is a dated fact of its own ("800.000 đồng/hồ sơ
# (áp dụng mức phí 400.000 đồng/hồ sơ kể từ ... )"); one without only dates what it follows
# ("25.000đ/tem (áp dụng đến hết ngày 31/12/2026 ...)")
_OWN_FIGURE_RE = re.compile(r"\d\s*(?:đ\b|đồng|VNĐ|VND|%)|\bmiễn\b", re.IGNORECASE)
# "... 40.000.000 đồng/lần cấp (...) Miễn phí từ ngày 07/4/2026 đến 30/6/2026 theo ...": the
# exemption is the dated fact, the figures before it are not
_EXEMPTION_RE = re.compile(r"\bMiễn?(?=\s*(?:lệ\s*)?phí)|\bMiễn\b", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"(?<=[.;])\s+|\n+|\s+(?=[-+•*]\s)")
_AMOUNT_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+(?!\d)|\d+(?=\s*(?:đ|VNĐ|VND|Việt\s+Nam))", re.I)


@dataclass(frozen=True)
class Period:
    """When a clause holds: ``start`` and ``end`` are inclusive days; None is open."""

    start: date | None = None
    end: date | None = None

    def holds_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Clause:
    """One sentence or "- " item of a text, with its separator: the clauses join back to it."""

    text: str
    periods: tuple[Period, ...]  # empty: the clause is not dated

    def holds_on(self, day: date) -> bool:
        return not self.periods or any(p.holds_on(day) for p in self.periods)


@dataclass(frozen=True)
class InForce:
    text: str
    dropped: tuple[str, ...]  # what was left out, as written


def today_in_vietnam(now: datetime) -> date:
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(VIETNAM).date()


def _day(m: re.Match[str], p: str) -> date | None:
    parts = (m[f"{p}y"], m[f"{p}m"], m[f"{p}d"]) if m[f"{p}d"] else (
        m[f"{p}wy"], m[f"{p}wm"], m[f"{p}wd"])
    try:
        return date(*(int(x) for x in parts))
    except ValueError:  # 31/02/2025, 00/13/2025: no date, so no period
        return None


def periods(text: str) -> tuple[Period, ...]:
    """The periods a text states, in the forms the catalogue writes them."""
    found: list[Period] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= s or m.start() >= e for s, e in taken)

    for m in _RANGE_RE.finditer(text):
        start, end = _day(m, "a"), _day(m, "b")
        taken.append(m.span())
        if start is not None and end is not None and start <= end:
            found.append(Period(start, end))
    for m in _UNTIL_RE.finditer(text):
        if free(m) and (end := _day(m, "b")) is not None:
            taken.append(m.span())
            found.append(Period(end=end))
    for m in _UNTIL_YEAR_RE.finditer(text):
        if free(m) and 1900 < int(m["year"]) < 2200:
            found.append(Period(end=date(int(m["year"]), 12, 31)))
    for m in _SINCE_RE.finditer(text):
        if free(m) and (start := _day(m, "a")) is not None:
            found.append(Period(start=start))
    for m in _BEFORE_RE.finditer(text.strip()):
        if (before := _day(m, "b")) is not None and before > date.min:
            found.append(Period(end=before - timedelta(days=1)))
    return tuple(found)


def _depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch == ")":
            depth = max(depth - 1, 0)
        out.append(depth)
        if ch == "(":
            depth += 1
    return out


def clauses(text: str) -> list[Clause]:
    """Sentences and "- "/"+ " items outside brackets; ``"".join(c.text for c in ...) == text``."""
    depth = _depths(text)
    cuts = [0]
    for m in _SEPARATOR_RE.finditer(text):
        if m.end() < len(text) and depth[m.start()] == 0 and m.end() > cuts[-1]:
            cuts.append(m.end())
    cuts.append(len(text))
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts) if b > a]
    return [Clause(piece, periods(piece)) for piece in pieces]


def _groups(text: str) -> list[tuple[int, int]]:
    """Spans of bracketed groups, innermost first (an unclosed one runs to the end)."""
    spans, opened = [], []
    for i, ch in enumerate(text):
        if ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            spans.append((opened.pop(), i + 1))
    spans += [(i, len(text)) for i in reversed(opened)]
    return sorted(spans, key=lambda s: s[1] - s[0])


def _drop_own_groups(text: str, day: date, dropped: list[str]) -> str:
    """Leaves out bracketed dated facts with their own figure that do not hold on ``day``."""
    for start, end in _groups(text):
        group = text[start:end]
        inner = group[1:-1] if group.endswith(")") else group[1:]
        found = periods(inner)
        if found and _OWN_FIGURE_RE.search(inner) and not any(p.holds_on(day) for p in found):
            dropped.append(group)
            cut = start
            while cut > 0 and text[cut - 1] == " ":
                cut -= 1
            return _drop_own_groups(text[:cut] + text[end:], day, dropped)
    return text


def _drop_exemption_tail(text: str, day: date, dropped: list[str]) -> str:
    """Leaves out a dated exemption that closes a clause after figures of its own."""
    depth = _depths(text)
    for m in _EXEMPTION_RE.finditer(text):
        tail = text[m.start():]
        found = periods(tail)
        if (found and depth[m.start()] == 0 and _AMOUNT_RE.search(text[:m.start()])
                and periods(text[:m.start()]) == () and not any(p.holds_on(day) for p in found)):
            dropped.append(tail.strip())
            return text[:m.start()].rstrip(" ,;:")
    return text


def in_force(text: str, day: date) -> InForce:
    """``text`` without the clauses (or bracketed dated facts) that do not hold on ``day``."""
    dropped: list[str] = []
    kept: list[str] = []
    for clause in clauses(text):
        if not clause.periods:
            kept.append(clause.text)
            continue
        rest = _drop_own_groups(clause.text, day, dropped)
        rest = _drop_exemption_tail(rest, day, dropped)
        remaining = periods(rest)
        if remaining and not any(p.holds_on(day) for p in remaining):
            dropped.append(rest.strip())
        elif rest.strip(" ()"):
            kept.append(rest)
    if not dropped:
        return InForce(text, ())
    joined = "".join(kept).strip().rstrip(";,:").strip()
    opened = joined.count("(") - joined.count(")")
    if opened < 0 and joined.endswith(")"):  # the closing bracket of a dropped group
        joined = joined[: len(joined) + opened].rstrip()
    return InForce(joined, tuple(dropped))


_FEE_RE = re.compile(r"(?P<head>[^()]*?)\s*\((?P<note>.*?)\)?", re.DOTALL)


def _amounts(text: str) -> set[int]:
    return {int(re.sub(r"[.,]", "", a)) for a in _AMOUNT_RE.findall(text)}


def fee_in_force(fee_text: str, day: date) -> tuple[str | None, bool]:
    """A channel's fee text ("50,000 Việt Nam Đồng (note)") for ``day`` and whether anything was
    left out. When the head figure is only backed by a clause that has ended ("40,000 Việt Nam
    Đồng (40.000đ/giấy thông hành (áp dụng đến hết ngày 31/12/2024 ...))") nothing is left."""
    m = _FEE_RE.fullmatch(fee_text)
    if m is None or not m["head"] or (
        not _amounts(m["head"]) and "Miễn" not in m["head"]
    ):
        filtered = in_force(fee_text, day)
        return (filtered.text or None), bool(filtered.dropped)
    head, note = m["head"].strip(), m["note"]
    filtered = in_force(note, day)
    if not filtered.dropped:
        return fee_text, False
    # "40 Việt Nam Đồng (40.000đ/...)": a head under 1,000 is in thousands
    figures = {a for h in _amounts(head) for a in ((h, h * 1000) if h < 1000 else (h,))} - {0}
    gone = _amounts(" ".join(filtered.dropped))
    if figures & gone and not figures & _amounts(filtered.text):
        return None, True
    if figures and not filtered.text and gone and max(gone) > max(figures):
        # "25.000 đồng/thẻ (50% mức 50.000 đồng, áp dụng từ 01/7/2025 đến hết 31/12/2026)":
        # the head is the reduced rate the note dated
        return None, True
    return (f"{head} ({filtered.text})" if filtered.text else head), True


_ANY_DATE_RE = re.compile(_date("x"), re.IGNORECASE)


def dated_figures(text: str, day: date) -> set[int] | None:
    """The figures that the dated fee clauses of ``text`` holding on ``day`` state ("Từ
    01/7/2025 đến hết 31/12/2026: 25.000 đồng/thẻ, bằng 50%" -> {25000}); an empty set when such
    a clause states only a share ("bằng 50% mức thu"); None when no dated fee clause holds."""
    found: set[int] | None = None
    for clause in clauses(text):
        if not any(p.holds_on(day) for p in clause.periods):
            continue
        piece = clause.text
        for start, end in _groups(piece):
            inner = piece[start:end]
            if _OWN_FIGURE_RE.search(inner) and any(p.holds_on(day) for p in periods(inner)):
                piece = inner  # "800.000 đồng ((áp dụng mức phí 400.000 đồng ... đến hết ...))"
                break
        if not _OWN_FIGURE_RE.search(piece):
            continue  # dated, but not about the amount
        found = (found or set()) | _amounts(_ANY_DATE_RE.sub(" ", piece))  # not "2025 đến"
    return found


def amount_in_force(fee_text: str | None, amount: int | None, day: date) -> int | None:
    """A channel's single figure on ``day``: the one a dated clause in force states instead of
    the base ("50.000 đồng/thẻ. Từ 01/7/2025 đến hết 31/12/2026: 25.000 đồng/thẻ" -> 25.000
    until the end of 2026), None when that clause gives no single figure, else ``amount``."""
    if amount is None or not fee_text:
        return amount
    figures = dated_figures(fee_text, day)
    if figures is None:
        return amount
    return next(iter(figures)) if len(figures) == 1 else None


def procedure_in_force(p: ProcedurePublic, day: date) -> ProcedurePublic:
    """The record as it holds on ``day``: dated fee clauses that ended or have not begun are
    left out of each channel's fee text and of the fee note; a channel whose fee text changed
    loses its single figure unless the figure is still what the text says, and a dated clause in
    force that states its own figure (a reduction) makes that the channel's figure."""
    channels: list[ChannelPublic] = []
    changed = False
    for c in p.channels:
        if not c.fee_text:
            channels.append(c)
            continue
        text, dropped = fee_in_force(c.fee_text, day)
        amount = c.fee_amount
        if dropped:
            amount = amount if text and amount is not None and amount in _amounts(text) else None
        amount = amount_in_force(text, amount, day)
        if not dropped and amount == c.fee_amount:
            channels.append(c)
            continue
        changed = True
        channels.append(c.model_copy(update={"fee_text": text, "fee_amount": amount}))
    fee_note = p.fee_note
    if fee_note:
        note = in_force(fee_note, day)
        if note.dropped:
            changed = True
            fee_note = note.text or None
    if not changed:
        return p
    return p.model_copy(update={"channels": channels, "fee_note": fee_note})
