"""Parsing the national procedure catalogue (dichvucong.gov.vn) into ``ProcedureRecord``s.

Pure functions, no database. The portal publishes its tables (channels, documents, legal basis) as
HTML flattened to text with the cells run together, e.g.::

    Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1 NgàyMiễn phí(...)Dịch vụ bưu chính1 ...

so each parser splits on the anchors the portal always prints (channel names, time units, fee
phrases, document quantities, legal document numbers) and keeps what it cannot split as text
rather than guessing. Each parser returns what it could parse and ``ParseWarning``s for what it
could not; ``parse_procedure`` gathers them so the importer can report records imported only in
part. A record is refused (``InvalidProcedure``) only when it has no code or no name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.catalogue.store import ChannelIn, DocumentIn, LegalIn, ProcedureRecord

NO_INFO = "Không có thông tin"

# Vietnamese letters by case, for character classes: the ranges à-ỹ and À-Ỹ mix both cases.
_LATIN = [chr(c) for c in range(0xC0, 0x1EFA)]
_LOWER = "a-z" + "".join(c for c in _LATIN if c.islower())
_UPPER = "A-Z" + "".join(c for c in _LATIN if c.isupper())


@dataclass(frozen=True)
class ParseWarning:
    """Part of one field that could not be parsed cleanly; ``kind`` is a stable short code."""

    field: str
    kind: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.kind}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class ParsedProcedure:
    record: ProcedureRecord
    warnings: list[ParseWarning] = field(default_factory=list)


class InvalidProcedure(ValueError):
    """The object cannot become a procedure at all (not an object, no code, no name)."""


# --------------------------------------------------------------------------------------------
# Plain text


_SPACES_RE = re.compile(r"[ \t\u00a0\uf0b7\uf0fc]+")  # incl. Word's private-use bullets
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\ufeff]")  # zero-width marks, inside words
_EMPTY_VALUES = frozenset({"", NO_INFO, "--", "----", "-", "Không", "Không có", "Không quy định"})


def clean_text(value: object, *, multiline: bool = False) -> str | None:
    """Collapses spaces (and line breaks unless ``multiline``); "Không có thông tin", "--" and
    empty strings become None."""
    if not isinstance(value, str):
        return None
    value = _INVISIBLE_RE.sub("", value).replace("\r", "\n")
    lines = [_SPACES_RE.sub(" ", line).strip() for line in value.split("\n")]
    text = ("\n" if multiline else " ").join(line for line in lines if line).strip()
    if text.rstrip(".").strip() in _EMPTY_VALUES:
        return None
    return text


_LEVEL_SUFFIX_RE = re.compile(
    r"\s*[(\[]\s*(?:(?:được\s+)?thực\s+hiện\s+(?:tại|ở)\s+)?cấp\s+"
    r"(?:tỉnh|tinh|xã|huyện|bộ|trung\s+ương|tw)\s*[)\]]\s*[.;]?\s*$",
    re.IGNORECASE,
)
_PROCEDURE_PREFIX_RE = re.compile(r"^thủ\s+tục\s+(?!hành\s+chính)", re.IGNORECASE)


def short_name(name: str) -> str | None:
    """The name as people say it: without the level suffix ("(thực hiện tại cấp tỉnh)") and a
    leading "Thủ tục"; None when that changes nothing."""
    short = _LEVEL_SUFFIX_RE.sub("", name).strip()
    short = _PROCEDURE_PREFIX_RE.sub("", short).strip()
    if not short:
        return None
    short = short[0].upper() + short[1:]
    return short if short != name.strip() else None


# --------------------------------------------------------------------------------------------
# Fees


# An amount as the portal prints it: 200,000 / 1.500.000 / 20 (never a leading zero but "0").
_AMOUNT = r"(?:[1-9]\d{0,2}(?:[.,]\d{3})+(?!\d)|[1-9]\d*|0(?![\d.,]))"
_CURRENCY = r"(?:Việt\s+Nam\s+Đồng|VNĐ|VND|Đồng|đồng|USD)"
_FEE_RE = re.compile(
    rf"(?P<free>Miễn phí)|(?P<noinfo>{NO_INFO})|(?P<amount>{_AMOUNT})\s?(?P<currency>{_CURRENCY})"
)
# Fees set by the province (HĐND, or UBND cấp tỉnh) are not national figures.
_PROVINCIAL_RE = re.compile(
    r"Hội\s+đồng\s+nhân\s+dân|HĐND|(?:Ủy|Uỷ)\s+ban\s+nhân\s+dân\s+(?:cấp\s+)?tỉnh"
    r"|UBND\s+(?:cấp\s+)?tỉnh",
    re.IGNORECASE,
)
# Notes after "Miễn phí" that confirm there is nothing to pay, or say nothing at all.
_NO_FEE_NOTE_RE = re.compile(
    r"(?:không(?:\s+có)?|không\s+(?:được\s+)?quy\s+định|chưa\s+quy\s+định|miễn(?:\s+phí)?"
    r"|không\s+thu(?:\s+(?:phí|lệ\s+phí))?|[a-z]{1,3})?[\s.;:)(-]*",
    re.IGNORECASE,
)
_MONEY_IN_TEXT_RE = re.compile(
    r"(?P<amount>\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:Việt\s+Nam\s+Đồng|VNĐ|VND|đồng|đ\b|USD)",
    re.IGNORECASE,
)
# A note that changes the amount for some people or for a while: exemptions, reduced rates.
_CONDITIONAL_RE = re.compile(r"\bmiễn\b|\bgiảm\b|\d\s*%|áp\s+dụng\s+mức", re.IGNORECASE)
# "Lệ phí : Đồng (...": the portal's template with the amount left out.
_EMPTY_FEE_PLACEHOLDER_RE = re.compile(r"^\(?\s*(?:Lệ phí|Phí)\s*:\s*Đồng\s*\(?\s*")

PROVINCIAL_FEE_NOTE = (
    "Mức phí, lệ phí do địa phương (Hội đồng nhân dân cấp tỉnh) quy định, không có mức chung "
    "toàn quốc; hỏi nơi tiếp nhận hồ sơ để biết số tiền cụ thể."
)


@dataclass(frozen=True)
class Fee:
    text: str | None
    amount: int | None  # VND, only when it is one national figure
    provincial: bool = False


def _to_int(amount: str) -> int:
    return int(re.sub(r"[.,]", "", amount))


def parse_fee(
    cell: str | None,
    note: str | None = None,
    *,
    context: str | None = None,
    warnings: list[ParseWarning] | None = None,
) -> Fee:
    """One fee cell ("Miễn phí", "200,000 Việt Nam Đồng", "10 USD", "Không có thông tin"), the
    note the portal prints after it in brackets, and the row's description as ``context``.

    ``amount`` is an integer VND only when all of that gives exactly one national figure. Other
    amounts in the note or description ("Phí: 800.000 đồng ... Lệ phí: 100.000 đồng"), an
    exemption or a reduced rate, a fee in USD, or a fee the province sets leave it None; so does
    a note after "Miễn phí" that describes a fee. For a provincial fee the portal's "Miễn phí" is
    only a placeholder, so the text is the note alone.
    """
    note = clean_text(note)
    if note:
        note = clean_text(_EMPTY_FEE_PLACEHOLDER_RE.sub("", note).lstrip("-+ "))
    token = clean_text(cell)
    if token == NO_INFO:
        token = None
    text = f"{token} ({note})" if token and note else (token or note)
    provincial = bool(note and _PROVINCIAL_RE.search(note))
    if provincial and token == "Miễn phí":
        text = note
    match = _FEE_RE.fullmatch(token) if token else None
    if match is None or provincial:
        return Fee(text, None, provincial)
    mentioned = {
        _to_int(m["amount"]) for m in _MONEY_IN_TEXT_RE.finditer(f"{note or ''}\n{context or ''}")
    }
    if match["free"]:
        no_fee = note is None or _NO_FEE_NOTE_RE.fullmatch(note) is not None
        return Fee(text, 0 if no_fee and not mentioned - {0} else None)
    if match["amount"] is None or match["currency"] == "USD":
        return Fee(text, None)
    amount = _to_int(match["amount"])
    if amount < 1000:
        # "20 VNĐ (20.000 vnđ/tờ khai)": the cell is in thousands; do not guess.
        if warnings is not None:
            warnings.append(ParseWarning("channels", "fee-below-1000-vnd", token or ""))
        return Fee(text, None)
    conditional = _CONDITIONAL_RE.search(f"{note or ''}\n{context or ''}") is not None
    return Fee(text, None if conditional or mentioned - {amount} else amount)


def fee_note(channels: list[ChannelIn]) -> str | None:
    """A procedure-level remark when the fee is set by the province, not nationally."""
    if any(c.fee_text and _PROVINCIAL_RE.search(c.fee_text) for c in channels):
        return PROVINCIAL_FEE_NOTE
    return None


# --------------------------------------------------------------------------------------------
# Channels: cach_thuc_thuc_hien


CHANNEL_KINDS: dict[str, str] = {
    "Trực tiếp": "in_person",
    "Trực tuyến": "online",
    "Dịch vụ bưu chính": "post",
}
_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNEL_RE = re.compile("|".join(re.escape(name) for name in CHANNEL_KINDS))
_UNITS = ("Ngày làm việc", "Ngày", "Giờ làm việc", "Giờ", "Tháng", "Năm", "Tuần", "Phút")
_NUMBER = r"\d+(?:[.,]\d+)?"
_TIME_WITH_UNIT_RE = re.compile(
    rf"(?P<number>{_NUMBER})\s*(?P<unit>{'|'.join(_UNITS)})(?![{_LOWER}])"
)


def _channel_rows(body: str) -> tuple[str, list[tuple[str, str]]]:
    """(text before the first row, [(kind, rest of the row)]). A row's channel name is glued to
    its time cell (a digit or a capital letter); the same words inside a description are
    followed by a space or a colon ("- Trực tiếp: tại Công an cấp xã")."""
    anchors = [
        m for m in _CHANNEL_RE.finditer(body)
        if m.end() < len(body) and (body[m.end()].isdigit() or body[m.end()].isupper())
    ]
    head = body[: anchors[0].start()] if anchors else body
    rows = []
    for i, m in enumerate(anchors):
        end = anchors[i + 1].start() if i + 1 < len(anchors) else len(body)
        rows.append((CHANNEL_KINDS[m.group()], body[m.end(): end]))
    return head, rows


def _closing_bracket(text: str, start: int) -> int | None:
    """Index just past the ``)`` closing the ``(`` at ``start``; None when it never closes."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _split_time_and_fee(row: str) -> tuple[str, re.Match[str] | None]:
    """(time cell, fee cell match). The time cell is "5 Ngày làm việc"; or a bare number glued to
    an amount, where the shortest time leaving a well-formed amount wins ("120,000 VNĐ" is 1 and
    20,000 VNĐ); or text ("Không quy định") up to the first fee phrase."""
    timed = _TIME_WITH_UNIT_RE.match(row)
    if timed:
        return row[: timed.end()], _FEE_RE.match(row, timed.end())
    digits = re.match(r"\d[\d.,]*", row)
    if digits:
        for cut in range(1, digits.end() + 1):
            fee = _FEE_RE.match(row, cut)
            if row[cut - 1] not in ".," and fee:
                return row[:cut], fee
    fee = _FEE_RE.search(row, 1)
    if fee:
        return row[: fee.start()], fee
    return "", None


def _parse_time(cell: str) -> tuple[float | None, str | None, str | None]:
    """(processing_time, time_unit, time_text) of one time cell."""
    text = " ".join(cell.split())
    if not text or text == NO_INFO:
        return None, None, None
    timed = _TIME_WITH_UNIT_RE.fullmatch(text)
    if timed:
        return float(timed["number"].replace(",", ".")), timed["unit"], None
    if re.fullmatch(_NUMBER, text):
        return float(text.replace(",", ".")), None, None
    return None, None, text


_ENUMERATION_RE = re.compile(r"\((?:\d{1,2}|[a-zđ]|[ivx]{1,4})\)", re.IGNORECASE)


def _parse_channel_row(kind: str, row: str, warnings: list[ParseWarning]) -> ChannelIn:
    time_cell, fee = _split_time_and_fee(row)
    processing_time, unit, time_text = _parse_time(time_cell)
    if fee is None:
        warnings.append(ParseWarning("channels", "fee-not-found", row[:80]))
        return ChannelIn(
            kind=kind, processing_time=processing_time, time_unit=unit, time_text=time_text,
            note=clean_text(row[len(time_cell):], multiline=True),
        )
    note: str | None = None
    rest = fee.end()
    # The note follows the fee in brackets; "Không có thông tin(1) Trường hợp..." is the cell
    # then a description that numbers its cases.
    if row.startswith("(", rest) and not fee["noinfo"] and not _ENUMERATION_RE.match(row, rest):
        close = _closing_bracket(row, rest)
        if close is None:
            # The portal left a bracket open: the note runs to the last ")" of the row.
            warnings.append(ParseWarning("channels", "unclosed-fee-note", kind))
            last = row.rfind(")", rest)
            close = last + 1 if last > rest else len(row)
            note = row[rest + 1: last] if last > rest else row[rest + 1:]
        else:
            note = row[rest + 1: close - 1]
        rest = close
    description = clean_text(row[rest:], multiline=True)
    parsed = parse_fee(fee.group(), note, context=description, warnings=warnings)
    return ChannelIn(
        kind=kind,
        processing_time=processing_time,
        time_unit=unit,
        time_text=time_text,
        fee_text=parsed.text,
        fee_amount=parsed.amount,
        note=description,
    )


def parse_channels(text: str | None) -> tuple[list[ChannelIn], list[ParseWarning]]:
    """``cach_thuc_thuc_hien`` -> one ChannelIn per table row, in the portal's order."""
    warnings: list[ParseWarning] = []
    body = (text or "").strip()
    if clean_text(body) is None:
        return [], warnings
    if body.startswith(_CHANNEL_HEADER):
        body = body[len(_CHANNEL_HEADER):]
    else:
        warnings.append(ParseWarning("channels", "no-table-header", body[:80]))
    head, rows = _channel_rows(body)
    if clean_text(head):
        warnings.append(ParseWarning("channels", "text-before-first-channel", head[:80]))
    return [_parse_channel_row(kind, row, warnings) for kind, row in rows], warnings


# --------------------------------------------------------------------------------------------
# Documents: thanh_phan_ho_so


_DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# "1 bản chính", "0 bản chính,1 bản sao". Inside a document's name the same words go on with the
# sentence ("01 bản sao có chứng thực;"), which a quantity cell never does.
_QUANTITY_RE = re.compile(
    r"\d+ bản (?:chính|sao)(?:,\d+ bản (?:chính|sao))*"
    rf"(?!\s*[;:,.]|\s+[{_LOWER}(])"
)
_QUANTITY_PART_RE = re.compile(r"(\d+) bản (chính|sao)")
_FORM_EXT_RE = re.compile(r"\.(?:docx|doc|pdf|xlsx|xls|rtf|odt|zip|rar)", re.IGNORECASE)
_MAX_FORM_CHARS = 120
_PLAIN_HEADINGS = frozenset({"Thành phần hồ sơ", "Hồ sơ gồm", "Bao gồm", "a) Thành phần hồ sơ"})
_PRESENT_RE = re.compile(r"xuất\s+trình", re.IGNORECASE)
_NOTE_RE = re.compile(r"^\W*lưu\s+ý", re.IGNORECASE)
_GROUP_ONLY_RE = re.compile(r"\W*(?:Các\s+)?giấy\s+tờ\s+phải\s+(?:nộp|xuất\s+trình)\b.*", re.I)
_BULLET_RE = re.compile(r"^(?:[-+*•]+\)?\s*)+")


def _quantity(cell: str) -> tuple[int | None, str | None, str | None]:
    """(quantity, copy_kind, note) of "1 bản chính" or "0 bản chính,1 bản sao"."""
    wanted = [(int(n), "bản " + kind) for n, kind in _QUANTITY_PART_RE.findall(cell) if int(n)]
    if not wanted:
        return None, None, None
    if len(wanted) == 1:
        return wanted[0][0], wanted[0][1], None
    return None, ", ".join(k for _, k in wanted), ", ".join(f"{n} {k}" for n, k in wanted)


def _is_cell_boundary(text: str, i: int) -> bool:
    """True where a new cell seems to start at ``text[i]`` with no separator before it."""
    prev, cur = text[i - 1], text[i]
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev.isspace():
        return False
    if (prev.islower() or prev in ";)") and (cur.isupper() or cur.isdigit()):
        return True  # "...theo quy địnhĐơn đề nghị.docx", "...2015;NA8.pdf"
    if prev == "." and i >= 2 and (
        (cur.isdigit() and text[i - 2] == ")") or (cur.isupper() and not text[i - 2].isdigit())
    ):
        return True  # "...(Mẫu NA9).10-Mẫu NA9.docx", "...TT-NHNN).PHLC2.TT06.doc"
    # "...TT-BNNMTMẫu số 05.docx", "...năm 2024Mẫu 01.docx"
    return (prev == "." or prev.isupper() or prev.isdigit()) and cur.isupper() and nxt.islower()


def _split_forms(cell: str) -> tuple[str, list[str]]:
    """Splits "Tờ khai ... theo mẫu;Mẫu số 01.docxPhụ lục 2.pdf" into the name and the form
    files (without their extension): the files start at the first glued cell boundary."""
    ends = list(_FORM_EXT_RE.finditer(cell))
    if not ends or ends[-1].end() != len(cell.rstrip()):
        return cell, []
    first_end = ends[0].start()
    start = next(
        (
            i for i in range(max(1, first_end - _MAX_FORM_CHARS), first_end)
            if _is_cell_boundary(cell, i)
        ),
        None,
    )
    if start is None:
        breaks = [m.end() for m in re.finditer(r"[;:.)]\s+", cell[:first_end])]
        start = breaks[-1] if breaks else 0
    files = re.findall(r".+?" + _FORM_EXT_RE.pattern, cell[start:], flags=re.IGNORECASE)
    forms = [re.sub(r"\s*\(\d+\)$", "", _FORM_EXT_RE.sub("", f)).strip(" -;") for f in files]
    return cell[:start], [f for f in forms if f]


def _heading_group(heading: str) -> tuple[str, str | None]:
    """(group, case) of a section heading: "* Giấy tờ phải xuất trình:" -> ("xuất trình", None);
    a heading naming a case ("Trường hợp ủy quyền:") is kept as the documents' note."""
    text = clean_text(heading.strip(" -*:\n\t"))
    if text is None or text in _PLAIN_HEADINGS or not any(c.isalpha() for c in text):
        return "nộp", None
    if _NOTE_RE.match(text):
        return "lưu ý", None
    group = "xuất trình" if _PRESENT_RE.search(text) else "nộp"
    if _GROUP_ONLY_RE.fullmatch(text):
        return group, None
    return group, text.rstrip(":").strip()


def _document_rows(section: str) -> tuple[list[tuple[str, str]], int]:
    """(name cell, quantity cell) pairs of one table section, and where the last row ended.

    A name may itself say how many copies ("...nhập khẩu: 01 bản chính" + "1 bản chính"): a
    quantity with no name before it belongs to the row before, whose "quantity" was the end of
    its name. "01 bản chính Biên bản..." at the start of a row is the start of the name."""
    rows: list[tuple[str, str]] = []
    position = 0
    for quantity in _QUANTITY_RE.finditer(section):
        cell, token = section[position: quantity.start()], quantity.group()
        digits = len(token) - len(token.lstrip("0123456789"))
        if digits > 1:  # "...Mẫu số 01" + "1 bản chính" reads "Mẫu số 011 bản chính"
            cell, token = cell + token[: digits - 1], token[digits - 1:]
        if not cell.strip():
            if section[quantity.end(): quantity.end() + 1].isspace():
                continue
            if rows:
                previous_cell, previous_quantity = rows.pop()
                cell = previous_cell + previous_quantity + cell
        rows.append((cell, token))
        position = quantity.end()
    return rows, position


def _document(
    cell: str, quantity: str | None, group: str, case: str | None
) -> tuple[DocumentIn | None, bool]:
    """The document of one row; (None, False) when the row has no name at all."""
    name, forms = _split_forms(cell)
    clean_name = clean_text(_BULLET_RE.sub("", name.strip(" \t\n;")), multiline=True)
    clean_name = clean_name or "; ".join(forms) or None
    if clean_name is None:
        return None, False
    count, copy_kind, copies = _quantity(quantity) if quantity else (None, None, None)
    return DocumentIn(
        name=clean_name,
        copy_kind=copy_kind,
        quantity=count,
        form_name="; ".join(forms) or None,
        group="lưu ý" if _NOTE_RE.match(clean_name) else group,
        note="; ".join(n for n in (case, copies) if n) or None,
    ), True


def parse_documents(text: str | None) -> tuple[list[DocumentIn], list[ParseWarning]]:
    """``thanh_phan_ho_so`` -> documents. The table may come in several sections, each after a
    heading ("* Giấy tờ phải nộp:", "* Giấy tờ phải xuất trình:", "* Lưu ý:", "Trường hợp ủy
    quyền:"), which gives the group ("nộp", "xuất trình", "lưu ý") of its documents."""
    warnings: list[ParseWarning] = []
    body = text or ""
    if clean_text(body) is None:
        return [], warnings
    if _DOCUMENT_HEADER not in body:
        warnings.append(ParseWarning("documents", "no-table-header", body.strip()[:80]))
        return [], warnings
    sections = body.split(_DOCUMENT_HEADER)
    heading = sections[0]
    documents: list[DocumentIn] = []
    for index, section in enumerate(sections[1:], start=1):
        group, case = _heading_group(heading)
        rows, position = _document_rows(section)
        for cell, quantity in rows:
            document, named = _document(cell, quantity, group, case)
            if document is not None:
                documents.append(document)
            if not named:
                warnings.append(ParseWarning("documents", "quantity-without-name", quantity))
        heading = section[position:]
        if index == len(sections) - 1 and clean_text(heading):
            # A last row without its quantity cell is still a document.
            warnings.append(ParseWarning("documents", "row-without-quantity", heading[:80]))
            document, _ = _document(heading, None, group, case)
            if document is not None:
                documents.append(document)
    return documents, warnings


# --------------------------------------------------------------------------------------------
# Legal basis: can_cu_phap_ly


_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# Words an all-capital title starts with: "...TT-BGTVTLUẬT ĐẤT ĐAI" is a number, then a title.
_CAPS_TITLE_WORDS = (
    "LUẬT|BỘ LUẬT|NGHỊ ĐỊNH|NGHỊ QUYẾT|THÔNG TƯ|QUYẾT ĐỊNH|QUY ĐỊNH|PHÁP LỆNH|HƯỚNG DẪN|"
    "SỬA ĐỔI|VỀ|BAN HÀNH|CHỈ THỊ|VĂN BẢN|HIẾN PHÁP|QUY CHẾ|QUY TRÌNH"
)
# Issuer codes seen in the catalogue, tried longest first: "...NĐ-CPquy định" is NĐ-CP, then
# "quy định". Other codes are matched lazily up to where the next title visibly starts, because
# the next cell is glued to the number: "68/2013/TT-BCALuật Khiếu nại".
_KNOWN_ISSUERS = sorted(
    [
        "CP", "NĐ", "TT", "NQ", "QĐ", "TTLT", "TTg", "BTC", "NHNN", "BNNMT", "BCA", "BTP",
        "BGTVT", "BNNPTNT", "BXD", "BTNMT", "BLĐTBXH", "BKHĐT", "BHXH", "UBND", "HĐND", "BYT",
        "BQP", "BKHCN", "BNG", "BCT", "BNV", "BTTTT", "BGDĐT", "BVHTTDL", "VPQH", "UBTVQH",
        "VBHN", "VPCP", "TANDTC", "VKSNDTC", "HĐTP", "CTN", "CT", "BNN",
    ],
    key=len,
    reverse=True,
)
_SEGMENT = r"(?:(?:UBTVQH|QH)\d\d|" + "|".join(_KNOWN_ISSUERS) + r"|[A-ZĐ]+?)"
_ISSUER = rf"{_SEGMENT}(?:[-/]{_SEGMENT})*?"
# 60/2014/QH13, 123/2015/NĐ-CP, 85/2019/TT-BTC, 66.7/2025/NQ-CP, 2222/QĐ-BHXH, 167/2025.
_LEGAL_NUMBER_RE = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)/"
    rf"(?:(?P<year>(?:19|20)\d\d)(?:/(?P<issuer>{_ISSUER}))?|(?P<no_year>{_SEGMENT}-{_ISSUER}))"
    rf"(?=$|[\s,;:.)(\]\"'”]|\d|[{_LOWER}]|[{_UPPER}][{_LOWER}]|(?:{_CAPS_TITLE_WORDS})\b"
    rf"|-\s*[{_UPPER}][{_LOWER}])"
)
_DOCUMENT_TYPES = (
    r"(?:Bộ luật|Luật|Nghị định|Nghị quyết|Thông tư liên tịch|Thông tư|Quyết định|Pháp lệnh|"
    r"Văn bản hợp nhất)"
)
# The number cell sometimes starts with the document type, glued to the title before it:
# "...nông nghiệp và môi trường" + "Luật số 146/2025/QH15".
_NUMBER_PREFIX_RE = re.compile(
    rf"(?:(?<=\S)(?:{_DOCUMENT_TYPES}(?:\s+số)?|số)|(?<=\S)\s+{_DOCUMENT_TYPES}\s+số"
    rf"|(?<=\S)\n\s*{_DOCUMENT_TYPES})\s*$"
)
_DATE_CONTINUATION_RE = re.compile(r"ngày\s*\d")


def _number(match: re.Match[str], digits: str) -> str:
    parts = (digits, match["year"], match["issuer"] or match["no_year"])
    return "/".join(p for p in parts if p)[:100]


def _ends_row(body: str, end: int) -> bool:
    """A number cell is glued to the next title; a number quoted inside a title is followed by a
    space or punctuation ("Nghị định số 88/2020/NĐ-CP ngày 28/7/2020 ...")."""
    return end >= len(body) or not (body[end].isspace() or body[end] in ",;:.)]\"'”")


def _trim_number(digits: str, title: str) -> tuple[str, str]:
    """A title ending with a year runs into the number ("... sửa đổi 2023" + "23/2023/QH15" reads
    "202323/2023/QH15"; "... năm 2020" + "247/2025/NĐ-CP"): the title gets its year back."""
    if len(digits) > 4 and re.match(r"(?:19|20)\d\d", digits):
        return digits[4:], title + digits[:4]
    return digits, title


def parse_legal_basis(text: str | None) -> tuple[list[LegalIn], list[ParseWarning]]:
    """``can_cu_phap_ly`` -> (title, number) rows. A title often ends with its own number
    ("Nghị định 05/2012/NĐ-CP" + "05/2012/NĐ-CP"): a number with no title before it repeats the
    row before, whose title gets its number back."""
    warnings: list[ParseWarning] = []
    body = (text or "").strip()
    cleaned = clean_text(body)
    if cleaned is None:
        return [], warnings
    if not body.startswith(_LEGAL_HEADER):
        # Free text ("Thông tư 269/2016/TT-BTC ngày ..."): keep it whole, with its first number.
        warnings.append(ParseWarning("legal_basis", "no-table-header", cleaned[:80]))
        first = _LEGAL_NUMBER_RE.search(cleaned)
        return [LegalIn(title=cleaned, number=_number(first, first["n"]) if first else None)], (
            warnings
        )
    body = body[len(_LEGAL_HEADER):]
    rows: list[tuple[str, str]] = []
    position = 0
    for match in _LEGAL_NUMBER_RE.finditer(body):
        if not _ends_row(body, match.end()):
            continue
        title = _NUMBER_PREFIX_RE.sub("", body[position: match.start()])
        digits, title = _trim_number(match["n"], title)
        number = _number(match, digits)
        position = match.end()
        if rows and clean_text(title) is None and rows[-1][1] == number:
            rows[-1] = (rows[-1][0] + number, number)
        elif rows and _DATE_CONTINUATION_RE.match(title):
            # "Thông tư số 53/2025/TT-BCAngày 01/7/2025 ...": one title missing a space.
            rows[-1] = (rows[-1][0] + rows[-1][1] + title, number)
        else:
            rows.append((title, number))
    documents = [LegalIn(title=clean_text(t) or number, number=number) for t, number in rows]
    tail = clean_text(body[position:])
    if tail:
        warnings.append(ParseWarning("legal_basis", "title-without-number", tail[:80]))
        documents.append(LegalIn(title=tail, number=None))
    return documents, warnings


# --------------------------------------------------------------------------------------------
# Steps and result


_STEP_START_RE = re.compile(r"^\W{0,3}(?:[a-zđ]\)\s*)?Bước\s*\d+", re.IGNORECASE)


def parse_steps(text: str | None) -> list[str]:
    """``trinh_tu_thuc_hien`` -> steps. When the text numbers its steps ("Bước 1: ..."), each step
    keeps the lines under it; otherwise each non-empty line (bullet) is a step."""
    cleaned = clean_text(text, multiline=True)
    if cleaned is None:
        return []
    lines = cleaned.split("\n")
    if sum(1 for line in lines if _STEP_START_RE.match(line)) < 2:
        return lines
    steps: list[str] = []
    for line in lines:
        if steps and not _STEP_START_RE.match(line) and _STEP_START_RE.match(steps[-1]):
            steps[-1] += "\n" + line
        else:
            steps.append(line)
    return steps


_RESULT_CODE_RE = re.compile(
    rf"\s*[0-9A-Za-z][0-9A-Za-z._\-]*?(?=[{_UPPER}][{_LOWER}]|(?<=\d)[{_LOWER}]|\s|$)"
)
_RESULT_TAIL_RE = re.compile(r"Từ khóa.*$", re.DOTALL)


def parse_result(text: str | None) -> tuple[str | None, list[ParseWarning]]:
    """``ket_qua_xu_ly`` -> what the citizen receives, several joined with "; ". The portal prints
    each as its name + "Mã: KQ.G01.00262", then its own search widget ("Từ khóa...Chọn cơ quan
    thực hiện..."), which is dropped; so is a "code" that is a sentence."""
    warnings: list[ParseWarning] = []
    body = _RESULT_TAIL_RE.sub("", text or "")
    if clean_text(body) is None:
        return None, warnings
    if "Mã:" not in body and _QUANTITY_RE.search(body):
        warnings.append(ParseWarning("result", "holds-another-field", body.strip()[:80]))
        return None, warnings
    first, *coded = body.split("Mã:")
    items = [first]
    for segment in coded:
        code = _RESULT_CODE_RE.match(segment)
        if code is not None:
            items.append(segment[code.end():])
    names = [name for name in (clean_text(i.strip(" ;.\n")) for i in items) if name]
    return "; ".join(dict.fromkeys(names)) or None, warnings


# --------------------------------------------------------------------------------------------
# The page text, to repair fields the crawler cut at the wrong label


_RAW_LABELS = (
    ("trinh_tu_thuc_hien", "Trình Tự Thực Hiện", "steps"),
    ("cach_thuc_thuc_hien", "Cách Thức Thực Hiện", "channels"),
    ("thanh_phan_ho_so", "Thành phần hồ sơ", "documents"),
    ("can_cu_phap_ly", "Căn cứ pháp lý", "legal_basis"),
    ("co_quan_thuc_hien", "Cơ quan thực hiện", "agency"),
    ("yeu_cau_dieu_kien", "Yêu cầu, điều kiện thực hiện", "conditions"),
    ("ket_qua_xu_ly", "Kết quả xử lý", "result"),
)
_LEGAL_LABEL_RE = re.compile(r"Căn cứ pháp lý(?=Tên văn bản|Không có thông tin|\s*:)")


def raw_sections(raw: str, channels_text: str = "") -> dict[str, str]:
    """Cuts ``raw_text`` (the whole page) at its section labels, in page order. The channel table
    is found by its own text, so a label quoted inside the steps ("(Thành phần hồ sơ)") cannot
    end the steps early."""
    positions: list[tuple[str, int, int]] = []
    cursor = 0
    for key, label, _ in _RAW_LABELS:
        if key == "cach_thuc_thuc_hien":
            found = raw.find(label + "Hình thức nộp", cursor)
        elif key == "thanh_phan_ho_so" and channels_text.strip():
            table = raw.find(channels_text.strip(), cursor)
            found = raw.find(label, table + len(channels_text.strip()) if table >= 0 else cursor)
        elif key == "can_cu_phap_ly":
            match = _LEGAL_LABEL_RE.search(raw, cursor)
            found = match.start() if match else -1
        else:
            found = raw.find(label, cursor)
        if found >= 0:
            positions.append((key, found, found + len(label)))
            cursor = found + len(label)
    sections: dict[str, str] = {}
    for i, (key, _start, content_start) in enumerate(positions):
        end = positions[i + 1][1] if i + 1 < len(positions) else len(raw)
        sections[key] = raw[content_start:end]
    return sections


def _squash(text: str) -> str:
    return " ".join(text.split())


_BROKEN: dict[str, Callable[[str, str], bool]] = {
    # The field stops where the page goes on (cut at a quoted label).
    "trinh_tu_thuc_hien": lambda value, section: _squash(section).startswith(_squash(value)),
    # The field is not the table the page has there.
    "thanh_phan_ho_so": lambda value, section: _DOCUMENT_HEADER in section
    and _DOCUMENT_HEADER not in value,
    "can_cu_phap_ly": lambda value, section: _LEGAL_HEADER in section
    and _LEGAL_HEADER not in value,
    "ket_qua_xu_ly": lambda value, section: "Mã:" in section and "Mã:" not in value,
}


def _runs_on(value: str, section: str) -> bool:
    """The field runs on into the next section ("...QH12Cơ quan thực hiệnTòa án...")."""
    value, section = _squash(value), _squash(section)
    return bool(section) and len(value) > len(section) and value.startswith(section)


def repaired_fields(obj: Mapping[str, Any], warnings: list[ParseWarning]) -> dict[str, str]:
    """The table fields, each replaced by its section of ``raw_text`` when the crawler cut it at
    the wrong place (about 1% of the catalogue: a label quoted inside another section)."""
    fields = {key: v if isinstance(v := obj.get(key), str) else "" for key, _, _ in _RAW_LABELS}
    raw = obj.get("raw_text")
    if not isinstance(raw, str) or not raw:
        return fields
    sections = raw_sections(raw, fields["cach_thuc_thuc_hien"])
    for key, _, name in _RAW_LABELS:
        value, section = fields[key], sections.get(key)
        if section is None or _squash(value) == _squash(section):
            continue
        broken = _BROKEN.get(key)
        if (broken is not None and broken(value, section)) or _runs_on(value, section):
            warnings.append(ParseWarning(name, "repaired-from-raw-text"))
            fields[key] = section
    return fields


# --------------------------------------------------------------------------------------------
# The whole procedure


def parse_procedure(obj: object) -> ParsedProcedure:
    """One JSON object of the national format -> a ``ProcedureRecord`` (source "national").

    Raises ``InvalidProcedure`` without a code or a name, and pydantic's ``ValidationError`` when
    the code is not a valid procedure code; any table that cannot be parsed cleanly only adds
    warnings."""
    if not isinstance(obj, Mapping):
        raise InvalidProcedure("not a JSON object")
    code = clean_text(obj.get("ma_thu_tuc"))
    name = clean_text(obj.get("ten_thu_tuc"))
    if code is None:
        raise InvalidProcedure("no ma_thu_tuc")
    if name is None:
        raise InvalidProcedure("no ten_thu_tuc")
    warnings: list[ParseWarning] = []
    fields = repaired_fields(obj, warnings)
    channels, found = parse_channels(fields["cach_thuc_thuc_hien"])
    warnings += found
    documents, found = parse_documents(fields["thanh_phan_ho_so"])
    warnings += found
    legal_basis, found = parse_legal_basis(fields["can_cu_phap_ly"])
    warnings += found
    result, found = parse_result(fields["ket_qua_xu_ly"])
    warnings += found
    short = short_name(name)
    record = ProcedureRecord(
        code=code,
        name=name,
        short_name=short,
        domain=_capped(clean_text(obj.get("linh_vuc")), 200),
        level=_capped(clean_text(obj.get("cap_thuc_hien")), 100),
        agency=clean_text(fields["co_quan_thuc_hien"])
        or clean_text(obj.get("co_quan_co_tham_quyen")),
        requesters=clean_text(obj.get("doi_tuong_thuc_hien")),
        conditions=clean_text(fields["yeu_cau_dieu_kien"], multiline=True),
        result=result,
        fee_note=fee_note(channels),
        source_url=clean_text(obj.get("detail_url")),
        source="national",
        popularity=0,
        aliases=[short] if short else [],
        documents=documents,
        channels=channels,
        steps=parse_steps(fields["trinh_tu_thuc_hien"]),
        legal_basis=legal_basis,
    )
    return ParsedProcedure(record, warnings)


def _capped(text: str | None, length: int) -> str | None:
    """Columns with a length limit get the text cut at a word, never a database error."""
    if text is None or len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0]
