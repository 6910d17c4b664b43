"""deploy/make-secrets.sh makes secrets production accepts, and deploy/docker/entrypoint.sh turns
the secret files each container gets into the variables its code reads."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from scripts.stack import SECRETS, production_problems
from tests.deploy.manifests import DEPLOY, compose, compose_env, secret_targets

ENTRYPOINT = DEPLOY / "docker" / "entrypoint.sh"


def make_secrets(directory: Path) -> dict[str, str]:
    subprocess.run(
        ["sh", str(DEPLOY / "make-secrets.sh"), str(directory)],
        check=True, capture_output=True, timeout=30,
    )
    return {p.name: p.read_text() for p in directory.iterdir()}


def in_container(service: str, files: dict[str, str]) -> dict[str, str]:
    """The variables a compose service's process sees: its environment plus its secrets."""
    env = {k: v for k, v in compose_env(service).items() if v != "<secret>"}
    for variable, source in secret_targets(compose()["services"][service]).items():
        env[variable] = files[source]
    return env


def test_every_secret_compose_names_is_made(tmp_path: Path) -> None:
    files = make_secrets(tmp_path)

    assert set(compose()["secrets"]) == set(files)
    assert all((tmp_path / name).stat().st_mode & 0o077 == 0 for name in files)  # 0600


def test_the_services_together_pass_the_production_check(tmp_path: Path) -> None:
    files = make_secrets(tmp_path)
    env = {
        **in_container("rasa", files),
        **in_container("actions", files),
        **in_container("connectors", files),
    }

    assert set(SECRETS) <= set(env)
    assert production_problems(env) == []


def test_the_urls_carry_the_passwords_the_servers_are_given(tmp_path: Path) -> None:
    files = make_secrets(tmp_path)
    redis_url, database_url = urlparse(files["redis_url"]), urlparse(files["database_url"])
    rasa = in_container("rasa", files)

    assert redis_url.password == files["redis_password"] == rasa["REDIS_PASSWORD"]
    assert database_url.password == files["postgres_password"]
    # Rasa's tracker and lock stores and the connectors' cache: one Redis, one database
    assert (redis_url.hostname, str(redis_url.port), redis_url.path.lstrip("/")) == (
        rasa["REDIS_HOST"], rasa["REDIS_PORT"], rasa["REDIS_DB"]
    )
    postgres = compose()["services"]["postgres"]["environment"]
    assert database_url.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert database_url.username == postgres["POSTGRES_USER"]


def test_the_notifier_uses_rasas_own_api_token(tmp_path: Path) -> None:
    files = make_secrets(tmp_path)

    assert in_container("connectors", files)["NOTIFY_TRIGGER_TOKEN"] == (
        in_container("rasa", files)["RASA_AUTH_TOKEN"]
    )


def test_a_second_run_keeps_the_secrets(tmp_path: Path) -> None:
    first = make_secrets(tmp_path)

    assert make_secrets(tmp_path) == first


def run_entrypoint(secrets_dir: Path, **env: str) -> dict[str, str]:
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "env", "-0"],
        env={"PATH": os.environ["PATH"], "SECRETS_DIR": str(secrets_dir), **env},
        check=True, capture_output=True, timeout=10,
    )
    pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if "=" in item)
    return dict(pairs)


def test_the_entrypoint_turns_secret_files_into_variables(tmp_path: Path) -> None:
    (tmp_path / "rasa_auth_token").write_text("tok$en with 'quotes'")
    (tmp_path / "notify_trigger_token").write_text("second")
    (tmp_path / "README.md").write_text("not a variable")

    env = run_entrypoint(tmp_path)

    assert env["RASA_AUTH_TOKEN"] == "tok$en with 'quotes'"
    assert env["NOTIFY_TRIGGER_TOKEN"] == "second"
    assert not any(value == "not a variable" for value in env.values())


def test_a_variable_already_set_wins_over_the_file(tmp_path: Path) -> None:
    (tmp_path / "session_secret").write_text("from the file")

    assert run_entrypoint(tmp_path, SESSION_SECRET="from kubernetes")["SESSION_SECRET"] == (
        "from kubernetes"
    )


def test_without_secret_files_the_command_runs_as_is(tmp_path: Path) -> None:
    env = run_entrypoint(tmp_path / "absent")

    assert "RASA_AUTH_TOKEN" not in env
