"""The run/train orchestrator: model fingerprint, Redis fallback, environment for each service."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import stack
from scripts.stack import (
    SECRETS,
    Config,
    MissingSecrets,
    Stack,
    all_secrets,
    fingerprint,
    free_port,
    load_dotenv,
    production_problems,
    redis_reachable,
)


def test_fingerprint_is_stable_and_follows_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nlu.yml").write_text("a")
    (tmp_path / "config.yml").write_text("pipeline: []")
    monkeypatch.setattr(stack, "ROOT", tmp_path)
    monkeypatch.setattr(stack, "MODEL_INPUTS", ("config.yml", "data"))

    first = fingerprint()
    assert fingerprint() == first
    (tmp_path / "data" / "nlu.yml").write_text("b")
    assert fingerprint() != first


def test_redis_down_means_in_memory_stores() -> None:
    config = Config(redis_url=f"redis://127.0.0.1:{free_port()}/0")

    running = Stack(config)

    assert redis_reachable(config.redis_url) is False
    assert running.endpoints() == "bot/endpoints.inmemory.yml"


@pytest.mark.redis
def test_redis_up_means_redis_stores() -> None:
    running = Stack(Config(redis_url="redis://127.0.0.1:6379/15"))

    assert running.endpoints() == "endpoints.yml"


def test_rasa_gets_redis_settings_it_accepts() -> None:
    running = Stack(Config(redis_url="redis://:s3cret@10.0.0.5:6380/3", redis_key_prefix="tl-dvc"))

    env = running._rasa_redis_env()

    assert env["REDIS_HOST"] == "10.0.0.5"
    assert env["REDIS_PORT"] == "6380"
    assert env["REDIS_DB"] == "3"
    assert env["REDIS_PASSWORD"] == "s3cret"
    assert env["RASA_TRACKER_KEY_PREFIX"].isalnum()  # Rasa refuses other prefixes


def test_dotenv_fills_only_what_the_environment_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nRASA_PORT=6006\nCONNECTORS_PORT=9000\nEMPTY=\n")
    monkeypatch.setenv("CONNECTORS_PORT", "8100")
    monkeypatch.delenv("RASA_PORT", raising=False)

    load_dotenv(env_file)

    config = Config()
    assert config.rasa_port == 6006
    assert config.connectors_port == 8100


STRONG = {name: f"{name.lower()}-" + "k" * 40 for name in SECRETS}
REDIS_WITH_PASSWORD = "redis://:a-long-redis-password@127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("change", "refused_because"),
    [
        ({}, []),
        ({"SESSION_SECRET": ""}, ["SESSION_SECRET is not set"]),
        ({"RASA_AUTH_TOKEN": "a"}, ["RASA_AUTH_TOKEN is shorter than 32 characters"]),
        (
            {"ACTION_SERVER_TOKEN": "s" * 40, "CONNECTORS_SERVICE_TOKEN": "s" * 40},
            ["two secrets have the same value"],
        ),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, ["REDIS_URL has no password"]),
        ({"REDIS_URL": ""}, ["REDIS_URL has no password"]),
        # the Zalo channel is optional, but all or nothing
        ({"ZALO_APP_ID": "1", "ZALO_OA_SECRET_KEY": "o", "ZALO_APP_SECRET_KEY": "a"}, []),
        (
            {"ZALO_APP_ID": "1"},
            ["Zalo is half configured: ZALO_OA_SECRET_KEY, ZALO_APP_SECRET_KEY not set"],
        ),
    ],
)
def test_production_refuses_missing_weak_or_shared_secrets_and_an_open_redis(
    change: dict[str, str], refused_because: list[str]
) -> None:
    environ = {**STRONG, "REDIS_URL": REDIS_WITH_PASSWORD, **change}

    problems = production_problems(environ)

    assert len(problems) == len(refused_because)
    for problem, reason in zip(problems, refused_because, strict=True):
        assert problem.startswith(reason)


def test_production_generates_no_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVIRONMENT", "Production")
    monkeypatch.setattr("scripts.stack.VAR", tmp_path)

    with pytest.raises(MissingSecrets, match="SESSION_SECRET is not set"):
        all_secrets()
    assert not (tmp_path / "secrets").exists()
