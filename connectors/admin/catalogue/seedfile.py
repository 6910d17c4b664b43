"""Console edits of a curated procedure written back to its seed file.

The curated procedures live in ``connectors/seed/procedures/*.yml`` and ``manage init`` (every
``make run``) loads them again: an edit kept only in the database would be undone by the next
start. So when ``CATALOGUE_SEED_DIR`` is set, the entry of an edited procedure is rewritten in
its file from the database (``record_of``), in the files' own layout; the rest of the file
(other entries, comments) is left byte for byte. A file is replaced whole (written beside it,
then renamed) under a lock, and the new text is read back and checked before it replaces the old.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy.orm import Session

from connectors.catalogue.store import ProcedureRecord, record_of
from connectors.procedures.models import Procedure

logger = logging.getLogger(__name__)

_ENTRY = re.compile(r'^- code: "(?P<code>[^"]+)"\s*$')
_LOCK = threading.Lock()
# the record's own fields written, in this order; ``source`` is implied by the folder
_SKIP = {"code", "source"}


class SeedWriteFailed(RuntimeError):
    """The seed file could not be rewritten; the database change stands, the file is as it was."""


def _text(value: Any) -> str:
    """A YAML scalar as the seed files write it: strings double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    # a JSON string is a valid YAML double-quoted scalar
    return json.dumps(str(value), ensure_ascii=False)


def _fields(model: BaseModel) -> list[tuple[str, Any]]:
    """The fields that differ from their default, in the model's order."""
    defaults = {name: field.default for name, field in type(model).model_fields.items()}
    return [
        (name, value) for name, value in model
        if value is not None and value != defaults.get(name) and value != []
    ]


def entry_lines(record: ProcedureRecord) -> list[str]:
    lines = [f"- code: {_text(record.code)}"]
    for name, value in _fields(record):
        if name in _SKIP:
            continue
        if not isinstance(value, list):
            lines.append(f"  {name}: {_text(value)}")
            continue
        lines.append(f"  {name}:")
        for item in value:
            if not isinstance(item, BaseModel):
                lines.append(f"    - {_text(item)}")
                continue
            for i, (key, inner) in enumerate(_fields(item)):
                lines.append(f"    {'- ' if i == 0 else '  '}{key}: {_text(inner)}")
    return lines


def seed_files(seed_dir: Path) -> dict[str, Path]:
    """Which seed file holds each curated code."""
    found: dict[str, Path] = {}
    for path in sorted(seed_dir.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := _ENTRY.match(line):
                found[match["code"]] = path
    return found


def replace_entry(text: str, code: str, new_lines: list[str]) -> str:
    """``text`` with the entry of ``code`` (its "- code:" line up to the next line starting at
    the margin, blank lines before that kept) replaced by ``new_lines``."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines)
                  if (m := _ENTRY.match(line)) and m["code"] == code), None)
    if start is None:
        raise SeedWriteFailed(f"{code} is not in this file")
    end = next((i for i in range(start + 1, len(lines))
                if lines[i] and not lines[i][0].isspace()), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    out = [*lines[:start], *new_lines, *lines[end:]]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


@contextmanager
def _locked(seed_dir: Path) -> Iterator[None]:
    """One writer at a time: threads of this process, and other processes on this host."""
    with _LOCK, (seed_dir / ".console.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_back(session: Session, code: str, seed_dir: Path | None) -> Path | None:
    """Rewrites the seed entry of ``code`` from the database; the file written, or None when
    write-back is off or the procedure has no seed entry (a national one: the database is its
    only copy, and ``init`` never rewrites it)."""
    if seed_dir is None:
        return None
    procedure = session.get(Procedure, code)
    if procedure is None:
        return None
    path = seed_files(seed_dir).get(code)
    if path is None:
        return None
    record = record_of(procedure)
    with _locked(seed_dir):
        old = path.read_text(encoding="utf-8")
        new = replace_entry(old, code, entry_lines(record))
        items = yaml.safe_load(new) or []
        written = next((i for i in items if str(i.get("code")) == code), None)
        if written is None or ProcedureRecord.model_validate(
                {"source": "curated", **written}) != record:
            raise SeedWriteFailed(f"the rewritten entry of {code} does not read back the same")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".console-", suffix=".yml")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(new)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    logger.info("seed entry %s rewritten in %s", code, path.name)
    return path
