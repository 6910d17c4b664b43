"""Turns procedure facts from the connectors into short lines that read well on the web and in Zalo.

Plain text, one fact per line, "•" bullets. Everything shown comes from the record: a document
with its condition, fees and times per channel in Vietnamese form ("200.000 đồng", "5 ngày làm
việc"), channels with the same figure on one line. Words come from the domain (``Labels``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from actions.clients.portal import Channel, Document, Office
from actions.phrases import Labels

BULLET = "• "
# A documents answer shows every required document; it folds the conditional ones away when the
# whole list is longer than this.
SHORT_LIST = 6
# Some national records write a document as a page of law (a building permit's land papers: 4,500
# characters; 55 documents, 50,000 characters in all, 25 Zalo messages). A line keeps the start of
# its name and note, the answer says it was shortened and links the record; past BLOCK_CHARS the
# names alone are listed, shorter still. No document is ever dropped.
NAME_CHARS = 300
NOTE_CHARS = 200
TERSE_NAME_CHARS = 120
BLOCK_CHARS = 3500

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
# "Nếu Giấy chứng nhận đã có trong Cơ sở dữ liệu thì được thay bằng dữ liệu": a note that opens with
# "nếu/trường hợp/khi" but only says when the paper may be replaced or left out keeps it required
_SUBSTITUTE_OR_EXEMPT = re.compile(
    r"^\W*(?:nếu|trường hợp|đối với|khi)\b[^.;]*?\bthì\s+(?:được\s+)?"
    r"(?:thay\b|không\s+(?:phải|cần)\b|miễn\b)",
    re.IGNORECASE,
)


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


# "Miễn phí (... Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần)": the portal's fee cell says free,
# its note names what is paid
_FREE_WITH_NOTE = re.compile(r"^\s*Miễn phí\s*\((?P<note>.*?)\)?\s*$", re.IGNORECASE | re.DOTALL)


def channel_fee(channel: Channel) -> str | None:
    """The channel's fee as the record says it, in Vietnamese form. A text that names an amount
    is never summed up as "Miễn phí": the amounts it names are what the citizen pays."""
    if not channel.fee_text:
        return None
    text = channel.fee_text
    free = _FREE_WITH_NOTE.match(text)
    if free and any(int(re.sub(r"[.,]", "", m[1])) for m in _MONEY.finditer(free["note"])):
        text = free["note"].strip(" -+;:")
    return vnd(text)


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


def online_amount(channels: Iterable[Channel]) -> int | None:
    """The one national figure of applying online (on the day served: a dated reduction in
    force is the figure), None when the record gives none or several."""
    amounts = {c.fee_amount for c in channels if c.kind == "online"}
    return next(iter(amounts)) if len(amounts) == 1 else None


def amount_vnd(amount: int) -> str:
    """12000 -> "12.000 đồng"; 0 -> the record's word for free."""
    return "miễn phí" if amount == 0 else f"{amount:,} đồng".replace(",", ".")


def _short(channels: list[Channel], value: Callable[[Channel], str | None],
           labels: Labels) -> str:
    """One line for the overview: the figure alone when every way has the same, else each figure
    once with the ways it holds for ("Trực tiếp: 20.000 đồng; trực tuyến: 10.000 đồng")."""
    grouped = _grouped(channels, value, labels)
    if not grouped:
        return labels["unknown"]
    if len(grouped) == 1:
        return grouped[0][1]
    return "; ".join(f"{who if i == 0 else who[:1].lower() + who[1:]}: {v}"
                     for i, (who, v) in enumerate(grouped))


def fee_short(channels: list[Channel], labels: Labels) -> str:
    return _short(channels, channel_fee, labels)


def time_short(channels: list[Channel], labels: Labels) -> str:
    return _short(channels, channel_time, labels)


def channel_names(channels: Iterable[Channel], labels: Labels) -> str:
    return ", ".join(dict.fromkeys(labels[c.kind].lower() for c in channels))


# --- documents ---------------------------------------------------------------------------------


def is_conditional(doc: Document) -> bool:
    """A document needed only in some cases ("Chỉ khi ủy quyền", "(nếu có)")."""
    return bool(
        _CONDITIONAL_START.match(doc.name) or _IF_ANY.search(doc.name)
        or (doc.note and _CONDITIONAL_START.match(doc.note)
            and not _SUBSTITUTE_OR_EXEMPT.match(doc.note))
    )


def clip(text: str, limit: int) -> str:
    """``text`` cut at the last word boundary within ``limit`` characters, with "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    if text[limit] != " " and " " in head:  # the last word of ``head`` goes on: drop it
        head = head.rsplit(" ", 1)[0]
    cut = head
    return cut.rstrip(" ,;:.-—") + "…"


def document_line(doc: Document, *, terse: bool = False) -> str:
    """One document: its name, how many copies, its note (the condition); ``terse``: the start
    of the name only, for a list that would otherwise not fit a few messages."""
    name = doc.name.rstrip(" .;")
    parts = [clip(name, TERSE_NAME_CHARS if terse else NAME_CHARS)]
    if doc.quantity and doc.copy_kind:
        parts.append(f"({doc.quantity} {doc.copy_kind})")
    line = BULLET + " ".join(parts)
    if doc.note and not terse:
        line += f" — {clip(doc.note, NOTE_CHARS)}"
    return line


def _clipped(doc: Document, terse: bool) -> bool:
    name = doc.name.rstrip(" .;").strip()
    return len(name) > (TERSE_NAME_CHARS if terse else NAME_CHARS) or bool(
        doc.note and (terse or len(doc.note.strip()) > NOTE_CHARS)
    )


@dataclass(frozen=True)
class DocumentsAnswer:
    text: str
    folded: int  # conditional documents left out (a "Xem đầy đủ" away)
    clipped: bool  # some lines shortened: the record's page has them whole


def documents_answer(docs: Iterable[Document], labels: Labels, *, full: bool) -> DocumentsAnswer:
    """The documents to submit, required ones first, each with its condition. Required documents
    are never left out; conditional ones are folded away from a long list unless ``full``."""
    to_submit = [d for d in docs if d.group == "nộp"]
    required = [d for d in to_submit if not is_conditional(d)]
    conditional = [d for d in to_submit if is_conditional(d)]
    # a record whose every document has a condition ("Trường hợp (1): ...") shows them all:
    # folding them away would leave no list at all
    shown_conditional = bool(conditional) and (
        full or len(to_submit) <= SHORT_LIST or not required
    )
    shown = required + (conditional if shown_conditional else [])
    folded = 0 if shown_conditional else len(conditional)

    def lines(terse: bool) -> list[str]:
        out = [document_line(d, terse=terse) for d in required]
        if shown_conditional:
            out.append(labels["documents_conditional"])
            out += [document_line(d, terse=terse) for d in conditional]
        return out

    text = "\n".join(lines(terse=False))
    terse = len(text) > BLOCK_CHARS
    if terse:
        text = "\n".join(lines(terse=True))
    return DocumentsAnswer(text, folded, any(_clipped(d, terse) for d in shown))


def documents_block(
    docs: Iterable[Document], labels: Labels, *, full: bool
) -> tuple[str, int]:
    """(text, folded) of ``documents_answer``."""
    answer = documents_answer(docs, labels, full=full)
    return answer.text, answer.folded


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


# the level of the offices that serve one commune ("Công an phường/xã"): which commune is the
# procedure's place rule (where the construction is, where the deceased last lived...)
LOCAL_LEVEL = "xã"


def offices_block(offices: Iterable[Office], labels: Labels, place: str | None = None) -> str:
    """Each office with its hours. A local office is named with the procedure's place rule
    ("... nơi có công trình xây dựng"); an invented (placeholder) office shows neither its address
    nor a phone: the citizen is pointed to the portal and the hotline instead."""
    where = labels.get(f"place_{place}") if place else None
    lines = []
    for o in offices:
        line = f"{BULLET}{o.name}"
        if where and o.level == LOCAL_LEVEL:
            line += f" {where}"
        if not o.placeholder:
            line += f": {o.address}"
        line += f". {o.hours}"
        if o.phone and not o.placeholder:
            line += f". {labels['phone']}: {o.phone}"
        lines.append(line)
    return "\n".join(lines)


def bullets(items: Iterable[str]) -> str:
    return "\n".join(BULLET + item.strip().rstrip(";") for item in items if item.strip())
