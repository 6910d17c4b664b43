"""Intents and their training examples: the console's operations on data/nlu, and its Python API.

Every change holds the edit lock, re-reads the file, refuses a stale form (``version``), checks
the result reads back as meant, writes it atomically and records an audit entry (before/after).

The review inbox uses ``add_example(session, files, intent, text, actor, now=now)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from connectors.admin.audit import record
from connectors.admin.intents import text as ex
from connectors.admin.intents.files import (
    IntentBlock,
    NluFile,
    check_version,
    edit_lock,
    examples_as_rasa_reads,
    nlu_files,
    parse,
    read,
    write_checked,
)
from connectors.admin.project import ProjectFiles
from connectors.admin.responses.domain import domain_names
from connectors.staff.models import StaffAccount

ConflictKind = Literal["same_exact", "same_folded", "other_exact", "other_folded"]
CONSOLE_FILE = "console.yml"  # new intents go here (data/nlu, data/rules, bot/domain)
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{2,47}$")


class IntentNotFound(LookupError):
    pass


class ExampleNotFound(LookupError):
    pass


class InvalidExample(ValueError):
    """A sentence that cannot be written (the message says why, in Vietnamese)."""


class IntentExists(Exception):
    pass


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    intent: str
    example: str

    @property
    def refused(self) -> bool:
        """The same sentence twice in one intent, or labelled with two intents: never written.

        (Rasa would train on a contradiction; a sentence changes intent with "move".)"""
        return self.kind in ("same_exact", "other_exact")

    @property
    def needs_confirmation(self) -> bool:
        return self.kind == "other_folded"

    @property
    def message(self) -> str:
        return {
            "same_exact": f"Câu này đã có trong ý định {self.intent}: «{self.example}».",
            "same_folded": (
                f"Ý định {self.intent} đã có câu gần giống (khác dấu): «{self.example}»."
            ),
            "other_exact": (
                f"Câu này đang là câu mẫu của ý định {self.intent}: «{self.example}». "
                "Nếu muốn đổi ý định, hãy dùng nút «Chuyển»."
            ),
            "other_folded": (
                f"Ý định khác ({self.intent}) có câu gần giống (khác dấu): «{self.example}». "
                "Trợ lý có thể nhầm hai ý định."
            ),
        }[self.kind]


class ExampleConflict(Exception):
    """Refused (``refused``) or waiting for a confirmation (``confirm=True``)."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("; ".join(c.message for c in conflicts))
        self.conflicts = conflicts

    @property
    def refused(self) -> bool:
        return any(c.refused for c in self.conflicts)


@dataclass(frozen=True)
class IntentSummary:
    name: str
    file: str
    count: int
    version: str


@dataclass(frozen=True)
class Example:
    text: str  # as written, with its annotations
    plain: str
    folded: str
    entities: tuple[ex.Annotation, ...]


@dataclass(frozen=True)
class IntentView:
    name: str
    file: str
    version: str
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Change:
    intent: str
    file: str
    example: str
    notes: list[Conflict] = field(default_factory=list)  # shown, not refused (same_folded)


def _example(text: str) -> Example:
    return Example(text, ex.plain(text), ex.folded_key(text), tuple(ex.entities_of(text)))


def list_intents(files: ProjectFiles) -> list[IntentSummary]:
    return sorted(
        (IntentSummary(b.name, f.name, len(b.examples), f.version)
         for f in nlu_files(files.nlu_dir) for b in f.intents),
        key=lambda s: s.name,
    )


def _locate(files: ProjectFiles, intent: str) -> tuple[NluFile, IntentBlock]:
    for nlu in nlu_files(files.nlu_dir):
        block = nlu.intent(intent)
        if block is not None:
            return nlu, block
    raise IntentNotFound(intent)


def view_intent(files: ProjectFiles, intent: str) -> IntentView:
    nlu, block = _locate(files, intent)
    return IntentView(intent, nlu.name, nlu.version, tuple(_example(t) for t in block.examples))


@dataclass(frozen=True)
class Hit:
    intent: str
    example: Example


def search(files: ProjectFiles, query: str, limit: int = 200) -> list[Hit]:
    """Examples containing the query, with or without diacritics."""
    wanted = ex.folded_key(query)
    if not wanted:
        return []
    hits: list[Hit] = []
    for nlu in nlu_files(files.nlu_dir):
        for block in nlu.intents:
            for text in block.examples:
                if wanted in ex.folded_key(text):
                    hits.append(Hit(block.name, _example(text)))
                    if len(hits) >= limit:
                        return hits
    return hits


def conflicts(
    files: ProjectFiles, intent: str, text: str, ignore: tuple[str, str] | None = None
) -> list[Conflict]:
    """What the training data already has that looks like ``text``, for ``intent``.
    ``ignore``: (intent, example) the sentence being edited or moved."""
    exact, folded = ex.exact_key(text), ex.folded_key(text)
    found: list[Conflict] = []
    for nlu in nlu_files(files.nlu_dir):
        for block in nlu.intents:
            for other in block.examples:
                if ignore == (block.name, other):
                    continue
                same = block.name == intent
                kind: ConflictKind | None = None
                if ex.exact_key(other) == exact:
                    kind = "same_exact" if same else "other_exact"
                elif ex.folded_key(other) == folded:
                    kind = "same_folded" if same else "other_folded"
                if kind is not None:
                    found.append(Conflict(kind, block.name, other))
    return found


def _checked_text(files: ProjectFiles, raw: str) -> str:
    text = ex.clean(raw)
    reason = ex.problem(text, frozenset(domain_names(files.domain_dir, "entities")))
    if reason:
        raise InvalidExample(reason)
    return text


def _screen(found: list[Conflict], confirm: bool) -> list[Conflict]:
    """Raises for refused conflicts, and for unconfirmed ones; returns the notes to show."""
    if any(c.refused for c in found) or (not confirm and any(c.needs_confirmation for c in found)):
        raise ExampleConflict(found)
    return [c for c in found if c.kind == "same_folded"]


def _insert(nlu: NluFile, block: IntentBlock, text: str) -> str:
    lines = list(nlu.lines)
    at = block.end
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    lines.insert(at, f"{block.example_indent}- {text}\n")
    return "".join(lines)


def _line_of(block: IntentBlock, example: str) -> int:
    for number, text in zip(block.example_lines, block.examples, strict=True):
        if text == example:
            return number
    raise ExampleNotFound(example)


def _expected_after(
    nlu: NluFile, intent: str, *, add: str | None = None, remove: str | None = None,
    replace: tuple[str, str] | None = None,
) -> dict[str, list[str]]:
    expected = examples_as_rasa_reads("".join(nlu.lines))
    examples = expected[intent]
    if remove is not None:
        examples.remove(remove)
    if replace is not None:
        examples[examples.index(replace[0])] = replace[1]
    if add is not None:
        examples.append(add)
    return expected


def _audit(
    session: Session, actor: StaffAccount | str, action: str, target: str,
    before: object, after: object, now: datetime,
) -> None:
    record(session, actor, action, target, before=before, after=after, now=now)


def add_example(
    session: Session, files: ProjectFiles, intent: str, text: str, actor: StaffAccount | str,
    *, now: datetime, version: str | None = None, confirm: bool = False,
) -> Change:
    """Adds ``text`` to ``intent``'s examples. ``version``: the file's version the form showed
    (None: no check, an addition loses nothing). Raises IntentNotFound, InvalidExample,
    ExampleConflict (refused, or needing ``confirm=True``), StaleVersion."""
    text = _checked_text(files, text)
    with edit_lock(files.lock_dir):
        nlu, block = _locate(files, intent)
        check_version(nlu, version)
        notes = _screen(conflicts(files, intent, text), confirm)
        write_checked(nlu.path, _insert(nlu, block, text), _expected_after(nlu, intent, add=text))
    _audit(session, actor, "intent.example.add", intent, None,
           {"intent": intent, "file": nlu.name, "example": text}, now)
    return Change(intent, nlu.name, text, notes)


def edit_example(
    session: Session, files: ProjectFiles, intent: str, old: str, new: str,
    actor: StaffAccount | str, *, now: datetime, version: str | None, confirm: bool = False,
) -> Change:
    new = _checked_text(files, new)
    with edit_lock(files.lock_dir):
        nlu, block = _locate(files, intent)
        check_version(nlu, version)
        number = _line_of(block, old)
        if new == old:
            return Change(intent, nlu.name, new)
        notes = _screen(conflicts(files, intent, new, ignore=(intent, old)), confirm)
        lines = list(nlu.lines)
        ending = "\n" if lines[number].endswith("\n") else ""
        lines[number] = f"{block.example_indent}- {new}{ending}"
        write_checked(nlu.path, "".join(lines), _expected_after(nlu, intent, replace=(old, new)))
    _audit(session, actor, "intent.example.edit", intent,
           {"intent": intent, "file": nlu.name, "example": old},
           {"intent": intent, "file": nlu.name, "example": new}, now)
    return Change(intent, nlu.name, new, notes)


def _without(nlu: NluFile, block: IntentBlock, example: str) -> str:
    if len(block.examples) <= 1:
        raise InvalidExample(
            f"Ý định {block.name} cần ít nhất một câu mẫu: không thể xoá câu cuối cùng."
        )
    lines = list(nlu.lines)
    del lines[_line_of(block, example)]
    return "".join(lines)


def delete_example(
    session: Session, files: ProjectFiles, intent: str, example: str,
    actor: StaffAccount | str, *, now: datetime, version: str | None,
) -> Change:
    with edit_lock(files.lock_dir):
        nlu, block = _locate(files, intent)
        check_version(nlu, version)
        write_checked(nlu.path, _without(nlu, block, example),
                      _expected_after(nlu, intent, remove=example))
    _audit(session, actor, "intent.example.delete", intent,
           {"intent": intent, "file": nlu.name, "example": example}, None, now)
    return Change(intent, nlu.name, example)


def move_example(
    session: Session, files: ProjectFiles, intent: str, example: str, to_intent: str,
    actor: StaffAccount | str, *, now: datetime, version: str | None, confirm: bool = False,
) -> Change:
    """Moves ``example`` from ``intent`` to ``to_intent`` (the sentence was labelled wrong)."""
    if to_intent == intent:
        raise InvalidExample("Ý định đích trùng với ý định hiện tại.")
    with edit_lock(files.lock_dir):
        source, block = _locate(files, intent)
        check_version(source, version)
        _line_of(block, example)
        notes = _screen(conflicts(files, to_intent, example, ignore=(intent, example)), confirm)
        removed = _without(source, block, example)
        target_path = _locate(files, to_intent)[0].path
        if target_path == source.path:
            after_removal = parse(source.path, removed)
            target_block = after_removal.intent(to_intent)
            assert target_block is not None
            expected = _expected_after(source, intent, remove=example)
            expected[to_intent].append(example)
            write_checked(source.path, _insert(after_removal, target_block, example), expected)
        else:
            target = read(target_path)
            target_block = target.intent(to_intent)
            assert target_block is not None
            # the addition first: a failure between the two writes leaves a duplicate, not a loss
            write_checked(target.path, _insert(target, target_block, example),
                          _expected_after(target, to_intent, add=example))
            write_checked(source.path, removed, _expected_after(source, intent, remove=example))
    _audit(session, actor, "intent.example.move", intent,
           {"intent": intent, "file": source.name, "example": example},
           {"intent": to_intent, "file": target_path.name, "example": example}, now)
    return Change(to_intent, target_path.name, example, notes)


def known_intents(files: ProjectFiles) -> set[str]:
    return domain_names(files.domain_dir, "intents") | {s.name for s in list_intents(files)}

