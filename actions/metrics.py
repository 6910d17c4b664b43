"""Prometheus metrics of the action server: calls by action and outcome, and their duration
(each includes the connectors' answers it waited for). ``GET /metrics``, open like ``/health``:
names and counts only, nothing a citizen said."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ActionMetrics:
    """In a registry of their own: each app built (tests build many) counts for itself."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.calls = Counter(
            "tldvc_actions_calls_total", "Action calls answered, by action and HTTP status",
            ["action", "status"], registry=self.registry,
        )
        self.seconds = Histogram(
            "tldvc_action_seconds", "Time to run an action", ["action"], buckets=BUCKETS,
            registry=self.registry,
        )

    def observe(self, action: str, status: int, seconds: float) -> None:
        self.calls.labels(action, str(status)).inc()
        self.seconds.labels(action).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
