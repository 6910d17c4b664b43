"""Replays conversation files against a live bot, each under its own sender id, several at once."""

from __future__ import annotations

import asyncio
import json
import time
import unicodedata
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

from qa.check import Actual, Mismatch, actual_from, compare, nfc
from qa.client import BotClient, BotError
from qa.loader import ConversationFile
from qa.model import Turn


@dataclass
class TurnResult:
    index: int
    line: int
    turn: Turn
    sent: str
    actual: Actual
    problems: list[Mismatch]
    checked: bool = True
    seconds: float = 0.0
    runs: int = 1
    behaviours: int = 1  # distinct behaviours over the runs of --repeat; more than one is flaky
    runs_passed: int = 0

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def flaky(self) -> bool:
        return self.behaviours > 1


@dataclass
class ConversationResult:
    file: ConversationFile
    sender: str
    turns: list[TurnResult]
    seconds: float

    @property
    def failed(self) -> list[TurnResult]:
        return [t for t in self.turns if t.checked and not t.passed]

    @property
    def passed(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class Selection:
    """Which conversations and turns to check: by file tag or turn tag (any of ``tags``)."""

    tags: frozenset[str] = frozenset()
    exclude_tags: frozenset[str] = frozenset()

    def conversation(self, f: ConversationFile) -> bool:
        tags = set(f.conversation.tags) | {t for turn in f.conversation.turns for t in turn.tags}
        if tags & self.exclude_tags and set(f.conversation.tags) & self.exclude_tags:
            return False
        return not self.tags or bool(tags & self.tags)

    def turn(self, f: ConversationFile, turn: Turn) -> bool:
        """Turns of a file selected only through turn tags are played, but only those checked."""
        if set(turn.tags) & self.exclude_tags:
            return False
        if not self.tags or set(f.conversation.tags) & self.tags:
            return True
        return bool(set(turn.tags) & self.tags)


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c if c.isalnum() else "-" for c in folded if c.isascii())
    return "-".join(filter(None, ascii_.lower().split("-")))[:40]


def new_sender(f: ConversationFile) -> str:
    return f"qa-{_slug(f.name)}-{uuid.uuid4().hex[:8]}"


def _button_payload(title: str, previous: Actual | None) -> str | None:
    for button in previous.buttons if previous else []:
        if nfc(str(button.get("title", ""))).casefold() == nfc(title).casefold():
            return str(button.get("payload") or button.get("title"))
    return None


async def play(
    bot: BotClient, f: ConversationFile, selection: Selection = Selection(),
    on_turn: Callable[[], None] | None = None,
) -> ConversationResult:
    conversation = f.conversation
    sender = new_sender(f)
    started = time.monotonic()
    results: list[TurnResult] = []
    seen_events = 0
    previous: Actual | None = None
    for index, turn in enumerate(conversation.turns):
        problems: list[Mismatch] = []
        if turn.button is not None:
            payload = _button_payload(turn.button, previous)
            if payload is None:
                titles = previous.button_titles if previous else []
                problems.append(Mismatch("a button to click", turn.button, titles))
            message = payload or turn.button  # typed, as a citizen would when it is missing
        else:
            message = turn.user if turn.user is not None else turn.payload or ""
        metadata = {**conversation.metadata, **turn.metadata}
        turn_started = time.monotonic()
        try:
            messages = await bot.send(
                sender, message, channel=turn.channel or conversation.channel, metadata=metadata
            )
            tracker = await bot.tracker(sender)
            events = tracker.get("events") or []
            actual = actual_from(messages, events[seen_events:], tracker.get("slots") or {})
            seen_events = len(events)
        except BotError as exc:
            actual = Actual(error=str(exc))
        elapsed = time.monotonic() - turn_started
        checked = selection.turn(f, turn)
        if checked:
            problems += compare(turn.expect, actual)
        results.append(
            TurnResult(index, f.turn_lines[index] if index < len(f.turn_lines) else 0, turn,
                       message, actual, problems if checked else [], checked, elapsed)
        )
        previous = actual
        if on_turn:
            on_turn()
    return ConversationResult(f, sender, results, time.monotonic() - started)


def _signature(result: TurnResult) -> str:
    """Verdict and behaviour; the text is left out (tracking codes differ on every run)."""
    summary = {k: v for k, v in result.actual.summary().items() if k != "text"}
    return json.dumps([result.passed, summary], sort_keys=True, default=str)


def merge_repeats(runs: list[ConversationResult]) -> ConversationResult:
    """One result per conversation: the first run, with how each turn fared over all runs."""
    first = runs[0]
    for i, turn in enumerate(first.turns):
        outcomes = [r.turns[i] for r in runs if i < len(r.turns)]
        turn.runs = len(outcomes)
        turn.runs_passed = sum(t.passed for t in outcomes)
        turn.behaviours = len({_signature(t) for t in outcomes})
        if turn.flaky:
            turn.problems = [
                *turn.problems,
                Mismatch("the same result on every run", f"{turn.runs} alike",
                         f"passed {turn.runs_passed} of {turn.runs} runs, "
                         f"{turn.behaviours} different behaviours"),
            ]
    return first


async def replay(
    bot: BotClient, files: Collection[ConversationFile], *, jobs: int = 4, repeat: int = 1,
    selection: Selection = Selection(), on_turn: Callable[[], None] | None = None,
) -> list[ConversationResult]:
    """Every selected conversation, ``repeat`` times each, at most ``jobs`` at once; file order."""
    chosen = [f for f in files if selection.conversation(f)]
    limit = asyncio.Semaphore(max(1, jobs))

    async def one(f: ConversationFile) -> ConversationResult:
        async with limit:
            return await play(bot, f, selection, on_turn)

    runs = await asyncio.gather(*(one(f) for f in chosen for _ in range(repeat)))
    grouped = [list(runs[i * repeat:(i + 1) * repeat]) for i in range(len(chosen))]
    return [merge_repeats(g) if repeat > 1 else g[0] for g in grouped]
