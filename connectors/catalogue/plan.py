"""The plan of a catalogue sync: what writing a new catalogue would change. Pure functions over
records: what the database holds (``Current``) and what the file says.

- a code the database holds as national (in force) is changed when any stored field differs,
  unchanged otherwise; a national code missing from the file is withdrawn;
- a code the database holds as retired is restored (with what changed meanwhile);
- a curated code is never written: its national record is compared with the one seen last time
  (``Baseline``) and a change, a withdrawal or a return is flagged for review. The first time,
  the record is only remembered. A national twin answering as a curated entry (``same_as``) that
  changed or was withdrawn is flagged on that entry too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from connectors.catalogue.changes import Change, record_changes
from connectors.catalogue.models import ReviewReasonName
from connectors.catalogue.report import ReviewFlag
from connectors.catalogue.store import ProcedureRecord

DEFAULT_MAX_WITHDRAWN_SHARE = 0.10


@dataclass(frozen=True)
class Baseline:
    record: ProcedureRecord
    withdrawn: bool


@dataclass
class Current:
    national: dict[str, ProcedureRecord]  # in force
    retired: dict[str, ProcedureRecord]
    curated: set[str]
    baselines: dict[str, Baseline]  # the national record of curated codes, as last seen
    same_as: dict[str, str]  # national code -> the code it answers as


@dataclass
class Plan:
    new: list[ProcedureRecord] = field(default_factory=list)
    changed: list[tuple[ProcedureRecord, list[Change]]] = field(default_factory=list)
    restored: list[tuple[ProcedureRecord, list[Change]]] = field(default_factory=list)
    withdrawn: list[ProcedureRecord] = field(default_factory=list)
    unchanged: int = 0
    review: list[ReviewFlag] = field(default_factory=list)
    baselines: dict[str, ProcedureRecord] = field(default_factory=dict)  # to remember
    first_seen: int = 0
    baselines_withdrawn: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[ProcedureRecord]:
        return [*self.new, *(r for r, _ in self.changed), *(r for r, _ in self.restored)]


def plan_sync(
    current: Current, incoming: Mapping[str, ProcedureRecord], unreadable: Iterable[str] = ()
) -> Plan:
    """What writing ``incoming`` (the whole new catalogue) would change. Codes of ``unreadable``
    lines are neither changed nor withdrawn: a line that failed says nothing about its record."""
    plan = Plan()
    keep = set(unreadable)
    for code in sorted(incoming):
        record = incoming[code]
        if code in current.curated:
            _curated(plan, current, record)
        elif code in current.national:
            changes = record_changes(current.national[code], record)
            if changes:
                plan.changed.append((record, changes))
            else:
                plan.unchanged += 1
        elif code in current.retired:
            plan.restored.append((record, record_changes(current.retired[code], record)))
        else:
            plan.new.append(record)
    for code in sorted(current.national.keys() - incoming.keys() - keep):
        plan.withdrawn.append(current.national[code])
    for code in sorted(current.curated - incoming.keys() - keep):
        baseline = current.baselines.get(code)
        if baseline is not None and not baseline.withdrawn:
            plan.review.append(ReviewFlag(code=code, national_code=code, reason="withdrawn"))
            plan.baselines_withdrawn.append(code)
    _twins_of_curated(plan, current)
    plan.review.sort(key=lambda f: (f.code, f.national_code))
    return plan


def _curated(plan: Plan, current: Current, record: ProcedureRecord) -> None:
    """The national record a curated entry replaces: compared with the one seen last time."""
    baseline = current.baselines.get(record.code)
    plan.baselines[record.code] = record
    if baseline is None:
        plan.first_seen += 1
        return
    changes = record_changes(baseline.record, record)
    if baseline.withdrawn:
        plan.review.append(ReviewFlag(code=record.code, national_code=record.code,
                                      reason="restored", changes=changes))
    elif changes:
        plan.review.append(ReviewFlag(code=record.code, national_code=record.code,
                                      reason="changed", changes=changes))
    else:
        del plan.baselines[record.code]  # nothing to write


def _twins_of_curated(plan: Plan, current: Current) -> None:
    """A national twin answering as a curated entry speaks for it: its changes are the curated
    entry's to review too."""
    moved: list[tuple[str, ReviewReasonName, list[Change]]] = [
        *((r.code, "changed", c) for r, c in plan.changed),
        *((r.code, "withdrawn", []) for r in plan.withdrawn),
    ]
    for code, reason, changes in moved:
        head = current.same_as.get(code)
        if head in current.curated:
            plan.review.append(ReviewFlag(code=head, national_code=code, reason=reason,
                                          changes=changes))


def refusal(plan: Plan, current: Current, max_share: float) -> str | None:
    """Why the plan must not be applied: it withdraws more than ``max_share`` of the national
    records in force (a cut download, the wrong file). None when it may be."""
    if not plan.withdrawn:
        return None
    share = len(plan.withdrawn) / max(len(current.national), 1)
    if share <= max_share:
        return None
    return (
        f"{len(plan.withdrawn)} of {len(current.national)} national procedures "
        f"({share:.0%}) would be withdrawn, over the {max_share:.0%} allowed: "
        "a cut download or the wrong file? Check it, then run again with "
        "--allow-mass-withdrawal if it is right"
    )
