"""What the deployment files in deploy/ say, and what the code reads, for the static checks of
tests/deploy (no Docker daemon or cluster runs here)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from actions.settings import ActionSettings
from connectors.settings import Settings
from scripts.stack import ROOT

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
# the services of compose.yml built from our images, with the code each one runs
APP_SERVICES = {"connectors": "connectors", "migrate": "connectors", "actions": "actions"}
RASA_SERVICES = {"rasa": "rasa", "train": "rasa"}

# ${VAR} as Rasa expands it in endpoints.yml and credentials.yml
_RASA_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_UPPER_LITERAL = re.compile(r"""["']([A-Z][A-Z0-9_]{2,})["']""")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    data: dict[str, Any] = load(DEPLOY / "compose.yml")
    return data


def k8s_documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "rasa-values.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def rasa_values() -> dict[str, Any]:
    data: dict[str, Any] = load(K8S / "rasa-values.yaml")
    return data


# ----------------------------------------------------------------------------- what code reads


def rasa_file_variables() -> set[str]:
    """The variables endpoints.yml and credentials.yml need (Rasa refuses to start without);
    their values only: a comment may mention ${VAR}."""
    return {
        name
        for file in ("endpoints.yml", "credentials.yml")
        for value in _strings(load(ROOT / file))
        for name in _RASA_VAR.findall(value)
    }


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _literals(paths: Iterator[Path]) -> set[str]:
    return {name for p in paths for name in _UPPER_LITERAL.findall(p.read_text(encoding="utf-8"))}


def upstream_key_variables() -> set[str]:
    """Secrets the example upstream files name (``key_env``): the connectors read them."""
    found: set[str] = set()
    for path in (ROOT / "connectors" / "upstream" / "examples").glob("*.yml"):
        found |= set(re.findall(r"_env:\s*([A-Z0-9_]+)", path.read_text(encoding="utf-8")))
    return found


# set in the images (deploy/docker/*.Dockerfile) or read by Python, Rasa and TensorFlow themselves
RUNTIME_VARIABLES = {
    "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PATH", "HOME",
    "RASA_TELEMETRY_ENABLED", "TF_CPP_MIN_LOG_LEVEL", "SQLALCHEMY_SILENCE_UBER_WARNING",
    "SECRETS_DIR",  # deploy/docker/entrypoint.sh
}


def variables_read_by(code: str) -> set[str]:
    """Every environment variable the code of one image reads."""
    if code == "connectors":
        names = {name.upper() for name in Settings.model_fields}
        names |= upstream_key_variables() | {"STAFF_PASSWORD"}  # connectors/manage.py staff-add
    elif code == "actions":
        names = {name.upper() for name in ActionSettings.model_fields}
        names |= _literals(iter([ROOT / "actions" / "server.py"]))
    elif code == "rasa":
        names = rasa_file_variables() | _literals((ROOT / "bot").rglob("*.py"))
    else:
        raise ValueError(code)
    return names | RUNTIME_VARIABLES


# what each one cannot run in production without
REQUIRED = {
    "rasa": {"RASA_AUTH_TOKEN", "SESSION_SECRET", "RASA_PUBLIC_URL", "CONNECTORS_URL"},
    "actions": {
        "ACTION_SERVER_TOKEN", "CONNECTORS_SERVICE_TOKEN", "CONNECTORS_URL", "ACTIONS_HOST"
    },
    "connectors": {
        "ENVIRONMENT", "DATABASE_URL", "REDIS_URL", "CONNECTORS_SERVICE_TOKEN",
        "NOTIFY_TRIGGER_URL", "NOTIFY_TRIGGER_TOKEN", "RASA_PUBLIC_URL",
    },
    "migrate": {"ENVIRONMENT", "DATABASE_URL"},
}


def required(service: str) -> set[str]:
    return REQUIRED[service] | (rasa_file_variables() if service == "rasa" else set())


# ----------------------------------------------------------------------------- compose


def env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key] = value
    return values


def secret_targets(service: dict[str, Any]) -> dict[str, str]:
    """The variables a service's secrets become (entrypoint.sh) -> the secret they come from."""
    out: dict[str, str] = {}
    for entry in service.get("secrets", []):
        source = entry if isinstance(entry, str) else entry["source"]
        target = entry if isinstance(entry, str) else entry.get("target", source)
        out[target.upper()] = source
    return out


def compose_env(name: str) -> dict[str, str]:
    """The variables one compose service's containers get, secrets by name only."""
    service = compose()["services"][name]
    env = {k: str(v) for k, v in (service.get("environment") or {}).items()}
    for file in service.get("env_file", []):
        env.update(env_file(DEPLOY / file))
    env.update(dict.fromkeys(secret_targets(service), "<secret>"))
    return env


def command(service: dict[str, Any], dockerfile_cmd: list[str]) -> list[str]:
    cmd = service.get("command", dockerfile_cmd)
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def port_of(url: str) -> int:
    port = urlparse(url).port
    assert port is not None, url
    return port


# ----------------------------------------------------------------------------- Dockerfiles


def dockerfile(name: str) -> list[tuple[str, str]]:
    """(instruction, arguments) of deploy/docker/<name>.Dockerfile, continuation lines joined."""
    text = (DEPLOY / "docker" / f"{name}.Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            out.append((instruction.upper(), rest.strip()))
    return out


def final_stage(name: str) -> list[tuple[str, str]]:
    steps = dockerfile(name)
    last_from = max(i for i, (ins, _) in enumerate(steps) if ins == "FROM")
    return steps[last_from:]


def exec_form(arguments: str) -> list[str]:
    parsed = yaml.safe_load(arguments)
    assert isinstance(parsed, list), f"not in exec form: {arguments}"
    return [str(p) for p in parsed]
