"""Turns procedure facts from the connectors into short lines that read well on the web and in Zalo.

Plain text, one fact per line, "•" bullets; long lists are cut and the caller offers "xem đầy đủ".
"""

from __future__ import annotations

from collections.abc import Iterable

from actions.clients.portal import Channel, Document, Office
from actions.phrases import Labels

BULLET = "• "
SHORT_LIST = 5


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")


def document_line(doc: Document) -> str:
    parts = [doc.name]
    if doc.quantity and doc.copy_kind:
        parts.append(f"({doc.quantity} {doc.copy_kind})")
    return BULLET + " ".join(parts)


def documents_block(docs: Iterable[Document], limit: int | None = None) -> tuple[str, int, int]:
    """The lines for the documents to submit; returns (text, shown, total)."""
    to_submit = [d for d in docs if d.group == "nộp"]
    shown = to_submit if limit is None else to_submit[:limit]
    return "\n".join(document_line(d) for d in shown), len(shown), len(to_submit)


def channel_time(channel: Channel) -> str | None:
    if channel.time_text:
        return channel.time_text
    if channel.processing_time is None:
        return None
    unit = channel.time_unit or ""
    return f"{_number(channel.processing_time)} {unit}".strip()


def fees_block(channels: Iterable[Channel], labels: Labels) -> str:
    lines = []
    for c in channels:
        if c.fee_text:
            lines.append(f"{BULLET}{labels[c.kind]}: {c.fee_text}")
    return "\n".join(lines)


def times_block(channels: Iterable[Channel], labels: Labels) -> str:
    lines = []
    for c in channels:
        t = channel_time(c)
        if t:
            lines.append(f"{BULLET}{labels[c.kind]}: {t}")
    return "\n".join(lines)


def fee_short(channels: list[Channel], labels: Labels) -> str:
    fees = list(dict.fromkeys(c.fee_text for c in channels if c.fee_text))
    if not fees:
        return labels["unknown"]
    return fees[0] if len(fees) == 1 else "; ".join(fees[:2])


def time_short(channels: list[Channel], labels: Labels) -> str:
    times = list(dict.fromkeys(t for t in map(channel_time, channels) if t))
    return times[0] if times else labels["unknown"]


def channel_names(channels: Iterable[Channel], labels: Labels) -> str:
    return ", ".join(dict.fromkeys(labels[c.kind].lower() for c in channels))


def offices_block(offices: Iterable[Office], labels: Labels) -> str:
    lines = []
    for o in offices:
        line = f"{BULLET}{o.name}: {o.address}. {o.hours}"
        if o.phone:
            line += f". {labels['phone']}: {o.phone}"
        lines.append(line)
    return "\n".join(lines)
