"""Replay reports: the console diff, JUnit XML (a test case per turn), one self-contained HTML."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from qa.runner import ConversationResult, TurnResult


@dataclass(frozen=True)
class Totals:
    conversations: int
    turns: int
    checked: int
    failed: int
    flaky: int
    seconds: float

    @property
    def passed(self) -> int:
        return self.checked - self.failed


def totals(results: Sequence[ConversationResult], seconds: float) -> Totals:
    turns = [t for r in results for t in r.turns]
    return Totals(
        conversations=len(results),
        turns=len(turns),
        checked=sum(t.checked for t in turns),
        failed=sum(t.checked and not t.passed for t in turns),
        flaky=sum(t.flaky for t in turns),
        seconds=seconds,
    )


def _short(value: object, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_path(path: Path) -> str:
    """Relative to the working folder when under it: what an editor opens with a click."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def failure_lines(result: ConversationResult, turn: TurnResult) -> list[str]:
    said = _short(turn.turn.said, 120)
    lines = [f"{shown_path(result.file.path)}:{turn.line}: turn {turn.index + 1}: {said}"]
    for p in turn.problems:
        lines.append(f"    {p.what}")
        lines.append(f"      - expected: {_short(p.expected)}")
        lines.append(f"      + actual:   {_short(p.actual)}")
    return lines


def console(results: Sequence[ConversationResult], t: Totals) -> str:
    out: list[str] = []
    for result in results:
        for turn in result.failed:
            out += failure_lines(result, turn)
    verdict = "FAILED" if t.failed else "passed"
    out.append(
        f"replay {verdict}: {t.passed}/{t.checked} turns right in {t.conversations} conversations"
        f" ({t.turns} turns played, {t.flaky} flaky) in {t.seconds:.1f} s"
    )
    return "\n".join(out)


# --- JUnit -----------------------------------------------------------------------------------


def junit(results: Sequence[ConversationResult], t: Totals) -> bytes:
    suites = ET.Element(
        "testsuites", name="replay", tests=str(t.checked), failures=str(t.failed),
        time=f"{t.seconds:.3f}",
    )
    for result in results:
        checked = [turn for turn in result.turns if turn.checked]
        suite = ET.SubElement(
            suites, "testsuite", name=shown_path(result.file.path), tests=str(len(checked)),
            failures=str(len(result.failed)), time=f"{result.seconds:.3f}",
        )
        for turn in result.turns:
            case = ET.SubElement(
                suite, "testcase", classname=result.file.name,
                name=f"turn {turn.index + 1:02d}: {_short(turn.turn.said, 80)}",
                file=shown_path(result.file.path), line=str(turn.line),
                time=f"{turn.seconds:.3f}",
            )
            if not turn.checked:
                ET.SubElement(case, "skipped", message="not selected by the tags")
            elif turn.problems:
                failure = ET.SubElement(
                    case, "failure", message="; ".join(p.what for p in turn.problems)
                )
                failure.text = "\n".join(failure_lines(result, turn))
            ET.SubElement(case, "system-out").text = turn.actual.text
    ET.indent(suites)
    document: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return document


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2129}
header{background:#0b3d91;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1100px}.ok{color:#1a7f37}.bad{color:#c62828}
details{background:#fff;border:1px solid #d9dce1;border-radius:8px;margin:10px 0;padding:8px 14px}
details.failed{border-color:#c62828;border-width:2px}summary{cursor:pointer;font-weight:600}
.turn{border-top:1px solid #eceef1;padding:8px 0;display:grid;grid-template-columns:36px 1fr}
.turn.failed{background:#fdecea}.n{color:#6a737d;font-size:13px}
.user{font-weight:600}.bot{white-space:pre-wrap;margin:4px 0;padding:6px 10px;background:#eef3fb;
border-radius:6px}.btn{display:inline-block;border:1px solid #0b3d91;border-radius:12px;
padding:1px 9px;margin:2px 4px 2px 0;font-size:13px;color:#0b3d91}
.meta{font-size:12px;color:#57606a}.problem{font-size:13px;margin:4px 0;padding:4px 8px;
background:#fff;border-left:3px solid #c62828}.problem code{white-space:pre-wrap}
table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left}
"""


def _e(value: object) -> str:
    return html.escape(value if isinstance(value, str) else repr(value))


def _turn_html(turn: TurnResult) -> str:
    a = turn.actual
    state = "failed" if turn.checked and not turn.passed else ""
    parts = [f'<div class="turn {state}"><div class="n">{turn.index + 1}</div><div>']
    parts.append(f'<div class="user">👤 {_e(turn.turn.said)}</div>')
    for message in a.messages:
        if message.get("text"):
            parts.append(f'<div class="bot">{_e(message["text"])}</div>')
        buttons = "".join(
            f'<span class="btn">{_e(b.get("title", ""))}</span>'
            for b in message.get("buttons") or []
        )
        if buttons:
            parts.append(f"<div>{buttons}</div>")
    if a.error:
        parts.append(f'<div class="problem">{_e(a.error)}</div>')
    entities = ", ".join(f"{e.get('entity')}={e.get('value')!r}" for e in a.entities)
    confidence = f" {a.confidence:.2f}" if a.confidence is not None else ""
    parts.append(
        f'<div class="meta">intent <b>{_e(a.intent or "-")}</b>{confidence}'
        f" · entities {_e(entities or '-')} · actions {_e(', '.join(a.actions) or '-')}"
        f" · responses {_e(', '.join(a.responses) or '-')} · {turn.seconds * 1000:.0f} ms"
        f" · line {turn.line}{'' if turn.checked else ' · not checked'}</div>"
    )
    for p in turn.problems:
        parts.append(
            f'<div class="problem"><b>{_e(p.what)}</b><br>expected <code>{_e(p.expected)}</code>'
            f"<br>actual <code>{_e(p.actual)}</code></div>"
        )
    parts.append("</div></div>")
    return "".join(parts)


def html_report(results: Sequence[ConversationResult], t: Totals, target: str) -> str:
    ordered = sorted(results, key=lambda r: (r.passed, str(r.file.path)))
    body = []
    for r in ordered:
        state = "passed" if r.passed else "failed"
        mark = '<span class="ok">✔</span>' if r.passed else '<span class="bad">✘</span>'
        tags = ", ".join(r.file.conversation.tags)
        body.append(
            f'<details class="{state}"{"" if r.passed else " open"}><summary>{mark} '
            f"{_e(r.file.conversation.title)} <span class=\"meta\">{_e(shown_path(r.file.path))} · "
            f"{len(r.failed)} failing of {len(r.turns)} turns · {_e(tags)} · sender "
            f"{_e(r.sender)}</span></summary>{''.join(_turn_html(turn) for turn in r.turns)}"
            "</details>"
        )
    verdict = (
        f'<span class="bad">{t.failed} failing turns</span>' if t.failed
        else '<span class="ok">all turns right</span>'
    )
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>QA replay: {t.passed}/{t.checked}</title><style>{_CSS}</style></head><body>
<header><h1>QA replay — Trợ lý Dịch vụ công</h1></header><main>
<table><tr><th>result</th><td>{verdict}</td></tr>
<tr><th>turns right</th><td>{t.passed} of {t.checked} checked ({t.turns} played,
 {t.flaky} flaky)</td></tr>
<tr><th>conversations</th><td>{t.conversations}</td></tr>
<tr><th>bot</th><td>{_e(target)}</td></tr>
<tr><th>when</th><td>{datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · {t.seconds:.1f} s</td></tr>
</table>{''.join(body)}</main></body></html>
"""


def write_reports(
    results: Sequence[ConversationResult], t: Totals, out: Path, target: str
) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    xml_path, html_path = out / "junit.xml", out / "report.html"
    xml_path.write_bytes(junit(results, t))
    html_path.write_text(html_report(results, t, target), encoding="utf-8")
    return xml_path, html_path
