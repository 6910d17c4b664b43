"""A sync report as log lines an operator reads: the counts, then each change, before -> after.

Long texts (steps, conditions) are cut to one short line; the JSON report (``--report``, and the
run kept in the database) has them whole.
"""

from __future__ import annotations

import logging

from connectors.catalogue.changes import Change
from connectors.catalogue.report import Entry, SyncReport

TEXT_WIDTH = 70
DEFAULT_LIMIT = 25  # entries shown per kind; the rest are counted


def short(text: str | None, width: int = TEXT_WIDTH) -> str:
    """One line of at most ``width`` characters, quoted; "-" for nothing."""
    if text is None:
        return "-"
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


def change_line(change: Change) -> str:
    where = f"{change.field} [{change.item}]" if change.item else change.field
    if change.before is None:
        return f"{where}: added {short(change.after)}"
    if change.after is None:
        return f"{where}: removed {short(change.before)}"
    return f"{where}: {short(change.before)} -> {short(change.after)}"


def summary_lines(report: SyncReport, *, limit: int = DEFAULT_LIMIT, details: bool = True) -> (
    list[str]
):
    """The counts first; then (``details``) up to ``limit`` entries of each kind with their
    changes. Withdrawals, reviews and failures are listed even without details: someone must
    look at them."""
    counts = report.counts()
    lines = [
        f"catalogue sync from {report.source}: {report.status}"
        + (f" (catalogue version {report.version})" if report.version is not None else ""),
        f"  {counts['records']} records read: {counts['new']} new, {counts['changed']} changed, "
        f"{counts['restored']} restored, {counts['withdrawn']} withdrawn, "
        f"{counts['unchanged']} unchanged; {counts['review']} curated to review, "
        f"{counts['baselines']} curated seen for the first time; {counts['failed']} failed",
    ]
    if report.error:
        lines.append(f"  {report.error}")
    kinds: list[tuple[str, list[Entry]]] = [("withdrawn", report.withdrawn)]
    if details:
        kinds = [("new", report.new), ("changed", report.changed),
                 ("restored", report.restored), *kinds]
    for kind, entries in kinds:
        for entry in entries[:limit]:
            lines.append(f"  {kind} {entry.code} {short(entry.name)}")
            lines.extend(f"      {change_line(c)}" for c in entry.changes[:limit])
            if len(entry.changes) > limit:
                lines.append(f"      ... and {len(entry.changes) - limit} more changes")
        if len(entries) > limit:
            lines.append(f"  ... and {len(entries) - limit} more {kind}")
    for flag in report.review[:limit]:
        twin = "" if flag.national_code == flag.code else f" (twin {flag.national_code})"
        lines.append(f"  review curated {flag.code}: national record{twin} {flag.reason}")
        lines.extend(f"      {change_line(c)}" for c in flag.changes[:limit])
    if len(report.review) > limit:
        lines.append(f"  ... and {len(report.review) - limit} more curated to review")
    for failure in report.failed[:limit]:
        lines.append(f"  failed line {failure.line} ({failure.code or 'no code'}): "
                     f"{failure.reason}")
    if len(report.failed) > limit:
        lines.append(f"  ... and {len(report.failed) - limit} more failures")
    return lines


def log_report(
    report: SyncReport, logger: logging.Logger, *, limit: int = DEFAULT_LIMIT,
    details: bool = True,
) -> None:
    level = logging.INFO if report.status in ("applied", "dry_run") else logging.ERROR
    for line in summary_lines(report, limit=limit, details=details):
        logger.log(level, "%s", line)
