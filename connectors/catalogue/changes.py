"""What changed between two versions of one procedure record, field by field.

Pure functions over ``ProcedureRecord``s. Every difference in what is stored shows up as at least
one ``Change``, so a record with no changes is exactly the stored one and need not be written.
Lists are matched by a key rather than by position: channels by kind, documents by name (without
the portal's "(nếu có)" marker, which is what makes a document optional), legal documents by
number; the n-th document of a name is paired with the n-th of the same name, since a record may
list one paper in several cases.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel

from connectors.catalogue.store import ChannelIn, DocumentIn, LegalIn, ProcedureRecord


class Change(BaseModel):
    """One difference. ``field`` is the record's field (``fee``, ``processing_time``,
    ``channel_note`` and ``channel`` for the channel table); ``item`` names the channel, document or
    legal text; ``before`` is None for something added, ``after`` None for something removed."""

    field: str
    item: str | None = None
    before: str | None = None
    after: str | None = None


# Reported in this order; ``short_name`` follows the name and is left out when the name changed.
SCALAR_FIELDS = (
    "name", "short_name", "level", "agency", "domain", "requesters", "conditions", "result",
    "fee_note", "summary", "online_url", "source_url",
)  # fmt: skip

_OPTIONAL_RE = re.compile(r"\s*\(\s*nếu\s+có\s*\)", re.IGNORECASE)

T = TypeVar("T")


def record_changes(before: ProcedureRecord, after: ProcedureRecord) -> list[Change]:
    """Every difference between two versions of one record (aliases and popularity aside: they
    are the project's, not the catalogue's)."""
    changes: list[Change] = []
    for field in SCALAR_FIELDS:
        old, new = getattr(before, field), getattr(after, field)
        if old != new and not (field == "short_name" and before.name != after.name):
            changes.append(Change(field=field, before=old, after=new))
    changes += _channel_changes(before.channels, after.channels)
    changes += _document_changes(before.documents, after.documents)
    changes += _legal_changes(before.legal_basis, after.legal_basis)
    if before.steps != after.steps:
        changes.append(
            Change(field="steps", before="\n".join(before.steps), after="\n".join(after.steps))
        )
    return changes


def _keyed(items: Sequence[T], key: Callable[[T], str]) -> dict[tuple[str, int], T]:
    """Items by (key, occurrence of that key), in list order."""
    seen: Counter[str] = Counter()
    keyed: dict[tuple[str, int], T] = {}
    for item in items:
        k = key(item)
        keyed[(k, seen[k])] = item
        seen[k] += 1
    return keyed


def _label(key: tuple[str, int], name: str) -> str:
    return name if key[1] == 0 else f"{name} #{key[1] + 1}"


def _reordered(field: str, old_keys: list[str], new_keys: list[str]) -> list[Change]:
    """The same items in another order is a change too (the record shows them in order)."""
    if old_keys == new_keys or sorted(old_keys) != sorted(new_keys):
        return []
    return [Change(field=f"{field}_order", before=" | ".join(old_keys),
                   after=" | ".join(new_keys))]


# --- channels ---------------------------------------------------------------------------------


def time_text(c: ChannelIn) -> str | None:
    """"5 Ngày làm việc", or the portal's words when the time is not one number."""
    if c.processing_time is None:
        return c.time_text
    number = f"{c.processing_time:g}"
    return " ".join(p for p in (number, c.time_unit, c.time_text) if p)


def fee_text(c: ChannelIn) -> str | None:
    return c.fee_text


def channel_text(c: ChannelIn) -> str:
    return "; ".join(p for p in (time_text(c), fee_text(c)) if p) or "-"


def _channel_changes(old: list[ChannelIn], new: list[ChannelIn]) -> list[Change]:
    before, after = _keyed(old, lambda c: c.kind), _keyed(new, lambda c: c.kind)
    changes: list[Change] = []
    for key, o in before.items():
        if key not in after:
            changes.append(Change(field="channel", item=_label(key, key[0]),
                                  before=channel_text(o)))
            continue
        n, item = after[key], _label(key, key[0])
        if (o.fee_text, o.fee_amount) != (n.fee_text, n.fee_amount):
            if o.fee_text != n.fee_text:
                changes.append(Change(field="fee", item=item, before=o.fee_text,
                                      after=n.fee_text))
            else:  # the same words read as another national figure
                changes.append(Change(field="fee_amount", item=item, before=_str(o.fee_amount),
                                      after=_str(n.fee_amount)))
        if (o.processing_time, o.time_unit, o.time_text) != (
            n.processing_time, n.time_unit, n.time_text
        ):
            changes.append(Change(field="processing_time", item=item, before=time_text(o),
                                  after=time_text(n)))
        if o.note != n.note:
            changes.append(Change(field="channel_note", item=item, before=o.note, after=n.note))
    for key, n in after.items():
        if key not in before:
            changes.append(Change(field="channel", item=_label(key, key[0]),
                                  after=channel_text(n)))
    changes += _reordered("channels", [c.kind for c in old], [c.kind for c in new])
    return changes


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)


# --- documents ------------------------------------------------------------------------------


def document_key(d: DocumentIn) -> str:
    """The name without "(nếu có)", spaces and closing punctuation: what makes it the same paper."""
    return " ".join(_OPTIONAL_RE.sub("", d.name).split()).strip(" .;:").lower()


def is_optional(d: DocumentIn) -> bool:
    return _OPTIONAL_RE.search(d.name) is not None


def requirement(d: DocumentIn) -> str:
    """How the paper is asked for: "bắt buộc; nộp; 1 bản chính; mẫu CC01"."""
    copies = " ".join(p for p in (_str(d.quantity), d.copy_kind) if p)
    parts = [
        "không bắt buộc (nếu có)" if is_optional(d) else "bắt buộc",
        d.group,
        copies,
        f"mẫu {d.form_name}" if d.form_name else "",
        d.note or "",
    ]
    return "; ".join(p for p in parts if p)


def _document_changes(old: list[DocumentIn], new: list[DocumentIn]) -> list[Change]:
    before, after = _keyed(old, document_key), _keyed(new, document_key)
    changes: list[Change] = []
    for key, o in before.items():
        n = after.get(key)
        if n is None:
            changes.append(Change(field="document", item=_label(key, o.name),
                                  before=requirement(o)))
        elif requirement(o) != requirement(n):
            changes.append(Change(field="document", item=_label(key, n.name),
                                  before=requirement(o), after=requirement(n)))
        elif o.name != n.name:  # spelling, spaces or punctuation only
            changes.append(Change(field="document_name", item=_label(key, n.name),
                                  before=o.name, after=n.name))
    for key, n in after.items():
        if key not in before:
            changes.append(Change(field="document", item=_label(key, n.name),
                                  after=requirement(n)))
    changes += _reordered("documents", list(map(document_key, old)), list(map(document_key, new)))
    return changes


# --- legal basis ----------------------------------------------------------------------------


def _legal_key(doc: LegalIn) -> str:
    return doc.number or " ".join(doc.title.split()).lower()


def _legal_changes(old: list[LegalIn], new: list[LegalIn]) -> list[Change]:
    before, after = _keyed(old, _legal_key), _keyed(new, _legal_key)
    changes: list[Change] = []
    for key, o in before.items():
        n = after.get(key)
        label = _label(key, o.number or o.title)
        if n is None:
            changes.append(Change(field="legal_basis", item=label, before=o.title))
        elif o.title != n.title:
            changes.append(Change(field="legal_basis", item=label, before=o.title,
                                  after=n.title))
    for key, n in after.items():
        if key not in before:
            changes.append(Change(field="legal_basis", item=_label(key, n.number or n.title),
                                  after=n.title))
    changes += _reordered("legal_basis", list(map(_legal_key, old)), list(map(_legal_key, new)))
    return changes
