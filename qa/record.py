"""Real conversations from the tracker store -> conversation files, personal data masked.

One step from a bad real conversation to a regression test: record it, edit the expectations to what
the bot should have said (facts, not sentences), commit it under tests/conversations/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import yaml

from qa.mask import Masker
from qa.model import Conversation

logger = logging.getLogger(__name__)

VIETNAM_TZ = timezone(timedelta(hours=7))
# entities that carry personal data: the masked text already shows them
PERSONAL_ENTITIES = frozenset({"application_code", "id_number", "phone_number", "feedback_code"})
PERSONAL_SLOTS = frozenset({
    "application_code", "applicant_identifier", "feedback_description", "feedback_location",
    "feedback_contact", "feedback_topic", "feedback_code",
})


@dataclass(frozen=True)
class Recorded:
    sender: str
    events: list[dict[str, Any]]


# --- sources ---------------------------------------------------------------------------------


def from_redis(url: str, key_prefix: str, senders: Iterable[str] = ()) -> Iterator[Recorded]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = [f"{key_prefix}{s}".encode() for s in senders] or list(
            client.scan_iter(f"{key_prefix}*".encode(), count=500)
        )
        for key in keys:
            raw = client.get(key)
            if raw is None:
                continue
            dialogue = json.loads(raw)
            sender = key.decode()[len(key_prefix):]
            yield Recorded(dialogue.get("name") or sender, list(dialogue.get("events") or []))
    finally:
        client.close()


def from_sql(url: str, senders: Iterable[str] = ()) -> Iterator[Recorded]:
    """Rasa's SQL tracker store: one row per event in the `events` table."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(url)
    wanted = tuple(senders)
    query = text(
        "SELECT sender_id, data FROM events"
        + (" WHERE sender_id IN :senders" if wanted else "")
        + " ORDER BY sender_id, id"
    )
    if wanted:
        query = query.bindparams(bindparam("senders", value=wanted, expanding=True))
    try:
        with engine.connect() as connection:
            current: str | None = None
            events: list[dict[str, Any]] = []
            for sender, data in connection.execute(query):
                if sender != current and current is not None:
                    yield Recorded(current, events)
                    events = []
                current = sender
                events.append(json.loads(data))
            if current is not None:
                yield Recorded(current, events)
    finally:
        engine.dispose()


def from_api(url: str, token: str | None, senders: Iterable[str]) -> Iterator[Recorded]:
    with httpx.Client(timeout=30) as http:
        for sender in senders:
            params = {"include_events": "ALL", **({"token": token} if token else {})}
            response = http.get(f"{url.rstrip('/')}/conversations/{sender}/tracker", params=params)
            response.raise_for_status()
            yield Recorded(sender, list(response.json().get("events") or []))


def in_range(events: list[dict[str, Any]], since: date | None, until: date | None) -> bool:
    """Some message of the citizen's falls on a day in [since, until] (Vietnam calendar)."""
    if since is None and until is None:
        return True
    low = datetime.combine(since or date.min, time(), VIETNAM_TZ).timestamp() if since else None
    high = (
        datetime.combine(until + timedelta(days=1), time(), VIETNAM_TZ).timestamp()
        if until else None
    )
    for event in events:
        if event.get("event") != "user":
            continue
        stamp = float(event.get("timestamp") or 0)
        if (low is None or stamp >= low) and (high is None or stamp < high):
            return True
    return False


# --- conversion ------------------------------------------------------------------------------


def _button_title(text: str, buttons: list[dict[str, Any]]) -> str | None:
    return next((str(b["title"]) for b in buttons if b.get("payload") == text), None)


def to_conversation(recorded: Recorded, masker: Masker | None = None) -> dict[str, Any]:
    """The file's content (a mapping ready to dump as YAML), masked."""
    masker = masker or Masker()
    turns: list[dict[str, Any]] = []
    requested: str | None = None
    buttons: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    bot_texts: list[str] = []

    def close() -> None:
        if current is None:
            return
        expect = current["expect"]
        if bot_texts:
            expect["text"] = {"exact": "\n".join(bot_texts)}
        else:
            expect["silent"] = True
        for key in ("actions", "responses", "slots", "entities"):
            if not expect.get(key):
                expect.pop(key, None)

    for event in recorded.events:
        kind = event.get("event")
        if kind == "user":
            close()
            bot_texts = []
            text = str(event.get("text") or "")
            parse = event.get("parse_data") or {}
            turn: dict[str, Any] = {}
            title = _button_title(text, buttons) if text.startswith("/") else None
            if title is not None:
                turn["button"] = title
            elif text.startswith("/"):
                turn["payload"] = text
            else:
                turn["user"] = masker.citizen(text, answering=requested)
            channel = event.get("input_channel")
            if channel and channel != "rest":
                turn["channel"] = channel
            entities = {
                str(e["entity"]): masker.citizen(str(e.get("value")))
                for e in parse.get("entities") or []
                if e.get("entity") not in PERSONAL_ENTITIES and e.get("value") is not None
            }
            turn["expect"] = {
                "intent": (parse.get("intent") or {}).get("name"),
                "entities": entities,
                "actions": [],
                "responses": [],
                "slots": {},
            }
            turns.append(turn)
            current = turn
            buttons = []
        elif current is None:
            continue
        elif kind == "action" and event.get("name") != "action_listen":
            current["expect"]["actions"].append(event.get("name"))
        elif kind == "bot":
            utter = (event.get("metadata") or {}).get("utter_action")
            if utter:
                current["expect"]["responses"].append(utter)
            if event.get("text"):
                bot_texts.append(masker.bot(str(event["text"])))
            buttons = list((event.get("data") or {}).get("buttons") or []) or buttons
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == "requested_slot":
                requested = value
            elif name not in PERSONAL_SLOTS or value is None:
                current["expect"]["slots"][name] = value
        elif kind in ("restart", "session_started"):
            requested = None
    close()
    first = next((e for e in recorded.events if e.get("event") == "user"), {})
    day = datetime.fromtimestamp(float(first.get("timestamp") or 0), VIETNAM_TZ).date()
    return {
        "title": f"Recorded on {day:%d/%m/%Y}",
        "description": "Recorded from the tracker store, personal data masked. Review it: keep "
        "the facts that must hold (contains/regex) instead of `exact`, correct what the bot got "
        "wrong, give it a title and tags, then commit it.",
        "tags": ["recorded"],
        "turns": turns,
    }


def file_name(recorded: Recorded) -> str:
    """Never the sender id itself (a Zalo user id is personal): a short hash of it."""
    first = next((e for e in recorded.events if e.get("event") == "user"), {})
    day = datetime.fromtimestamp(float(first.get("timestamp") or 0), VIETNAM_TZ).date()
    digest = hashlib.sha256(recorded.sender.encode()).hexdigest()[:10]
    return f"{day:%Y-%m-%d}-{digest}.yml"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(content: dict[str, Any]) -> str:
    Conversation.model_validate(content)  # what we write must replay
    return yaml.dump(content, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def write(records: Iterable[Recorded], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for recorded in records:
        content = to_conversation(recorded)
        if not content["turns"]:
            continue
        path = out / file_name(recorded)
        path.write_text(dump(content), encoding="utf-8")
        written.append(path)
    return written


def record_command(args: argparse.Namespace, default_token: Callable[[], str | None]) -> int:
    if args.api_url and not args.sender:
        print("replay record: --api-url needs --sender", file=sys.stderr)
        return 2
    if not args.sender and args.since is None and args.until is None:
        print("replay record: give --sender, or a date range (--since/--until)", file=sys.stderr)
        return 2
    try:
        if args.api_url:
            records: Iterable[Recorded] = from_api(
                args.api_url, args.token or default_token(), args.sender
            )
        elif args.sql_url:
            records = from_sql(args.sql_url, args.sender)
        else:
            url = args.redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
            prefix = args.key_prefix or default_key_prefix()
            records = from_redis(url, prefix, args.sender)
        chosen = [r for r in records if in_range(r.events, args.since, args.until)]
        written = write(chosen, args.out)
    except Exception as exc:  # noqa: BLE001 - any store failure is reported, never a traceback
        print(f"replay record: could not read the tracker store: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    print(f"{len(written)} conversations recorded into {args.out} (personal data masked)")
    return 0


def default_key_prefix(base: str | None = None) -> str:
    """Rasa's Redis keys as `make run` configures them: <prefix>tracker:tracker:<sender>."""
    given = base or os.environ.get("REDIS_KEY_PREFIX") or "tldvc"
    prefix = "".join(c for c in given if c.isalnum())
    return f"{prefix}tracker:tracker:"
