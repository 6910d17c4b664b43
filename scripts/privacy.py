"""A citizen's data on request, and the retention period, for the operator of a deployment.

    python -m scripts.privacy forget SENDER_ID [...]   # erase one conversation everywhere
    python -m scripts.privacy purge                    # apply RETENTION_DAYS now (also hourly)

`forget` erases the Rasa tracker and lock (Redis), then what the connectors hold: handoffs,
ratings, the contact details of complaints, rate-limit counters. The procedure cache holds no
personal data. With Redis absent, `make run` keeps trackers in Rasa's memory: they go when Rasa
stops. Reads the same environment (and .env) as `make run`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timezone

import redis

from connectors.cache import Cache
from connectors.db import make_engine, make_session_factory
from connectors.privacy.service import forget, purge
from connectors.settings import Settings
from scripts.stack import Config, load_dotenv, tracker_keys
from vnid import redact

logger = logging.getLogger("privacy")


def connectors_settings(config: Config) -> Settings:
    return Settings(
        database_url=config.database_url,
        redis_url=config.redis_url,
        redis_key_prefix=config.redis_key_prefix + ":",  # as scripts/stack.py gives it
        retention_days=config.retention_days,
    )


def forget_everywhere(config: Config, sender_id: str) -> dict[str, int]:
    """Erases one conversation; returns how many things of each kind went."""
    settings = connectors_settings(config)
    trackers = 0
    try:
        trackers = int(redis.Redis.from_url(config.redis_url).delete(
            *tracker_keys(config, sender_id)))
    except redis.RedisError as exc:
        logger.warning("Redis unreachable, trackers not erased: %s", exc)
    engine = make_engine(settings.database_url)
    cache = Cache(settings.redis_url, settings.redis_key_prefix, settings.cache_ttl_seconds)
    try:
        with make_session_factory(engine)() as session:
            erased = forget(session, cache, sender_id)
    finally:
        cache.close()
        engine.dispose()
    return {"trackers": trackers, "handoffs": erased.handoffs, "ratings": erased.ratings,
            "feedback": erased.feedback, "counters": erased.counters}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.privacy", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    forgetting = commands.add_parser("forget", help="erase conversations by sender id")
    forgetting.add_argument("sender_ids", nargs="+", metavar="SENDER_ID")
    commands.add_parser("purge", help="erase what is older than RETENTION_DAYS")
    args = parser.parse_args(argv)
    redact.install()
    logging.basicConfig(level=logging.INFO, format="[privacy] %(message)s")
    load_dotenv()
    config = Config()
    if args.command == "purge":
        settings = connectors_settings(config)
        engine = make_engine(settings.database_url)
        try:
            with make_session_factory(engine)() as session:
                erased = purge(session, datetime.now(timezone.utc), settings.retention_days)
        finally:
            engine.dispose()
        print(f"older than {settings.retention_days} days: {erased}")
        return 0
    for sender_id in args.sender_ids:
        counts = forget_everywhere(config, sender_id)
        print(f"{sender_id}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
