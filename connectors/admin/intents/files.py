"""The NLU training files (data/nlu/*.yml), read and edited line by line.

A line-level edit keeps every other byte of the file (comments, blank lines, order): an intent's
examples are the ``- text`` lines of its ``examples: |`` block. Every write is checked by parsing
the new text and comparing what Rasa will read with what was meant, then replaces the file
atomically. Edits hold one lock (a file under var/) across the read, the check and the write:
two console processes never interleave, and a form sent from an older version of the file is
refused (``StaleVersion``) instead of overwriting what someone else saved in between.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

_INTENT = re.compile(r"^(?P<indent>\s*)- intent:\s*(?P<name>[^\s#]+)\s*(#.*)?$")
_EXAMPLES = re.compile(r"^(?P<indent>\s*)examples:\s*\|[-+]?\s*$")
LOCK_NAME = "console-edits.lock"


class StaleVersion(Exception):
    """The file changed since the form was shown."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.file = file


class BrokenEdit(Exception):
    """The edited text would not read back as intended: nothing was written."""


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class IntentBlock:
    name: str
    # 0-based line numbers in the file: the "- intent:" line, and each example line
    header: int
    example_lines: tuple[int, ...]
    examples: tuple[str, ...]
    example_indent: str  # what precedes "- " on an example line
    end: int  # the line after the block's last example


@dataclass(frozen=True)
class NluFile:
    path: Path
    lines: tuple[str, ...]  # with their line ends
    version: str
    intents: tuple[IntentBlock, ...]

    @property
    def name(self) -> str:
        return self.path.name

    def intent(self, name: str) -> IntentBlock | None:
        return next((b for b in self.intents if b.name == name), None)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse(path: Path, text: str) -> NluFile:
    lines = tuple(text.splitlines(keepends=True))
    blocks: list[IntentBlock] = []
    i = 0
    while i < len(lines):
        header = _INTENT.match(lines[i].rstrip("\n"))
        if header is None:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not _EXAMPLES.match(lines[j].rstrip("\n")):
            if lines[j].strip() and _indent(lines[j]) <= len(header["indent"]):
                break
            j += 1
        if j >= len(lines) or not _EXAMPLES.match(lines[j].rstrip("\n")):
            i += 1
            continue
        key_indent = _indent(lines[j])
        numbers: list[int] = []
        texts: list[str] = []
        example_indent = " " * (key_indent + 2)
        k = j + 1
        last = j
        while k < len(lines):
            line = lines[k].rstrip("\n")
            if line.strip() and _indent(line) <= key_indent:
                break
            stripped = line.lstrip(" ")
            if stripped.startswith("- "):
                numbers.append(k)
                texts.append(stripped[2:].strip())
                example_indent = line[: len(line) - len(stripped)]
                last = k
            k += 1
        blocks.append(IntentBlock(header["name"], i, tuple(numbers), tuple(texts),
                                  example_indent, last + 1))
        i = k
    return NluFile(path, lines, version_of(text), tuple(blocks))


def read(path: Path) -> NluFile:
    return parse(path, path.read_text(encoding="utf-8"))


def nlu_files(nlu_dir: Path) -> list[NluFile]:
    return [read(p) for p in sorted(nlu_dir.glob("*.yml"))]


def examples_as_rasa_reads(text: str) -> dict[str, list[str]]:
    """Each intent's examples in ``text``, by the YAML parser (what Rasa sees)."""
    data = yaml.safe_load(text) or {}
    found: dict[str, list[str]] = {}
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            raw = str(item.get("examples") or "")
            found[str(item["intent"])] = [
                line.strip()[2:].strip() for line in raw.splitlines()
                if line.strip().startswith("- ")
            ]
    return found


def write_checked(path: Path, new_text: str, expected: dict[str, list[str]]) -> None:
    """Writes ``new_text`` if its intents read back exactly as ``expected`` (all of them)."""
    try:
        got = examples_as_rasa_reads(new_text)
    except yaml.YAMLError as exc:
        raise BrokenEdit(str(exc)) from exc
    if got != expected:
        raise BrokenEdit(f"{path.name}: the edit would not read back as intended")
    atomic_write(path, new_text)


def atomic_write(path: Path, text: str) -> None:
    """Readers (rasa train, another console) see the old file or the new one, never half."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):  # keep the file's mode (a temp file is 0600)
            os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def edit_lock(lock_dir: Path) -> Iterator[None]:
    """One console edit at a time, across processes (flock: released if a process dies)."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / LOCK_NAME, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def check_version(file: NluFile, version: str | None) -> None:
    if version is not None and version != file.version:
        raise StaleVersion(file.name)
