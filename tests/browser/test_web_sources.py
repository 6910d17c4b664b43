"""The web chat's sources (web/) hold nothing its Content-Security-Policy would block and build no
HTML from strings; every control is labelled; the widget's files stay out of bot/ (the model
fingerprint) and the socket.io client comes from the lock file, not a CDN."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts.stack import MODEL_INPUTS, ROOT

WEB = ROOT / "web"
SCRIPTS = [WEB / "widget.js", WEB / "assets" / "chat.js", WEB / "assets" / "render.js"]


class _Page(HTMLParser):
    """What in a page its policy would block (inline scripts, styles, handlers), and its
    controls with the label each one has."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script" and "src" not in found:
            self.inline.append("<script> without src")
        self.inline += [f"{tag} {n}=" for n in found if n.startswith("on") or n == "style"]
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag in ("input", "button", "textarea", "select"):
            self.controls.append({"tag": tag, **found})
        self._in = tag

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.inline.append("script body")
        if self._in == "button" and data.strip() and self.controls:
            self.controls[-1].setdefault("text", data.strip())


def page() -> _Page:
    parsed = _Page()
    parsed.feed((WEB / "chat.html").read_text(encoding="utf-8"))
    return parsed


def test_the_page_has_no_inline_script_style_or_handler() -> None:
    assert page().inline == []


def test_every_control_of_the_page_has_a_name_a_screen_reader_reads() -> None:
    parsed = page()
    unnamed = [
        c
        for c in parsed.controls
        if not (c.get("aria-label") or c.get("text") or c.get("id") in parsed.labels)
    ]

    assert parsed.controls  # the input, send, new conversation, close
    assert unnamed == []


def test_the_log_is_announced_and_the_page_is_vietnamese() -> None:
    source = (WEB / "chat.html").read_text(encoding="utf-8")

    assert '<html lang="vi">' in source
    assert re.search(r'id="log"[^>]*role="log"[^>]*aria-live="polite"', source)
    assert 'role="status"' in source


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "sink",
    [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("on',
        ".style.",
        'setAttribute("style',
        "srcdoc",
    ],
)
def test_the_scripts_build_no_html_from_strings(script: Path, sink: str) -> None:
    source = script.read_text(encoding="utf-8").splitlines()
    code = [line for line in source if not line.strip().startswith("//")]

    assert [line for line in code if sink in line] == []


def test_links_are_made_only_for_http_addresses() -> None:
    render = (WEB / "assets" / "render.js").read_text(encoding="utf-8")

    assert 'url.protocol === "http:" || url.protocol === "https:"' in render
    assert 'a.rel = "noopener"' in render


def test_the_widget_is_outside_the_models_inputs() -> None:
    inputs = {(ROOT / name).resolve() for name in MODEL_INPUTS}

    assert not any(WEB.resolve().is_relative_to(path) for path in inputs)


def test_the_socket_io_client_is_pinned_from_npm_and_never_from_a_cdn() -> None:
    manifest = json.loads((WEB / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))
    code = [
        line
        for p in [*SCRIPTS, WEB / "chat.html"]
        for line in p.read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith("//")
    ]

    assert re.fullmatch(r"4\.\d+\.\d+", manifest["dependencies"]["socket.io-client"])
    assert (
        lock["packages"]["node_modules/socket.io-client"]["version"]
        == (manifest["dependencies"]["socket.io-client"])
    )
    # no script, style or socket from anywhere but the chat server's own origin
    assert [line for line in code if re.search(r"https?://|//cdn|wss?://", line)] == []
