"""The procedure catalogue: one row per national procedure code, with its documents and channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connectors.db import Base


class Procedure(Base):
    __tablename__ = "procedure"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # ma_thu_tuc, e.g. 1.001193
    name: Mapped[str] = mapped_column(Text)  # official name
    short_name: Mapped[str | None] = mapped_column(Text)  # how an officer would say it
    summary: Mapped[str | None] = mapped_column(Text)
    domain: Mapped[str | None] = mapped_column(String(200), index=True)  # linh_vuc
    level: Mapped[str | None] = mapped_column(String(100))  # cap_thuc_hien
    agency: Mapped[str | None] = mapped_column(Text)  # who handles it
    requesters: Mapped[str | None] = mapped_column(Text)  # doi_tuong_thuc_hien
    conditions: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # the document the citizen receives
    fee_note: Mapped[str | None] = mapped_column(Text)
    online_url: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="national")  # curated | national
    # Curated procedures are the ones citizens ask about most; search prefers them on ties.
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    # a twin (the same procedure at another level) answers as this code
    same_as: Mapped[str | None] = mapped_column(String(32))
    # withdrawn from the national catalogue (connectors.catalogue.sync): never searched, resolved
    # or listed again, and its detail answers 410; kept, since dossiers still name it
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    aliases: Mapped[list[ProcedureAlias]] = relationship(
        cascade="all, delete-orphan", order_by="ProcedureAlias.id", lazy="selectin"
    )
    documents: Mapped[list[RequiredDocument]] = relationship(
        cascade="all, delete-orphan", order_by="RequiredDocument.position", lazy="selectin"
    )
    channels: Mapped[list[SubmissionChannel]] = relationship(
        cascade="all, delete-orphan", order_by="SubmissionChannel.position", lazy="selectin"
    )
    steps: Mapped[list[ProcedureStep]] = relationship(
        cascade="all, delete-orphan", order_by="ProcedureStep.position", lazy="selectin"
    )
    legal_basis: Mapped[list[LegalDocument]] = relationship(
        cascade="all, delete-orphan", order_by="LegalDocument.position", lazy="selectin"
    )


class ProcedureAlias(Base):
    """A name citizens use for a procedure ("làm sổ đỏ", "cccd")."""

    __tablename__ = "procedure_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedure.code", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(Text)


class RequiredDocument(Base):
    __tablename__ = "required_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedure.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    copy_kind: Mapped[str | None] = mapped_column(String(50))  # bản chính | bản sao | ...
    quantity: Mapped[int | None] = mapped_column(Integer)
    form_name: Mapped[str | None] = mapped_column(Text)  # form template, when there is one
    group: Mapped[str] = mapped_column(String(30), default="nộp")  # nộp | xuất trình | lưu ý
    note: Mapped[str | None] = mapped_column(Text)


class SubmissionChannel(Base):
    __tablename__ = "submission_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedure.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))  # in_person | online | post
    processing_time: Mapped[float | None] = mapped_column()
    time_unit: Mapped[str | None] = mapped_column(String(50))  # Ngày | Ngày làm việc | Giờ ...
    time_text: Mapped[str | None] = mapped_column(Text)  # as published, when it is not one number
    fee_text: Mapped[str | None] = mapped_column(Text)
    fee_amount: Mapped[int | None] = mapped_column(Integer)  # VND, only when a national figure
    note: Mapped[str | None] = mapped_column(Text)


class ProcedureStep(Base):
    __tablename__ = "procedure_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedure.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)


class LegalDocument(Base):
    __tablename__ = "legal_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedure.code", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str | None] = mapped_column(String(100))  # 60/2014/QH13
    title: Mapped[str] = mapped_column(Text)


class CatalogueState(Base):
    """One row whose version every catalogue write bumps: caches and search indexes key on it."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # what the national catalogue was last imported from (file, aliases and importer)
    national_fingerprint: Mapped[str | None] = mapped_column(String(64))
