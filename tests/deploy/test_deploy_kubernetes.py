"""deploy/kubernetes against the code: plain manifests for the action servers, connectors and the
migration job, and the values for Rasa's Helm chart (charts/rasa 1.17.8), read without a cluster."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.stack import ROOT
from tests.deploy.manifests import (
    K8S,
    k8s_documents,
    load,
    option,
    port_of,
    rasa_values,
    required,
    variables_read_by,
)

DOCS = k8s_documents()
VALUES = rasa_values()
# what deploy/make-secrets.sh writes, i.e. the keys of `kubectl create secret ... --from-file`
SECRET_KEYS = {
    "rasa_auth_token", "action_server_token", "connectors_service_token", "session_secret",
    "redis_password", "postgres_password", "database_url", "redis_url",
}
# the chart's own SQL tracker-store defaults, which must not reach our Redis tracker store
CHART_SQL_DEFAULTS = {"dialect", "username", "login_db"}


def find(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in DOCS if d["kind"] == kind and d["metadata"]["name"] == name)


def container(kind: str, name: str) -> dict[str, Any]:
    spec = find(kind, name)["spec"]["template"]["spec"]
    (only,) = spec["containers"]
    result: dict[str, Any] = only
    return result


def env_names(entries: list[dict[str, Any]]) -> set[str]:
    return {e["name"] for e in entries}


def env_value(entries: list[dict[str, Any]], name: str) -> str:
    return str(next(e["value"] for e in entries if e["name"] == name))


WORKLOADS = {
    ("Deployment", "tldvc-connectors"): "connectors",
    ("Deployment", "tldvc-actions"): "actions",
    ("Job", "tldvc-migrate"): "migrate",
}


def test_each_stateless_service_has_a_deployment_a_service_and_an_autoscaler() -> None:
    for name in ("tldvc-connectors", "tldvc-actions"):
        assert find("Deployment", name)["spec"]["replicas"] >= 2
        assert find("Service", name)["spec"]["selector"] == (
            find("Deployment", name)["spec"]["selector"]["matchLabels"]
        )
        hpa = find("HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"]["name"] == name
    assert VALUES["autoscaling"]["enabled"] and VALUES["autoscaling"]["minReplicas"] >= 2


@pytest.mark.parametrize(("kind", "name"), list(WORKLOADS))
def test_every_variable_a_pod_gets_is_one_its_code_reads(kind: str, name: str) -> None:
    code = "connectors" if name == "tldvc-migrate" else WORKLOADS[(kind, name)]
    env = env_names(container(kind, name)["env"])

    assert env - variables_read_by(code) == set()


def test_every_variable_a_rasa_pod_gets_is_one_rasa_reads() -> None:
    assert env_names(VALUES["extraEnv"]) - variables_read_by("rasa") == set()


@pytest.mark.parametrize(("kind", "name"), list(WORKLOADS))
def test_every_setting_a_pod_needs_is_given(kind: str, name: str) -> None:
    assert required(WORKLOADS[(kind, name)]) - env_names(container(kind, name)["env"]) == set()


def test_every_setting_a_rasa_pod_needs_is_given() -> None:
    assert required("rasa") - env_names(VALUES["extraEnv"]) == set()


def all_env() -> list[dict[str, Any]]:
    rasa: list[dict[str, Any]] = VALUES["extraEnv"]
    return [e for key in WORKLOADS for e in container(*key)["env"]] + rasa


def test_secrets_and_settings_come_from_the_secret_and_configmap_that_exist() -> None:
    config = find("ConfigMap", "tldvc-config")["data"]
    for entry in all_env():
        source = entry.get("valueFrom", {})
        if "secretKeyRef" in source:
            assert source["secretKeyRef"]["name"] == "tldvc-secrets"
            assert source["secretKeyRef"]["key"] in SECRET_KEYS
        elif "configMapKeyRef" in source:
            assert source["configMapKeyRef"]["name"] == "tldvc-config"
            assert source["configMapKeyRef"]["key"] in config
        else:
            # a plain value is never a secret
            assert not entry["name"].endswith(("_TOKEN", "_SECRET", "_PASSWORD")), entry
            assert entry["name"] not in ("DATABASE_URL", "REDIS_URL"), entry


def test_ports_agree_with_the_code_and_the_services() -> None:
    connectors = container("Deployment", "tldvc-connectors")
    actions = container("Deployment", "tldvc-actions")
    rasa_env = VALUES["extraEnv"]

    assert int(option(connectors["command"], "--port")) == connectors["ports"][0][
        "containerPort"] == 8000
    assert int(option(actions["command"], "--port")) == actions["ports"][0]["containerPort"] == 5055
    assert int(option(VALUES["args"], "--port")) == VALUES["applicationSettings"]["port"] == (
        VALUES["service"]["port"]) == 5005
    services = {
        d["metadata"]["name"]: d["spec"]["ports"][0]["port"] for d in DOCS if d["kind"] == "Service"
    }
    services[VALUES["fullnameOverride"]] = VALUES["service"]["port"]
    urls = [
        env_value(rasa_env, "ACTION_ENDPOINT_URL"),
        env_value(rasa_env, "CONNECTORS_URL"),
        env_value(actions["env"], "CONNECTORS_URL"),
        env_value(connectors["env"], "NOTIFY_TRIGGER_URL"),
    ]
    for url in urls:
        host = url.split("//")[1].split(":")[0]
        assert services[host] == port_of(url), url


def test_the_ingress_routes_to_services_that_exist_on_their_ports() -> None:
    services = {
        d["metadata"]["name"]: d["spec"]["ports"][0]["port"] for d in DOCS if d["kind"] == "Service"
    }
    services[VALUES["fullnameOverride"]] = VALUES["service"]["port"]
    paths = find("Ingress", "tldvc")["spec"]["rules"][0]["http"]["paths"]
    routes = {p["path"]: p["backend"]["service"] for p in paths}

    assert {path: s["name"] for path, s in routes.items()} == {
        "/chat/": "tldvc-rasa", "/socket.io/": "tldvc-rasa", "/webhooks/": "tldvc-rasa",
        "/api/v1/": "tldvc-connectors",
    }
    assert all(services[s["name"]] == s["port"]["number"] for s in routes.values())


def test_the_migration_job_runs_manage_init_once() -> None:
    job = find("Job", "tldvc-migrate")

    assert container("Job", "tldvc-migrate")["command"] == [
        "python", "-m", "connectors.manage", "init"
    ]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


@pytest.mark.parametrize(("kind", "name"), list(WORKLOADS))
def test_pods_run_as_a_non_root_user(kind: str, name: str) -> None:
    pod = find(kind, name)["spec"]["template"]["spec"]["securityContext"]

    assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0
    assert VALUES["podSecurityContext"]["runAsNonRoot"] is True


# ----------------------------------------------------------------------------- Rasa's chart


def test_the_chart_renders_the_repositorys_endpoints() -> None:
    """The chart writes /app/endpoints.yml from these values (templates/config-map.yaml: every
    key but `enabled`; a null deletes one of its defaults)."""
    endpoints = load(ROOT / "endpoints.yml")
    settings = VALUES["applicationSettings"]["endpoints"]

    def rendered(store: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in store.items() if k != "enabled" and v is not None}

    assert settings["trackerStore"]["enabled"] and settings["lockStore"]["enabled"]
    assert rendered(settings["trackerStore"]) == endpoints["tracker_store"]
    assert rendered(settings["lockStore"]) == endpoints["lock_store"]
    tracker_nulls = {k for k, v in settings["trackerStore"].items() if v is None}
    assert tracker_nulls == CHART_SQL_DEFAULTS
    assert settings["additionalEndpoints"] == {"action_endpoint": endpoints["action_endpoint"]}
    # the chart's own action endpoint (no token) is off
    assert not VALUES["rasa-action-server"]["install"]


def test_the_chart_renders_the_repositorys_channels() -> None:
    credentials = VALUES["applicationSettings"]["credentials"]

    assert credentials["enabled"]
    assert credentials["additionalChannelCredentials"] == load(ROOT / "credentials.yml")


def test_the_chart_starts_bot_serve_with_the_model_of_the_image() -> None:
    assert VALUES["command"][-3:] == ["python", "-m", "bot.serve"]
    assert "--auth-token" not in VALUES["args"]  # the chart's default args pass it
    assert option(VALUES["args"], "--model") == "models"
    assert "--enable-api" in VALUES["args"]
    settings = VALUES["applicationSettings"]
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False
    assert settings["telemetry"]["enabled"] is False  # no machine here reaches the internet


def test_the_chart_brings_no_database_or_broker_of_its_own() -> None:
    for dependency in ("postgresql", "redis", "rabbitmq", "duckling"):
        assert VALUES[dependency]["install"] is False
    assert VALUES["nginx"]["enabled"] is False  # ingress.yaml is the front


def test_every_manifest_parses() -> None:
    assert {p.name for p in K8S.glob("*.yaml")} == {
        "rasa-values.yaml", "config.yaml", "connectors.yaml", "actions.yaml",
        "migrate-job.yaml", "ingress.yaml",
    }
    assert all("apiVersion" in d and "kind" in d for d in DOCS)
