"""`python -m connectors.manage feedback-outbox`: the operator's view of forwarding.

Sends every complaint not yet in the province's feedback system now (whatever its retry
schedule), optionally reads their statuses back, and lists what is left: pending complaints and
those refused (with the upstream's reason), which only an operator can put back in the queue.
"""

from __future__ import annotations

import argparse
import logging
from datetime import datetime, timezone

from connectors.db import make_engine, make_session_factory
from connectors.feedback.outbox import refused, retry_refused
from connectors.feedback.worker import build_forwarder
from connectors.settings import Settings

logger = logging.getLogger("connectors.manage")

COMMAND = "feedback-outbox"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        COMMAND, help="send unsent complaints to the province's feedback system now, and report"
    )
    parser.add_argument(
        "--retry-refused", action="store_true",
        help="put refused complaints back in the queue first (once their cause is fixed)",
    )
    parser.add_argument("--sync", action="store_true", help="also read statuses back now")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """0 when nothing is left waiting or refused."""
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        forwarder = build_forwarder(settings, factory)
        if forwarder is None:
            logger.error("FEEDBACK_UPSTREAM_FILE is not set: complaints are not forwarded")
            return 1
        try:
            if args.retry_refused:
                with factory() as session:
                    again = retry_refused(session, datetime.now(timezone.utc))
                logger.info("refused complaints queued again: %d", len(again))
            sent = forwarder.deliver(ignore_schedule=True)
            logger.info(
                "sent %d, failed %d (retried later), refused %d, not tried %d (circuit open)",
                sent.sent, sent.failed, sent.refused, sent.deferred,
            )
            if args.sync:
                synced = forwarder.sync()
                logger.info(
                    "statuses read: %d, changed %d, unreadable %d, not read %d",
                    synced.checked, synced.changed, synced.failed, synced.deferred,
                )
            left = forwarder.backlog()
            with factory() as session:
                kept = refused(session)
        finally:
            forwarder.close()
    finally:
        engine.dispose()
    age = left.oldest_pending_seconds
    logger.info(
        "waiting: %d%s; refused: %d", left.pending,
        f" (oldest {age / 60:.0f} min)" if age is not None else "", left.refused,
    )
    for row in kept:
        logger.warning(
            "refused: %s after %d attempt(s): %s", row.tracking_code, row.attempts,
            row.last_error or "?",
        )
    if kept:
        logger.info("fix the cause, then: python -m connectors.manage %s --retry-refused", COMMAND)
    return 0 if left.pending == 0 and left.refused == 0 else 1
