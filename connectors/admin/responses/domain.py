"""The domain files (bot/domain/*.yml): responses read and edited with the files' own layout.

ruamel.yaml round-trip keeps comments, quotes and anchors; only the edited response's lines are
taken from its output and spliced into the original text, so nothing else in the file moves.
(When the edited response shares an anchor with another one, the whole round-tripped file is
written instead.) Either way the new text is parsed again and must read, for every response,
exactly as intended before it replaces the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from connectors.admin.intents.files import BrokenEdit, atomic_write, version_of


def _null(representer: RoundTripRepresenter, _data: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def round_trip() -> YAML:
    """The house style of bot/domain: 2-space maps, lists indented under their key."""
    loader = YAML()
    loader.preserve_quotes = True
    loader.width = 100_000  # never fold a long Vietnamese answer
    loader.indent(mapping=2, sequence=4, offset=2)
    loader.representer.add_representer(type(None), _null)
    return loader


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Variation:
    text: str
    buttons: tuple[Button, ...] = ()
    # condition, channel, image...: shown, kept as they are
    other: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    name: str
    file: str
    version: str
    variations: tuple[Variation, ...]


def _variation(raw: object) -> Variation:
    if not isinstance(raw, dict):
        return Variation(text=str(raw))
    buttons = tuple(
        Button(str(b.get("title", "")), str(b.get("payload", "")))
        for b in raw.get("buttons") or [] if isinstance(b, dict)
    )
    other = {k: v for k, v in raw.items() if k not in ("text", "buttons")}
    return Variation(str(raw.get("text") or ""), buttons, other)


def domain_files(domain_dir: Path) -> list[Path]:
    return sorted(domain_dir.glob("*.yml"))


def read_responses(domain_dir: Path) -> dict[str, Response]:
    found: dict[str, Response] = {}
    for path in domain_files(domain_dir):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        version = version_of(text)
        for name, variations in (data.get("responses") or {}).items():
            found[str(name)] = Response(
                str(name), path.name, version,
                tuple(_variation(v) for v in variations or []),
            )
    return found


def domain_names(domain_dir: Path, key: str) -> set[str]:
    """The names listed under ``key`` ("intents", "entities", "slots"...) in the domain files."""
    names: set[str] = set()
    for path in domain_files(domain_dir):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        value = data.get(key) or []
        for item in value if isinstance(value, list) else list(value):
            names.add(str(next(iter(item))) if isinstance(item, dict) else str(item))
    return names


def _block(lines: list[str], name: str) -> tuple[int, int] | None:
    """[start, end) of the response ``name`` under ``responses:`` (trailing blanks excluded)."""
    key = f"  {name}:"
    in_responses = False
    start: int | None = None
    for number, line in enumerate(lines):
        if line.strip() and not line.startswith(" ") and not line.startswith("#"):
            in_responses = line.rstrip().startswith("responses:")
        if start is None:
            if in_responses and (line.rstrip() == key or line.startswith(key + " ")):
                start = number
            continue
        if line.strip() and (not line.startswith("    ") or not in_responses):
            end = number
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
            return start, end
    if start is None:
        return None
    end = len(lines)
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def _seq(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq()
    seq.extend(items)
    return seq


def _map(pairs: dict[str, Any]) -> CommentedMap:
    mapping = CommentedMap()
    mapping.update(pairs)
    return mapping


def _apply(node: CommentedMap, variation: Variation) -> None:
    """The variation's text and buttons into its round-trip node; other keys untouched."""
    if node.get("text") != variation.text:
        node["text"] = DoubleQuotedScalarString(variation.text)
    old = [(str(b.get("title")), str(b.get("payload"))) for b in node.get("buttons") or []]
    new = [(b.title, b.payload) for b in variation.buttons]
    if old == new:
        return
    if new:
        node["buttons"] = _seq([
            _map({"title": DoubleQuotedScalarString(t), "payload": DoubleQuotedScalarString(p)})
            for t, p in new
        ])
    else:
        del node["buttons"]


def _plain(value: Any) -> Any:
    return yaml.safe_load(yaml.safe_dump(value, allow_unicode=True)) if value else value


def edited_text(source: str, name: str, variations: list[Variation]) -> str:
    """The file's text with the response ``name`` holding ``variations`` (checked)."""
    loader = round_trip()
    data = loader.load(source)
    _keep_anchors(data)
    responses = data["responses"]
    nodes: CommentedSeq = responses[name]
    kept = list(nodes)
    new_nodes: list[Any] = []
    for index, variation in enumerate(variations):
        if index < len(kept) and isinstance(kept[index], CommentedMap):
            node = kept[index]
        else:
            node = _map({"text": DoubleQuotedScalarString(variation.text)})
            for key, value in variation.other.items():
                node[key] = value
        _apply(node, variation)
        new_nodes.append(node)
    del nodes[:]
    nodes.extend(new_nodes)
    out = io.StringIO()
    loader.dump(data, out)
    whole = out.getvalue()

    expected = yaml.safe_load(source) or {}
    expected["responses"][name] = [_expected(v) for v in variations]
    spliced = _splice(source, whole, [str(k) for k in responses])
    if spliced is not None and _reads_as(spliced, expected):
        return spliced
    if _reads_as(whole, expected):
        return whole
    raise BrokenEdit(f"{name}: the edited domain would not read back as intended")


def _splice(source: str, whole: str, names: list[str]) -> str | None:
    """``source`` with each response whose lines differ in ``whole`` taken from ``whole``: the
    edited one, and another one an anchor moved to (its list is shared with the edited one)."""
    original = source.splitlines(keepends=True)
    rewritten = whole.splitlines(keepends=True)
    replacements: list[tuple[int, int, list[str]]] = []
    for name in names:
        old_span, new_span = _block(original, name), _block(rewritten, name)
        if old_span is None or new_span is None:
            return None
        old_lines = original[old_span[0]: old_span[1]]
        new_lines = rewritten[new_span[0]: new_span[1]]
        if old_lines != new_lines:
            replacements.append((old_span[0], old_span[1], new_lines))
    lines = list(original)
    for start, end, new_lines in sorted(replacements, reverse=True):
        lines[start:end] = new_lines
    return "".join(lines)


def _keep_anchors(node: Any) -> None:
    """ruamel drops an anchor nothing refers to; the file had it: keep it."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        if node.anchor.value is not None:
            node.yaml_set_anchor(node.anchor.value, always_dump=True)
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _keep_anchors(child)


def _expected(variation: Variation) -> dict[str, Any]:
    value: dict[str, Any] = {"text": variation.text}
    value.update(_plain(variation.other) or {})
    if variation.buttons:
        value["buttons"] = [{"title": b.title, "payload": b.payload} for b in variation.buttons]
    return value


def _reads_as(text: str, expected: dict[str, Any]) -> bool:
    try:
        got = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    if not isinstance(got, dict):
        return False
    return _normal(got) == _normal(expected)


def _normal(data: dict[str, Any]) -> dict[str, Any]:
    """Variation key order aside (ruamel keeps it; the comparison should not care)."""
    result = dict(data)
    responses = {
        k: [dict(sorted(v.items())) if isinstance(v, dict) else v for v in vs or []]
        for k, vs in (data.get("responses") or {}).items()
    }
    result["responses"] = responses
    return result


def write_response(path: Path, name: str, variations: list[Variation]) -> tuple[str, str]:
    """Writes the response; returns (old text, new text) of the file."""
    source = path.read_text(encoding="utf-8")
    new = edited_text(source, name, variations)
    atomic_write(path, new)
    return source, new
