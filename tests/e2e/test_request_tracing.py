"""One citizen's message followed through the three services: the id a load balancer sets
(X-Request-ID) comes back, and ends the log lines of Rasa, the action server and the connectors
made for that message; the action server and the connectors count what they did in Prometheus'
format."""

from __future__ import annotations

import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from scripts.stack import Stack

pytestmark = pytest.mark.e2e


def metric(url: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    body = httpx.get(url, timeout=10).text
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == name
    }


def test_a_messages_id_is_in_the_log_of_every_service_it_crossed(
    stack: Stack, sender: str
) -> None:
    rid = f"trace-{uuid.uuid4().hex}"

    response = httpx.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "đăng ký khai sinh cần giấy tờ gì"},
        headers={"X-Request-ID": rid}, timeout=30,
    )

    assert response.headers["X-Request-ID"] == rid
    assert "Giấy chứng sinh" in "\n".join(str(m.get("text")) for m in response.json())
    logs = {
        name: (stack.config.log_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        for name in ("rasa", "actions", "connectors")
    }
    for name, text in logs.items():
        assert f"request_id={rid}" in text, f"{name}.log has no line of this message"
    assert "GET /api/v1/procedures/resolve 200" in next(
        line for line in logs["connectors"].splitlines() if rid in line
        and "/api/v1/procedures/resolve" in line
    )


def test_each_message_gets_its_own_id_when_none_is_sent(stack: Stack, sender: str) -> None:
    ids = {
        httpx.post(
            f"{stack.config.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "xin chào"}, timeout=30,
        ).headers["X-Request-ID"]
        for _ in range(2)
    }

    assert len(ids) == 2


def test_the_action_server_and_the_connectors_expose_their_metrics(
    stack: Stack, sender: str
) -> None:
    httpx.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "làm hộ chiếu cần giấy tờ gì"}, timeout=30,
    )

    actions = metric(
        f"http://{stack.config.host}:{stack.config.actions_port}/metrics",
        "tldvc_actions_calls_total",
    )
    connectors = metric(f"{stack.config.connectors_url}/metrics",
                        "tldvc_connectors_requests_total")

    assert actions[(("action", "action_answer_procedure"), ("status", "200"))] >= 1
    search = (("method", "GET"), ("route", "/api/v1/procedures/resolve"), ("status", "200"))
    assert connectors[search] >= 1
