"""Dossiers in the connectors' own database: demo data, and provinces without an upstream API."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from connectors.applications.models import Application, ApplicationStatusName
from connectors.applications.sources.base import DossierEvent, DossierRecord, PlainOwner


class LocalSource:
    name = "local"

    def fetch(self, session: Session, code: str, now: datetime) -> DossierRecord | None:
        # one statement (events joined), found or not: an unknown code and a known one cost the
        # same round trip
        application = (
            session.scalars(
                select(Application)
                .options(joinedload(Application.events))
                .where(Application.code == code)
            )
            .unique()
            .one_or_none()
        )
        return None if application is None else record_of(application)


def record_of(application: Application) -> DossierRecord:
    procedure = application.procedure
    return DossierRecord(
        code=application.code,
        status=cast(ApplicationStatusName, application.status),
        procedure_code=application.procedure_code,
        procedure_name=procedure.name,
        procedure_short_name=procedure.short_name,
        applicant_name=application.applicant_name,
        agency=application.agency,
        channel=application.channel,
        received_at=application.received_at,
        owner=PlainOwner(application.id_number, application.phone),
        due_at=application.due_at,
        completed_at=application.completed_at,
        supplement_note=application.supplement_note,
        supplement_due_at=application.supplement_due_at,
        events=tuple(
            DossierEvent(cast(ApplicationStatusName, e.status), e.at, e.note)
            for e in application.events
        ),
    )
