"""``replay``: QA conversations against a running bot, and real conversations into QA files.

    replay                                    # every file under tests/conversations vs `make run`
    replay tests/conversations/status --tag smoke --url https://staging.example/rasa
    replay --repeat 3                         # flags turns that do not behave the same each time
    replay check                              # only validate the files
    replay record --sender abc123 --out tests/conversations/recorded
    replay record --since 2026-11-01 --until 2026-11-30 --redis-url redis://127.0.0.1:6379/0
    replay schema > conversation.schema.json

Exit status: 0 all checked turns right, 1 some wrong, 2 malformed files or no bot to talk to.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import date
from pathlib import Path

from tqdm import tqdm

from qa.client import BotClient, BotError
from qa.loader import ConversationFile, load_all
from qa.model import json_schema
from qa.report import console, totals, write_reports
from qa.runner import Selection, replay

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "tests" / "conversations"
RESULTS = ROOT / "var" / "results" / "replay"


def default_url() -> str:
    return os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"


def default_token() -> str | None:
    """The token `make run` uses: $RASA_AUTH_TOKEN, else the one it generated into var/secrets."""
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        return token
    path = ROOT / "var" / "secrets" / "rasa_auth_token"
    return path.read_text().strip() if path.exists() else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="replay", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")

    def add_run_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: "
                       "tests/conversations)")
        p.add_argument("--url", default=default_url(), help="the bot (default: %(default)s)")
        p.add_argument("--token", default=None, help="Rasa HTTP API token (default: "
                       "$RASA_AUTH_TOKEN or var/secrets/rasa_auth_token)")
        p.add_argument("--tag", action="append", default=[], help="only these tags (repeatable)")
        p.add_argument("--exclude-tag", action="append", default=[])
        p.add_argument("--file", action="append", default=[],
                       help="only files whose path contains this (repeatable)")
        p.add_argument("--jobs", type=int, default=4, help="conversations at once (default 4)")
        p.add_argument("--repeat", type=int, default=1, help="play each conversation N times and "
                       "report turns that behave differently")
        p.add_argument("--out", type=Path, default=RESULTS, help="reports folder (default: "
                       "var/results/replay)")
        p.add_argument("--no-progress", action="store_true")

    add_run_options(sub.add_parser("run", help="replay conversation files (the default)"))
    check = sub.add_parser("check", help="validate conversation files without a bot")
    check.add_argument("paths", nargs="*", type=Path)
    sub.add_parser("schema", help="print the JSON Schema of a conversation file")
    record = sub.add_parser("record", help="export real conversations as conversation files, "
                            "personal data masked")
    record.add_argument("--sender", action="append", default=[], help="sender id (repeatable)")
    record.add_argument("--since", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    record.add_argument("--until", type=date.fromisoformat, help="last day, included")
    source = record.add_mutually_exclusive_group()
    source.add_argument("--redis-url", help="Rasa's Redis tracker store (default: $REDIS_URL)")
    source.add_argument("--sql-url", help="Rasa's SQL tracker store (SQLAlchemy URL)")
    source.add_argument("--api-url", help="a running bot's HTTP API (needs --sender)")
    record.add_argument("--key-prefix", default=None, help="Redis tracker key prefix (default: "
                        "what `make run` uses)")
    record.add_argument("--token", default=None)
    record.add_argument("--out", type=Path, default=CONVERSATIONS / "recorded")
    return parser


def _paths(given: list[Path]) -> list[Path] | str:
    paths = given or [CONVERSATIONS]
    missing = [str(p) for p in paths if not p.exists()]
    return f"no such file or folder: {', '.join(missing)}" if missing else paths


def _load(given: list[Path]) -> tuple[list[ConversationFile], int]:
    """The files, and how many could not be read (each reported as file:line: reason)."""
    paths = _paths(given)
    if isinstance(paths, str):
        print(f"replay: {paths}", file=sys.stderr)
        return [], 1
    files, errors = load_all(paths)
    for error in errors:
        print(f"replay: {error}", file=sys.stderr)
    return files, len(errors)


def run(args: argparse.Namespace) -> int:
    files, bad = _load(args.paths)
    if bad:
        return 2
    if args.file:
        files = [f for f in files if any(part in str(f.path) for part in args.file)]
    selection = Selection(frozenset(args.tag), frozenset(args.exclude_tag))
    chosen = [f for f in files if selection.conversation(f)]
    if not chosen:
        print("replay: no conversation matches the filters", file=sys.stderr)
        return 2
    total_turns = sum(len(f.conversation.turns) for f in chosen) * max(1, args.repeat)
    token = args.token or default_token()

    async def go() -> int:
        async with BotClient(args.url, token) as bot:
            try:
                await bot.check()
            except BotError as exc:
                print(f"replay: {exc}", file=sys.stderr)
                return 2
            with tqdm(total=total_turns, unit="turn", disable=True if args.no_progress else None,
                      file=sys.stderr) as bar:
                started = time.monotonic()
                results = await replay(bot, chosen, jobs=args.jobs, repeat=max(1, args.repeat),
                                       selection=selection, on_turn=lambda: bar.update(1))
            t = totals(results, time.monotonic() - started)
            print(console(results, t))
            xml_path, html_path = write_reports(results, t, args.out, args.url)
            print(f"reports: {xml_path} {html_path}")
            return 1 if t.failed else 0

    return asyncio.run(go())


def check(args: argparse.Namespace) -> int:
    files, bad = _load(args.paths)
    turns = sum(len(f.conversation.turns) for f in files)
    print(f"{len(files)} conversation files, {turns} turns, {bad} malformed")
    return 2 if bad else 0


COMMANDS = ("run", "check", "schema", "record")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")  # `replay [paths] [options]` means `replay run ...`
    args = _parser().parse_args(argv)
    if args.command == "schema":
        import json

        print(json.dumps(json_schema(), ensure_ascii=False, indent=2))
        return 0
    if args.command == "check":
        return check(args)
    if args.command == "record":
        from qa.record import record_command

        return record_command(args, default_token)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
