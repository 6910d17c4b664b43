"""The conversation exam and dev set, replayed against a running bot: prints figures by slice.

    python -m scripts.bench_conversations                  # against `make run`'s bot
    python -m scripts.bench_conversations --sets dev --url http://127.0.0.1:5005

benchmarks/conversations/exam and exam2 (a second one, written later by another helper) were
written apart from the tuning (by someone who had not read the code, from the records) and are
never tuned on; benchmarks/conversations/dev and dev2 are the tuning sets. A
turn is "fully right" when every check of it passes; it shows "a wrong fact" when something it
must not say appears (a `not_contains` or `not_regex` check fails: the wrong procedure, the
previous topic's fee...). Reports: var/results/conversations/<set>/ (JUnit + HTML).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import defaultdict
from pathlib import Path

from qa.cli import default_token, default_url
from qa.client import BotClient
from qa.loader import load_all
from qa.report import totals, write_reports
from qa.runner import ConversationResult, TurnResult, replay

ROOT = Path(__file__).resolve().parent.parent
SETS = {"exam": ROOT / "benchmarks" / "conversations" / "exam",
        "exam2": ROOT / "benchmarks" / "conversations" / "exam2",
        "dev": ROOT / "benchmarks" / "conversations" / "dev",
        "dev2": ROOT / "benchmarks" / "conversations" / "dev2"}
RESULTS = ROOT / "var" / "results" / "conversations"
WRONG_FACT = ("text does not contain", "text does not match")


def wrong_fact(turn: TurnResult) -> bool:
    return any(p.what in WRONG_FACT for p in turn.problems)


def slices(results: list[ConversationResult]) -> dict[str, list[TurnResult]]:
    by: dict[str, list[TurnResult]] = defaultdict(list)
    for r in results:
        for turn in r.turns:
            by["all"].append(turn)
            for tag in {*turn.turn.tags, *(f"topic:{t}" for t in r.file.conversation.tags)}:
                by[tag].append(turn)
    return dict(sorted(by.items(), key=lambda kv: (kv[0] != "all", kv[0])))


def table(name: str, results: list[ConversationResult]) -> str:
    lines = [f"| {name}: slice | turns | fully right | share | with a wrong fact |",
             "|---|---|---|---|---|"]
    for slice_name, turns in slices(results).items():
        right = sum(t.passed for t in turns)
        wrong = sum(wrong_fact(t) for t in turns)
        lines.append(f"| {slice_name} | {len(turns)} | {right} | {right / len(turns):.3f} | "
                     f"{wrong} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(SETS))
    parser.add_argument("--url", default=default_url())
    parser.add_argument("--token", default=None)
    args = parser.parse_args(argv)

    async def go(name: str) -> list[ConversationResult]:
        files, errors = load_all([SETS[name]])
        if errors:
            raise SystemExit("\n".join(map(str, errors)))
        async with BotClient(args.url, args.token or default_token()) as bot:
            await bot.check()
            return await replay(bot, files, jobs=4)

    for name in args.sets:
        started = time.monotonic()
        results = asyncio.run(go(name))
        t = totals(results, time.monotonic() - started)
        write_reports(results, t, RESULTS / name, args.url)
        print(table(name, results))
        print(f"({name}: {t.passed}/{t.checked} turns fully right, {t.seconds:.0f} s)\n",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
