"""Citizen phrasings (aliases) of a procedure, added or removed from the console.

Used by the catalogue pages and by conversation review ("add this phrasing as an alias of the
right procedure"). Each change is validated, audited with the aliases before and after, and
published (``freshness.publish``) so the bot's next search already uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.admin.audit import record
from connectors.admin.catalogue.freshness import publish
from connectors.admin.catalogue.seedfile import SeedWriteFailed, write_back
from connectors.admin.catalogue.validation import EditRefused, clean_text
from connectors.procedures.models import Procedure, ProcedureAlias
from connectors.procedures.service import CatalogueService
from connectors.staff.models import StaffAccount
from connectors.text import fold

MAX_ALIAS_CHARS = 200  # a phrasing, not a paragraph


@dataclass(frozen=True)
class AliasChange:
    code: str
    alias: str
    before: list[str]
    after: list[str]
    # other procedures that already have this phrasing (search may now hesitate between them)
    elsewhere: list[str]
    version: int  # the catalogue version that holds the change


def keep_in_seed(session: Session, code: str, seed_dir: Path | None) -> None:
    """The change written to the procedure's seed entry too, before it is committed: when the
    file cannot be written, nothing is (``EditRefused``)."""
    session.flush()
    try:
        write_back(session, code, seed_dir)
    except (SeedWriteFailed, OSError) as exc:
        session.rollback()
        raise EditRefused(
            "Chưa lưu: không ghi được tệp dữ liệu gốc của thủ tục. Xin báo quản trị viên."
        ) from exc


def _procedure_in_force(session: Session, code: str) -> Procedure:
    procedure = session.get(Procedure, code)
    if procedure is None:
        raise EditRefused(f"Không có thủ tục mã {code}.")
    if procedure.retired_at is not None:
        raise EditRefused(f"Thủ tục mã {code} đã bị đưa ra khỏi danh mục, không thêm tên gọi được.")
    return procedure


def same_phrasing(a: str, b: str) -> bool:
    """Search folds case, diacritics and spacing: phrasings equal once folded are the same."""
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def procedures_with_alias(session: Session, alias: str, *, besides: str) -> list[str]:
    """Codes (other than ``besides``) that already list ``alias``, diacritics aside."""
    rows = session.execute(
        select(ProcedureAlias.procedure_code, ProcedureAlias.alias)
        .where(ProcedureAlias.procedure_code != besides)
    )
    return sorted({code for code, text in rows if same_phrasing(text, alias)})


def add_alias(
    session: Session, catalogue: CatalogueService | None, code: str, text: str,
    actor: StaffAccount | str, now: datetime, *, seed_dir: Path | None = None,
) -> AliasChange:
    """Adds ``text`` as a citizen phrasing of ``code``; refuses an empty, overlong or repeated
    one (``EditRefused``). ``seed_dir``: ``settings.catalogue_seed_dir`` (a curated procedure's
    seed entry is rewritten there; None: the database only)."""
    procedure = _procedure_in_force(session, code)
    alias = clean_text(text, "Tên gọi")
    if len(alias) > MAX_ALIAS_CHARS:
        raise EditRefused(f"Tên gọi dài quá {MAX_ALIAS_CHARS} ký tự.")
    before = [a.alias for a in procedure.aliases]
    if any(same_phrasing(existing, alias) for existing in before):
        raise EditRefused(f"“{alias}” đã là tên gọi của thủ tục {code}.")
    procedure.aliases.append(ProcedureAlias(alias=alias))
    after = [*before, alias]
    elsewhere = procedures_with_alias(session, alias, besides=code)
    record(session, actor, "catalogue.alias.add", code, before={"aliases": before},
           after={"aliases": after}, now=now, commit=False)
    keep_in_seed(session, code, seed_dir)
    version = publish(session, catalogue)
    return AliasChange(code, alias, before, after, elsewhere, version)


def remove_alias(
    session: Session, catalogue: CatalogueService | None, code: str, text: str,
    actor: StaffAccount | str, now: datetime, *, seed_dir: Path | None = None,
) -> AliasChange:
    """Removes the phrasing ``text`` (diacritics aside) from ``code``."""
    procedure = session.get(Procedure, code)
    if procedure is None:
        raise EditRefused(f"Không có thủ tục mã {code}.")
    before = [a.alias for a in procedure.aliases]
    kept = [a for a in procedure.aliases if not same_phrasing(a.alias, text)]
    if len(kept) == len(before):
        raise EditRefused(f"Thủ tục {code} không có tên gọi “{text.strip()}”.")
    procedure.aliases = kept
    after = [a.alias for a in kept]
    record(session, actor, "catalogue.alias.remove", code, before={"aliases": before},
           after={"aliases": after}, now=now, commit=False)
    keep_in_seed(session, code, seed_dir)
    version = publish(session, catalogue)
    return AliasChange(code, text.strip(), before, after, [], version)
