"""The sqladmin views of the catalogue: procedures, their documents, channels (fees and times)
and citizen aliases.

Every change goes through ``CatalogueView``'s hooks: checked before it is written (the form's
validators, then ``check``), then audited with the row before and after and published
(``freshness.publish``: the bot's next search and detail already use it).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import anyio
from fastapi import FastAPI
from sqladmin import ModelView
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from wtforms import Field, SelectField, validators

from connectors.admin.audit import record
from connectors.admin.catalogue.access import STATE_USERNAME, app_clock
from connectors.admin.catalogue.aliases import MAX_ALIAS_CHARS, same_phrasing
from connectors.admin.catalogue.freshness import publish
from connectors.admin.catalogue.seedfile import SeedWriteFailed, write_back
from connectors.admin.catalogue.validation import (
    EditRefused,
    NumberField,
    WholeNumberField,
    not_blank,
    not_negative,
)
from connectors.procedures.models import (
    Procedure,
    ProcedureAlias,
    RequiredDocument,
    SubmissionChannel,
)

logger = logging.getLogger(__name__)

STATE_BEFORE = "catalogue_before"
CHANNEL_KINDS = [("in_person", "Trực tiếp"), ("online", "Trực tuyến"), ("post", "Qua bưu chính")]
DOCUMENT_GROUPS = [("nộp", "Nộp"), ("xuất trình", "Xuất trình"), ("lưu ý", "Lưu ý")]


def snapshot(row: Any) -> dict[str, Any]:
    """The row's columns, as the audit log keeps them."""
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def _tidy(data: dict[str, Any]) -> None:
    """Text fields as the model stores them: trimmed, and None rather than an empty string."""
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = " ".join(value.split()) if "\n" not in value else value.strip()
            if data[key] == "":
                data[key] = None


class CatalogueView(ModelView):
    """What every catalogue view shares: Vietnamese labels, audit, immediate publication."""

    app: ClassVar[FastAPI]  # set when the site is mounted
    can_import = False
    page_size = 50
    save_as = False
    # a change to the facts (not to how citizens name it) makes the procedure curated
    curates: ClassVar[bool] = True

    def target(self, row: Any) -> str:
        """The audit entry's target: the procedure code (and the row, for a child row)."""
        return f"{row.procedure_code}#{row.id}"

    def check(self, session: Session, data: dict[str, Any], row: Any, created: bool) -> None:
        """Refuses (``EditRefused``) what the form's validators cannot see (the database)."""
        code = data.get("procedure_code", getattr(row, "procedure_code", None))
        if code is not None:
            procedure = session.get(Procedure, code)
            if procedure is None:
                raise EditRefused(f"Không có thủ tục mã {code}.")

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        _tidy(data)
        setattr(request.state, STATE_BEFORE, None if is_created else snapshot(model))
        await anyio.to_thread.run_sync(self._check, data, model, is_created)

    def _check(self, data: dict[str, Any], model: Any, created: bool) -> None:
        with self.app.state.session_factory() as session:
            self.check(session, data, model, created)

    async def after_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> Response | None:
        verb = "create" if is_created else "edit"
        await self._publish(request, verb, model, getattr(request.state, STATE_BEFORE, None),
                            snapshot(model))
        return None

    async def on_model_delete(self, model: Any, request: Request) -> None:
        setattr(request.state, STATE_BEFORE, snapshot(model))

    async def after_model_delete(self, model: Any, request: Request) -> None:
        await self._publish(request, "delete", model,
                            getattr(request.state, STATE_BEFORE, None), None)

    async def _publish(
        self, request: Request, verb: str, model: Any,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:
        actor = getattr(request.state, STATE_USERNAME, "?")
        action = f"catalogue.{self.identity}.{verb}"
        target = self.target(model)
        now = app_clock(self.app)()

        def write() -> None:
            with self.app.state.session_factory() as session:
                record(session, actor, action, target, before=before, after=after, now=now,
                       commit=False)
                code = getattr(model, "procedure_code", None) or getattr(model, "code", None)
                if self.curates and code is not None:
                    curate(session, code)
                publish(session, self.app.state.catalogue)
                if code is not None and before is not None and before.get(
                        "procedure_code", code) != code:  # a row moved to another procedure
                    self._keep_in_seed(session, before["procedure_code"])
                if code is not None:
                    self._keep_in_seed(session, code)

        await anyio.to_thread.run_sync(write)


    def _keep_in_seed(self, session: Session, code: str) -> None:
        """sqladmin has committed the change already: when the seed file cannot be written,
        the change stays in the database and the log says so (the next start undoes it)."""
        try:
            write_back(session, code, self.app.state.settings.catalogue_seed_dir)
        except (SeedWriteFailed, OSError):
            logger.exception("seed entry of %s not rewritten", code)


def curate(session: Session, code: str) -> None:
    """A procedure whose facts staff changed is the province's checked entry from now on
    (``source = "curated"``): a national import keeps it as it is, and a later sync flags it
    for review when its national record changes (connectors/catalogue/README.md)."""
    procedure = session.get(Procedure, code)
    if procedure is not None and procedure.source != "curated":
        procedure.source = "curated"


def document_line(document: RequiredDocument) -> str:
    kind = ", ".join(filter(None, [document.group, document.copy_kind,
                                   f"{document.quantity} bản" if document.quantity else None]))
    return document.name + (f" ({kind})" if kind else "") + (
        f" — {document.note}" if document.note else "")


def channel_line(channel: SubmissionChannel) -> str:
    time = channel.time_text or (
        f"{channel.processing_time:g} {channel.time_unit or ''}".strip()
        if channel.processing_time is not None else "không ghi")
    return (f"{dict(CHANNEL_KINDS).get(channel.kind, channel.kind)}: lệ phí "
            f"{channel.fee_text or 'không ghi'}; thời hạn {time}")


class ProcedureView(CatalogueView, model=Procedure):
    name = "thủ tục"
    name_plural = "Thủ tục"
    icon = "fa-solid fa-file-lines"
    # a procedure is never deleted (dossiers name it): a withdrawn one is retired by the sync
    can_delete = False
    form_include_pk = True
    column_list: ClassVar[list[Any]] = [
        Procedure.code, Procedure.name, Procedure.short_name, Procedure.domain,
        Procedure.level, Procedure.source, Procedure.retired_at,
    ]
    column_searchable_list: ClassVar[list[Any]] = [
        Procedure.code, Procedure.name, Procedure.short_name,
    ]
    column_sortable_list: ClassVar[list[Any]] = [
        Procedure.code, Procedure.name, Procedure.domain, Procedure.popularity,
    ]
    column_default_sort: ClassVar[list[Any]] = [
        (Procedure.popularity, True), (Procedure.code, False),
    ]
    column_details_list: ClassVar[list[Any]] = [
        Procedure.code, Procedure.name, Procedure.short_name, Procedure.summary,
        Procedure.domain, Procedure.level, Procedure.agency, Procedure.requesters,
        Procedure.conditions, Procedure.result, Procedure.fee_note, Procedure.online_url,
        Procedure.source_url, Procedure.source, Procedure.popularity, Procedure.same_as,
        Procedure.retired_at, Procedure.aliases, Procedure.documents, Procedure.channels,
    ]
    # one line per related row, linked to it (sqladmin would show each object's repr)
    show_compact_lists = False
    column_formatters_detail: ClassVar[dict[Any, Any]] = {
        "aliases": lambda m, a: [alias.alias for alias in m.aliases],
        "documents": lambda m, a: [document_line(d) for d in m.documents],
        "channels": lambda m, a: [channel_line(c) for c in m.channels],
    }
    form_columns: ClassVar[list[Any]] = [
        Procedure.code, Procedure.name, Procedure.short_name, Procedure.summary,
        Procedure.domain, Procedure.level, Procedure.agency, Procedure.requesters,
        Procedure.conditions, Procedure.result, Procedure.fee_note, Procedure.online_url,
        Procedure.source_url, Procedure.popularity,
    ]
    form_overrides: ClassVar[dict[str, type[Field]]] = {"popularity": WholeNumberField}
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "code": {"validators": [validators.InputRequired(), validators.Regexp(
            r"^[0-9A-Za-z.\-_]+$", message="Mã chỉ gồm chữ, số và các dấu . - _")]},
        "name": {"validators": [not_blank]},
        "popularity": {"validators": [validators.Optional(), validators.NumberRange(
            min=0, max=10, message="Độ phổ biến từ 0 đến 10.")]},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        "code": "Mã", "name": "Tên chính thức", "short_name": "Tên ngắn", "summary": "Tóm tắt",
        "domain": "Lĩnh vực", "level": "Cấp thực hiện", "agency": "Cơ quan giải quyết",
        "requesters": "Đối tượng thực hiện", "conditions": "Điều kiện", "result": "Kết quả",
        "fee_note": "Ghi chú lệ phí", "online_url": "Địa chỉ nộp trực tuyến",
        "source_url": "Nguồn", "source": "Loại (curated: đã kiểm chứng; national: quốc gia)",
        "popularity": "Độ phổ biến (0–10)", "same_as": "Trả lời như thủ tục",
        "retired_at": "Ngừng áp dụng từ", "aliases": "Cách người dân gọi",
        "documents": "Giấy tờ", "channels": "Cách nộp, lệ phí, thời hạn",
    }

    def target(self, row: Any) -> str:
        return str(row.code)

    def check(self, session: Session, data: dict[str, Any], row: Any, created: bool) -> None:
        if created and session.get(Procedure, data.get("code")) is not None:
            raise EditRefused(f"Đã có thủ tục mã {data.get('code')}.")
        # what staff write is the province's own, checked entry: a national import keeps it
        data["source"] = "curated"


class AliasView(CatalogueView, model=ProcedureAlias):
    name = "cách gọi"
    name_plural = "Cách người dân gọi"
    icon = "fa-solid fa-comment"
    curates = False  # aliases are the project's, never the catalogue's
    form_include_pk = True
    column_list: ClassVar[list[Any]] = [
        ProcedureAlias.procedure_code, ProcedureAlias.alias,
    ]
    column_searchable_list: ClassVar[list[Any]] = [
        ProcedureAlias.procedure_code, ProcedureAlias.alias,
    ]
    column_sortable_list: ClassVar[list[Any]] = [ProcedureAlias.procedure_code]
    column_default_sort: ClassVar[list[Any]] = [(ProcedureAlias.id, True)]
    form_columns: ClassVar[list[Any]] = [ProcedureAlias.procedure_code, ProcedureAlias.alias]
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "procedure_code": {"validators": [not_blank]},
        "alias": {"validators": [not_blank, validators.Length(
            max=MAX_ALIAS_CHARS, message=f"Tối đa {MAX_ALIAS_CHARS} ký tự.")]},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        "procedure_code": "Mã thủ tục", "alias": "Cách người dân gọi",
    }

    def check(self, session: Session, data: dict[str, Any], row: Any, created: bool) -> None:
        super().check(session, data, row, created)
        code, alias = data.get("procedure_code"), data.get("alias") or ""
        procedure = session.get_one(Procedure, code)
        others = [a.alias for a in procedure.aliases if created or a.id != row.id]
        if any(same_phrasing(other, alias) for other in others):
            raise EditRefused(f"“{alias}” đã là tên gọi của thủ tục {code}.")


class DocumentView(CatalogueView, model=RequiredDocument):
    name = "giấy tờ"
    name_plural = "Giấy tờ"
    icon = "fa-solid fa-folder-open"
    form_include_pk = True
    column_list: ClassVar[list[Any]] = [
        RequiredDocument.procedure_code, RequiredDocument.position, RequiredDocument.name,
        RequiredDocument.group, RequiredDocument.copy_kind, RequiredDocument.quantity,
        RequiredDocument.note,
    ]
    column_searchable_list: ClassVar[list[Any]] = [
        RequiredDocument.procedure_code, RequiredDocument.name,
    ]
    column_sortable_list: ClassVar[list[Any]] = [RequiredDocument.procedure_code]
    column_default_sort: ClassVar[list[Any]] = [(RequiredDocument.procedure_code, False),
                                               (RequiredDocument.position, False)]
    form_columns: ClassVar[list[Any]] = [
        RequiredDocument.procedure_code, RequiredDocument.position, RequiredDocument.name,
        RequiredDocument.group, RequiredDocument.copy_kind, RequiredDocument.quantity,
        RequiredDocument.form_name, RequiredDocument.note,
    ]
    form_overrides: ClassVar[dict[str, type[Field]]] = {
        "group": SelectField, "position": WholeNumberField, "quantity": WholeNumberField,
    }
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "group": {"choices": DOCUMENT_GROUPS},
        "procedure_code": {"validators": [not_blank]},
        "name": {"validators": [not_blank]},
        "position": {"validators": [validators.Optional(), not_negative]},
        "quantity": {"validators": [validators.Optional(), not_negative]},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        "procedure_code": "Mã thủ tục", "position": "Thứ tự", "name": "Tên giấy tờ",
        "group": "Nhóm", "copy_kind": "Loại bản (bản chính, bản sao...)",
        "quantity": "Số lượng", "form_name": "Mẫu đơn, tờ khai",
        "note": "Điều kiện, ghi chú (khi nào cần)",
    }


class ChannelView(CatalogueView, model=SubmissionChannel):
    name = "cách nộp"
    name_plural = "Lệ phí và thời hạn"
    icon = "fa-solid fa-money-bill"
    form_include_pk = True
    column_list: ClassVar[list[Any]] = [
        SubmissionChannel.procedure_code, SubmissionChannel.kind, SubmissionChannel.fee_text,
        SubmissionChannel.fee_amount, SubmissionChannel.processing_time,
        SubmissionChannel.time_unit, SubmissionChannel.time_text,
    ]
    column_searchable_list: ClassVar[list[Any]] = [SubmissionChannel.procedure_code]
    column_sortable_list: ClassVar[list[Any]] = [SubmissionChannel.procedure_code]
    column_default_sort: ClassVar[list[Any]] = [(SubmissionChannel.procedure_code, False),
                                               (SubmissionChannel.position, False)]
    form_columns: ClassVar[list[Any]] = [
        SubmissionChannel.procedure_code, SubmissionChannel.position, SubmissionChannel.kind,
        SubmissionChannel.fee_text, SubmissionChannel.fee_amount,
        SubmissionChannel.processing_time, SubmissionChannel.time_unit,
        SubmissionChannel.time_text, SubmissionChannel.note,
    ]
    # (sqladmin has no converter for a float column, SQLAlchemy's Double)
    form_overrides: ClassVar[dict[str, type[Field]]] = {
        "kind": SelectField, "processing_time": NumberField, "fee_amount": WholeNumberField,
        "position": WholeNumberField,
    }
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "kind": {"choices": CHANNEL_KINDS},
        "procedure_code": {"validators": [not_blank]},
        "position": {"validators": [validators.Optional(), not_negative]},
        "fee_amount": {"validators": [validators.Optional(), not_negative]},
        "processing_time": {"validators": [validators.Optional(), not_negative]},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        "procedure_code": "Mã thủ tục", "position": "Thứ tự", "kind": "Cách nộp",
        "fee_text": "Lệ phí (như công bố)", "fee_amount": "Lệ phí (số đồng, nếu là một con số)",
        "processing_time": "Thời hạn (số)", "time_unit": "Đơn vị (Ngày làm việc, Giờ...)",
        "time_text": "Thời hạn (như công bố, khi không là một con số)", "note": "Ghi chú",
    }


VIEWS: tuple[type[CatalogueView], ...] = (ProcedureView, AliasView, DocumentView, ChannelView)
