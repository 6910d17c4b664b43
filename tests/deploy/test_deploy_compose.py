"""deploy/compose.yml against the code: the variables each service gets are ones its code reads,
nothing it needs is missing, ports agree with the code's defaults, secrets are files, Rasa's Redis
keys are the ones the dev stack and `scripts.privacy forget` use."""

from __future__ import annotations

import pytest

from scripts.stack import Config, rasa_redis_env
from tests.deploy.manifests import (
    APP_SERVICES,
    DEPLOY,
    RASA_SERVICES,
    command,
    compose,
    compose_env,
    exec_form,
    final_stage,
    option,
    port_of,
    required,
    variables_read_by,
)

SERVICES = compose()["services"]
OURS = {**APP_SERVICES, **RASA_SERVICES}


@pytest.fixture
def defaults(monkeypatch: pytest.MonkeyPatch) -> Config:
    """The ports and prefixes `make run` uses when nothing is set."""
    for name in ("CONNECTORS_PORT", "ACTIONS_PORT", "RASA_PORT", "REDIS_KEY_PREFIX", "BIND_HOST"):
        monkeypatch.delenv(name, raising=False)
    return Config()


def cmd(name: str) -> list[str]:
    image = "rasa" if name in RASA_SERVICES else "app"
    dockerfile_cmd = next(exec_form(a) for i, a in final_stage(image) if i == "CMD")
    return command(SERVICES[name], dockerfile_cmd)


def test_every_part_of_a_production_deployment_is_there() -> None:
    assert set(SERVICES) == {
        "postgres", "redis", "migrate", "train", "connectors", "actions", "rasa", "nginx"
    }
    # several Rasa replicas; action servers and connectors scale too
    assert SERVICES["rasa"]["deploy"]["replicas"] >= 2
    assert SERVICES["actions"]["deploy"]["replicas"] >= 2
    assert SERVICES["connectors"]["deploy"]["replicas"] >= 2
    # every replica reads the one model volume; only the training job writes it
    assert "models:/app/models:ro" in SERVICES["rasa"]["volumes"]
    assert SERVICES["train"]["volumes"] == ["models:/app/models"]


@pytest.mark.parametrize("service", sorted(OURS))
def test_every_variable_a_service_gets_is_one_its_code_reads(service: str) -> None:
    unknown = set(compose_env(service)) - variables_read_by(OURS[service])

    assert unknown == set(), f"{service} gets variables its code never reads"


@pytest.mark.parametrize("service", ["rasa", "actions", "connectors", "migrate"])
def test_every_setting_a_service_needs_is_given(service: str) -> None:
    missing = required(service) - set(compose_env(service))

    assert missing == set()


def test_the_connectors_run_in_production_mode() -> None:
    for service in ("connectors", "migrate"):
        assert compose_env(service)["ENVIRONMENT"] == "production"


def test_ports_agree_with_the_code(defaults: Config) -> None:
    rasa, actions, connectors = cmd("rasa"), cmd("actions"), cmd("connectors")
    env = compose_env("rasa")

    assert int(option(rasa, "--port")) == defaults.rasa_port == 5005
    assert int(option(actions, "--port")) == defaults.actions_port == 5055
    assert int(option(connectors, "--port")) == defaults.connectors_port == 8000
    assert port_of(env["ACTION_ENDPOINT_URL"]) == defaults.actions_port
    assert port_of(env["CONNECTORS_URL"]) == defaults.connectors_port
    assert port_of(compose_env("actions")["CONNECTORS_URL"]) == defaults.connectors_port
    assert port_of(compose_env("connectors")["NOTIFY_TRIGGER_URL"]) == defaults.rasa_port


def test_services_listen_beyond_loopback_in_their_containers() -> None:
    assert option(cmd("rasa"), "--interface") == "0.0.0.0"
    assert option(cmd("connectors"), "--host") == "0.0.0.0"
    # the action server's own default is loopback (make run); a container needs the network
    assert compose_env("actions")["ACTIONS_HOST"] == "0.0.0.0"


@pytest.mark.parametrize(
    ("service", "path", "port"),
    [("rasa", "/", 5005), ("actions", "/health", 5055), ("connectors", "/health", 8000)],
)
def test_long_running_services_have_health_checks_on_their_own_port(
    service: str, path: str, port: int
) -> None:
    check = " ".join(SERVICES[service]["healthcheck"]["test"])

    assert f"http://127.0.0.1:{port}{path}'" in check


def test_migrations_run_once_before_the_connectors_start() -> None:
    assert cmd("migrate") == ["python", "-m", "connectors.manage", "init"]
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["connectors"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }


def test_rasa_trains_the_way_make_train_does() -> None:
    train = cmd("train")

    assert train[:2] == ["rasa", "train"]
    assert (option(train, "--config"), option(train, "--domain"), option(train, "--data")) == (
        "config.yml", "bot/domain", "data"
    )
    assert option(train, "--out") == "models" == option(cmd("rasa"), "--model")


def test_rasa_keeps_conversations_under_the_keys_the_privacy_command_erases() -> None:
    """`python -m scripts.privacy forget` (run with the connectors' REDIS_KEY_PREFIX) derives the
    tracker and lock keys as the dev stack does; the replicas must write exactly those."""
    prefix = compose_env("connectors")["REDIS_KEY_PREFIX"]
    expected = rasa_redis_env(Config(redis_key_prefix=prefix))
    rasa = compose_env("rasa")

    for name in ("RASA_TRACKER_KEY_PREFIX", "RASA_LOCK_KEY_PREFIX"):
        assert rasa[name] == expected[name]
    assert rasa["REDIS_KEY_PREFIX"] == prefix  # the Zalo tokens and repeats, like the connectors


def test_conversations_expire_after_the_retention_the_connectors_apply() -> None:
    days = int(compose_env("connectors")["RETENTION_DAYS"])

    assert int(compose_env("rasa")["TRACKER_RETENTION_SECONDS"]) == days * 86_400


# names of secrets (and URLs that hold a password) wherever they appear in the code
SECRET_ENDINGS = ("_TOKEN", "_SECRET", "_PASSWORD", "_SECRET_KEY", "_API_KEY")
PASSWORD_URLS = {"DATABASE_URL", "REDIS_URL"}


@pytest.mark.parametrize("service", sorted(OURS))
def test_secrets_come_from_secret_files_never_from_values(service: str) -> None:
    env = compose_env(service)
    secret_like = {k: v for k, v in env.items() if k.endswith(SECRET_ENDINGS) or k in PASSWORD_URLS}

    assert all(v == "<secret>" for v in secret_like.values()), secret_like
    assert all(  # nor passwords inside URLs
        "@" not in v for k, v in env.items() if k.endswith("_URL") and v != "<secret>"
    )


def test_secret_files_are_never_committed() -> None:
    declared = compose()["secrets"]

    assert all(s["file"].startswith("secrets/") for s in declared.values())
    assert (DEPLOY / "secrets" / ".gitignore").read_text().splitlines()[-2:] == ["*", "!.gitignore"]
