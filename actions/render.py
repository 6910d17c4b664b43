"""Turns procedure facts from the connectors into short lines that read well on the web and in Zalo.

Plain text, one fact per line, "•" bullets. Everything shown comes from the record: a document
with its condition, fees and times per channel in Vietnamese form ("200.000 đồng", "5 ngày làm
việc"), channels with the same figure on one line. Words come from the domain (``Labels``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from actions.clients.portal import Channel, Document, Office
from actions.phrases import Labels

BULLET = "• "
# A documents answer shows every required document; it folds the conditional ones away when the
# whole list is longer than this.
SHORT_LIST = 6

_MONEY = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:việt nam đồng|vnđ|vnd|đồng|đ)(?![\w])",
    re.IGNORECASE,
)
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(\d)")
# a document is conditional when its name or note opens with a condition, or says "(nếu có)";
# "Giấy chứng sinh; nếu không có thì ..." names an alternative, not a condition
# ("Không cần khi…", "Không phải nộp nếu…" notes are exemptions: the document stays required)
_CONDITIONAL_START = re.compile(
    r"^\W*(chỉ khi|chỉ cần|nếu|trường hợp|đối với|khi|không bắt buộc|tùy)\b", re.IGNORECASE
)
_IF_ANY = re.compile(r"\(\s*(?:nếu|trường hợp|chỉ|đối với)\b[^)]*\)|,\s*nếu có\b", re.IGNORECASE)


def vnd(text: str) -> str:
    """"Lệ phí : 200000 VNĐ" -> "Lệ phí: 200.000 đồng"."""
    def money(m: re.Match[str]) -> str:
        amount = int(re.sub(r"[.,]", "", m[1]))
        return f"{amount:,}".replace(",", ".") + " đồng"

    return re.sub(r"\s+:", ":", _MONEY.sub(money, text)).strip()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")


def channel_time(channel: Channel) -> str | None:
    if channel.time_text:
        return _LEADING_ZEROS.sub(r"\1", channel.time_text)
    if channel.processing_time is None:
        return None
    unit = (channel.time_unit or "ngày").lower()
    return f"{_number(channel.processing_time)} {unit}"


def channel_fee(channel: Channel) -> str | None:
    return vnd(channel.fee_text) if channel.fee_text else None


def _grouped(channels: Iterable[Channel], value: Callable[[Channel], str | None],
             labels: Labels) -> list[tuple[str, str]]:
    """(channels, value) with channels of the same value on one line, in the channels' order."""
    order: dict[str, list[str]] = {}
    for c in channels:
        v = value(c)
        if v:
            names = order.setdefault(v, [])
            label = labels[c.kind]
            if label not in names:
                names.append(label)
    return [
        (", ".join(names[:1] + [n.lower() for n in names[1:]]), v) for v, names in order.items()
    ]


def fees_block(channels: Iterable[Channel], labels: Labels) -> str:
    return "\n".join(
        f"{BULLET}{who}: {fee}" for who, fee in _grouped(channels, channel_fee, labels)
    )


def times_block(channels: Iterable[Channel], labels: Labels) -> str:
    return "\n".join(
        f"{BULLET}{who}: {t}" for who, t in _grouped(channels, channel_time, labels)
    )


def online_fee_verdict(channels: Iterable[Channel]) -> tuple[str, int, int] | None:
    """("cheaper" | "same" | "dearer", online amount, in-person amount) when both ways have one
    national figure each; None when the record cannot say (a fee with conditions, or one way
    missing): then the per-channel list speaks for itself."""
    amounts: dict[str, set[int]] = {}
    for c in channels:
        if c.kind in ("online", "in_person"):
            amounts.setdefault(c.kind, set()).add(-1 if c.fee_amount is None else c.fee_amount)
    online, in_person = amounts.get("online", set()), amounts.get("in_person", set())
    if len(online) != 1 or len(in_person) != 1 or -1 in online | in_person:
        return None
    (web,), (desk,) = online, in_person
    verdict = "cheaper" if web < desk else ("same" if web == desk else "dearer")
    return verdict, web, desk


def amount_vnd(amount: int) -> str:
    """12000 -> "12.000 đồng"; 0 -> the record's word for free."""
    return "miễn phí" if amount == 0 else f"{amount:,} đồng".replace(",", ".")


def fee_short(channels: list[Channel], labels: Labels) -> str:
    fees = list(dict.fromkeys(f for f in map(channel_fee, channels) if f))
    if not fees:
        return labels["unknown"]
    return fees[0] if len(fees) == 1 else "; ".join(fees[:2])


def time_short(channels: list[Channel], labels: Labels) -> str:
    times = list(dict.fromkeys(t for t in map(channel_time, channels) if t))
    return times[0] if times else labels["unknown"]


def channel_names(channels: Iterable[Channel], labels: Labels) -> str:
    return ", ".join(dict.fromkeys(labels[c.kind].lower() for c in channels))


# --- documents ---------------------------------------------------------------------------------


def is_conditional(doc: Document) -> bool:
    """A document needed only in some cases ("Chỉ khi ủy quyền", "(nếu có)")."""
    return bool(
        _CONDITIONAL_START.match(doc.name) or _IF_ANY.search(doc.name)
        or (doc.note and _CONDITIONAL_START.match(doc.note))
    )


def document_line(doc: Document) -> str:
    parts = [doc.name.rstrip(" .;")]
    if doc.quantity and doc.copy_kind:
        parts.append(f"({doc.quantity} {doc.copy_kind})")
    line = BULLET + " ".join(parts)
    if doc.note:
        line += f" — {doc.note.rstrip()}"
    return line


def documents_block(
    docs: Iterable[Document], labels: Labels, *, full: bool
) -> tuple[str, int]:
    """The documents to submit, required ones first, each with its condition; returns (text,
    how many conditional documents were folded away). Required documents are never left out."""
    to_submit = [d for d in docs if d.group == "nộp"]
    required = [d for d in to_submit if not is_conditional(d)]
    conditional = [d for d in to_submit if is_conditional(d)]
    lines = [document_line(d) for d in required]
    folded = 0
    if conditional and (full or len(to_submit) <= SHORT_LIST):
        lines.append(labels["documents_conditional"])
        lines += [document_line(d) for d in conditional]
    else:
        folded = len(conditional)
    return "\n".join(lines), folded


_PROXY = re.compile(r"\b(?:ủy|uỷ) quyền\b", re.IGNORECASE)


def proxy_documents(docs: Iterable[Document]) -> list[Document]:
    """The papers a person acting for the citizen brings (a power of attorney and its terms)."""
    return [d for d in docs if _PROXY.search(d.name) or (d.note and _PROXY.search(d.note))]


def main_documents(docs: Iterable[Document], labels: Labels, *, limit: int = 3) -> str:
    """The required documents to submit, each named shortly ("Đơn trình báo mất hộ chiếu phổ
    thông (mẫu TK05)"), for the overview; the documents answer lists them all."""
    required = [d for d in docs if d.group == "nộp" and not is_conditional(d)]
    if not required:
        return labels["unknown"]
    names = [re.split(r"[;:]", d.name, maxsplit=1)[0].strip(" .,") for d in required[:limit]]
    more = labels["and_more"] if len(required) > limit else ""
    return "; ".join(names) + more


_DEADLINE = re.compile(
    r"[^.;\n]*\b(?:trong (?:thời hạn|vòng)?\s*\d+|trước\s+(?:ngày|khi|\d+)|chậm nhất|"
    r"kể từ|\d+\s+(?:ngày|tháng|năm)\s+(?:trước|kể từ|sau))[^.;\n]*",
    re.IGNORECASE,
)


def deadlines(*texts: str | None) -> list[str]:
    """The sentences of a record that set a time limit for the citizen ("Phải báo trong 02 ngày
    làm việc kể từ khi phát hiện mất hộ chiếu"), each once, in the record's order."""
    found: list[str] = []
    for text in texts:
        for m in _DEADLINE.finditer(text or ""):
            sentence = m[0].strip(" ,-•")
            if sentence and sentence not in found:
                found.append(sentence)
    return found


# --- offices -----------------------------------------------------------------------------------


def offices_block(offices: Iterable[Office], labels: Labels) -> str:
    lines = []
    for o in offices:
        line = f"{BULLET}{o.name}"
        if not o.placeholder:
            line += f": {o.address}"
        line += f". {o.hours}"
        if o.phone:
            line += f". {labels['phone']}: {o.phone}"
        lines.append(line)
    return "\n".join(lines)


def bullets(items: Iterable[str]) -> str:
    return "\n".join(BULLET + item.strip().rstrip(";") for item in items if item.strip())
