"""Reads conversation files; a malformed one is reported with its file, line and reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qa.model import Conversation

SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class FormatError:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ConversationFile:
    path: Path
    conversation: Conversation
    turn_lines: tuple[int, ...]  # the line each turn starts on, for reports

    @property
    def name(self) -> str:
        return self.path.stem


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps plain strings as strings ("yes", "0912..." stay text)."""


def _node_line(root: yaml.Node, loc: Sequence[int | str]) -> int:
    """The line (1-based) of the deepest node the error path reaches."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node = found
    return int(node.start_mark.line) + 1


def _reason(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_file(path: Path) -> ConversationFile | FormatError:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FormatError(path, 0, f"cannot read the file: {exc}")
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return FormatError(path, line, f"not valid YAML: {exc.problem or exc.context}")
    if root is None:
        return FormatError(path, 1, "the file is empty")
    data = _Loader(text).construct_document(root)
    try:
        conversation = Conversation.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = _node_line(root, [p for p in first["loc"] if not str(p).startswith("function-")])
        more = len(exc.errors()) - 1
        return FormatError(path, line, _reason(dict(first)) + (f" (+{more} more)" if more else ""))
    turns = next((v for k, v in root.value if k.value == "turns"), None)
    lines = tuple(int(n.start_mark.line) + 1 for n in turns.value) if turns is not None else ()
    return ConversationFile(path, conversation, lines)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Conversation files under the given files and folders, sorted (README and schema skipped)."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.suffix in SUFFIXES:
            found.add(path)
    return sorted(found)


def load_all(paths: Iterable[Path]) -> tuple[list[ConversationFile], list[FormatError]]:
    files: list[ConversationFile] = []
    errors: list[FormatError] = []
    for path in discover(paths):
        result = load_file(path)
        (errors if isinstance(result, FormatError) else files).append(result)  # type: ignore[arg-type]
    return files, errors
