"""Request ids and metrics of the connectors: the id is passed back, a route is counted by its
template (never by a path that holds a dossier code)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.connectors.conftest import SERVICE

CODE = "PA-261129-ABC123"  # a complaint's tracking code: personal, in the path


def samples(client: TestClient, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_the_callers_request_id_comes_back(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Request-ID": "from-actions-123"})

    assert response.headers["X-Request-ID"] == "from-actions-123"


def test_without_a_usable_id_one_is_made(client: TestClient) -> None:
    first = client.get("/health", headers={"X-Request-ID": "bad id"}).headers["X-Request-ID"]
    second = client.get("/health").headers["X-Request-ID"]

    assert first != "bad id"
    assert len({first, second}) == 2


def test_requests_are_counted_by_route_template_method_and_status(client: TestClient) -> None:
    client.get("/api/v1/procedures/search", params={"q": "khai sinh"})
    client.get("/api/v1/procedures/search", params={"q": "hộ chiếu"})
    client.get(f"/api/v1/feedback/{CODE}", headers=SERVICE)
    client.get("/no/such/path")

    counted = samples(client, "tldvc_connectors_requests_total")

    search = (("method", "GET"), ("route", "/api/v1/procedures/search"), ("status", "200"))
    assert counted[search] == 2
    assert (("method", "GET"), ("route", "/no/such/path"), ("status", "404")) not in counted
    assert counted[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    feedback = (("method", "GET"), ("route", "/api/v1/feedback/{tracking_code}"))
    assert sum(v for k, v in counted.items() if k[:2] == feedback) == 1
    assert CODE not in client.get("/metrics").text  # no personal code in a label


def test_durations_are_observed_per_route(client: TestClient) -> None:
    client.get("/api/v1/procedures/search", params={"q": "khai sinh"})

    counts = samples(client, "tldvc_connectors_request_seconds_count")

    assert counts[(("route", "/api/v1/procedures/search"),)] == 1
