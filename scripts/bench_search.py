"""Search quality on citizen phrasings, over the whole national catalogue: prints figures.

    python -m scripts.bench_search                 # exams and dev sets, writes reports/search/
    python -m scripts.bench_search --sets dev      # only the tuning sets (what to tune on)
    python -m scripts.bench_search --misses dev    # and list the dev set's misses

Sets (benchmarks/): the exams (search_queries.yml, search_exam_longtail.yml) were written apart
from the tuning and are never tuned on; the dev sets (search_dev*.yml) are. A phrasing is right
when the first answer is its procedure or one of its twins (the same procedure at another level)
or one its file accepts (`also`); a no-fit phrasing is right when the bot says it has no fitting
procedure. Measured through the connectors API in-process, on a fresh database built by
`manage init` (curated entries, the shipped national catalogue, aliases).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from connectors import manage
from connectors.main import create_app
from connectors.procedures.search import clean_name
from connectors.settings import Settings
from connectors.text import fold

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
REPORT = ROOT / "reports" / "search" / "README.md"
SETS = {
    "exam": ["search_queries.yml", "search_exam_longtail.yml"],
    "dev": ["search_dev.yml", "search_dev_longtail.yml"],
}
CATALOGUE = ROOT / "connectors" / "seed" / "national" / "catalogue.jsonl.gz"


@dataclass
class Case:
    q: str
    codes: frozenset[str]  # right answers; empty for a no-fit phrasing
    source: str

    @property
    def nofit(self) -> bool:
        return not self.codes


@dataclass
class Outcome:
    case: Case
    answer: str | None  # the procedure the bot would answer with; None: it abstains
    top3: list[str] = field(default_factory=list)


def twins() -> dict[str, frozenset[str]]:
    """Codes of procedures with the same name but for the level suffix."""
    groups: dict[str, set[str]] = defaultdict(set)
    with gzip.open(CATALOGUE, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            groups[fold(clean_name(record["ten_thu_tuc"])).strip(" .")].add(record["ma_thu_tuc"])
    return {code: frozenset(group) for group in groups.values() for code in group}


def load_cases(names: list[str]) -> list[Case]:
    same = twins()
    cases = []
    for name in names:
        path = BENCH / name
        if not path.exists():
            print(f"(missing: {path.relative_to(ROOT)})", file=sys.stderr)
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("queries") or []:
            codes = {item["code"], *(item.get("also") or [])}
            codes |= {t for c in list(codes) for t in same.get(c, ())}
            cases.append(Case(item["q"], frozenset(codes), name))
        for item in data.get("nofit") or []:
            cases.append(Case(item["q"], frozenset(), name))
    return cases


@contextmanager
def connectors() -> Iterator[TestClient]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        started = time.monotonic()
        manage.migrate(url)
        manage.seed(url)
        if hasattr(manage, "national"):
            manage.national(url, CATALOGUE)
        else:  # an older checkout (for before/after figures)
            manage.import_catalogue(url, CATALOGUE, progress=False)
        print(f"catalogue ready in {time.monotonic() - started:.0f} s", file=sys.stderr)
        settings = Settings(database_url=url, redis_url="redis://127.0.0.1:1/0")
        with TestClient(create_app(settings)) as client:
            yield client


def ask(client: TestClient, case: Case) -> Outcome:
    response = client.get("/api/v1/procedures/resolve", params={"q": case.q})
    if response.status_code == 404:  # a connectors version without resolve: it never abstains
        hits = client.get("/api/v1/procedures/search", params={"q": case.q}).json()["items"]
        codes = [h["code"] for h in hits]
        return Outcome(case, codes[0] if codes else None, codes[:3])
    body: dict[str, Any] = response.json()
    chosen = body.get("procedure")
    candidates = [c["code"] for c in body.get("candidates") or []]
    answer = chosen["code"] if chosen else (candidates[0] if candidates else None)
    if body.get("decision") == "no_fit":
        answer = None
    return Outcome(case, answer, ([answer] if answer else []) + [
        c for c in candidates if c != answer
    ][:2])


def _unaccented(q: str) -> bool:
    return fold(q) == q.lower()


SLICES: dict[str, Callable[[Case], bool]] = {
    "all": lambda c: True,
    "without diacritics": lambda c: _unaccented(c.q),
    "with diacritics": lambda c: not _unaccented(c.q),
    "short (≤ 3 words)": lambda c: len(c.q.split()) <= 3,
    "long (≥ 12 words)": lambda c: len(c.q.split()) >= 12,
}


@dataclass(frozen=True)
class Figures:
    n: int
    top1: float
    top3: float
    abstained_wrongly: float
    nofit_n: int
    nofit_abstained: float


def figures(outcomes: list[Outcome]) -> Figures:
    fit = [o for o in outcomes if not o.case.nofit]
    nofit = [o for o in outcomes if o.case.nofit]
    n = max(len(fit), 1)
    return Figures(
        n=len(fit),
        top1=sum(o.answer in o.case.codes for o in fit) / n,
        top3=sum(any(c in o.case.codes for c in o.top3) for o in fit) / n,
        abstained_wrongly=sum(o.answer is None for o in fit) / n,
        nofit_n=len(nofit),
        nofit_abstained=sum(o.answer is None for o in nofit) / max(len(nofit), 1),
    )


def table(results: dict[str, list[Outcome]]) -> str:
    lines = [
        "| set | slice | phrasings | top-1 | top-3 | fit phrasings abstained | no-fit | "
        "no-fit abstained |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, outcomes in results.items():
        for slice_name, keep in SLICES.items():
            chosen = [o for o in outcomes if keep(o.case)]
            if not chosen:
                continue
            f = figures(chosen)
            nofit = f"{f.nofit_abstained:.3f}" if f.nofit_n else "-"
            lines.append(
                f"| {name} | {slice_name} | {f.n} | {f.top1:.3f} | {f.top3:.3f} | "
                f"{f.abstained_wrongly:.3f} | {f.nofit_n} | {nofit} |"
            )
    return "\n".join(lines)


SWEEP = (0.60, 0.65, 0.68, 0.70, 0.72, 0.75)


def sweep(client: TestClient, cases: list[Case]) -> str:
    """The no-fit floor against what it costs: chosen on the dev set, never on the exams."""
    from connectors.procedures import resolve as resolver

    chosen = resolver.NO_FIT_BELOW
    lines = ["| no-fit floor | top-1 (abstaining counts as wrong) | fit phrasings abstained | "
             "no-fit phrasings abstained |", "|---|---|---|---|"]
    try:
        for floor in SWEEP:
            resolver.NO_FIT_BELOW = floor
            f = figures([ask(client, c) for c in cases])
            mark = " (chosen)" if abs(floor - chosen) < 1e-9 else ""
            lines.append(f"| {floor:.2f}{mark} | {f.top1:.3f} | {f.abstained_wrongly:.3f} | "
                         f"{f.nofit_abstained:.3f} |")
    finally:
        resolver.NO_FIT_BELOW = chosen
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=["exam", "dev"])
    parser.add_argument("--misses", nargs="*", choices=sorted(SETS), default=[])
    parser.add_argument("--no-report", action="store_true", help="print only")
    args = parser.parse_args(argv)
    # one access line per phrasing would drown the figures and the misses
    logging.getLogger("connectors.access").setLevel(logging.WARNING)
    results: dict[str, list[Outcome]] = {}
    started = time.monotonic()
    with connectors() as client:
        for name in args.sets:
            results[name] = [ask(client, case) for case in load_cases(SETS[name])]
        floors = sweep(client, load_cases(SETS["dev"])) if "dev" in args.sets else ""
    text = table(results)
    print(text)
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    for name in args.misses:
        for o in results.get(name, []):
            right = o.answer in o.case.codes if not o.case.nofit else o.answer is None
            if not right:
                want = ",".join(sorted(o.case.codes)[:3]) or "no fit"
                print(f"MISS [{want}] got {o.answer} top3={o.top3}: {o.case.q}")
    if not args.no_report and set(args.sets) == set(SETS):
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(
            "# Procedure search quality\n\nWritten by `make bench-search` "
            "(`python -m scripts.bench_search`); see its docstring for the rules. The exams were "
            "written apart from the tuning and are never tuned on; the dev sets are. The figures "
            "before this search are in [baseline.md](baseline.md).\n\n"
            + text + "\n\n## The no-fit floor, chosen on the dev set\n\nA message no procedure "
            "explains well enough gets an honest \"not covered\" instead of the nearest "
            "procedure. Higher floors abstain on more no-fit phrasings and on more fit ones:\n\n"
            + floors + "\n", encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
