"""The Dockerfiles of deploy/docker, read without a Docker daemon: what they copy exists and is let
through their .dockerignore, they run as a non-root user with no secret inside, and the commands
they and the manifests start exist in the environments the images install."""

from __future__ import annotations

import importlib
import re
import subprocess

import pytest

from scripts.stack import APP_BIN, MODEL_INPUTS, RASA_BIN, ROOT
from tests.deploy.manifests import DEPLOY, dockerfile, exec_form, final_stage

IMAGES = ("rasa", "app")


def copied_sources(image: str) -> list[str]:
    """Sources of every COPY from the build context (not from another stage)."""
    sources: list[str] = []
    for instruction, arguments in dockerfile(image):
        if instruction == "COPY" and not arguments.startswith("--from"):
            sources += arguments.split()[:-1]
    return sources


def reincluded(image: str) -> list[str]:
    lines = (DEPLOY / "docker" / f"{image}.Dockerfile.dockerignore").read_text().splitlines()
    return [line[1:].rstrip("/") for line in lines if line.startswith("!")]


@pytest.mark.parametrize("image", IMAGES)
def test_everything_copied_exists_and_is_in_the_build_context(image: str) -> None:
    allowed = reincluded(image)
    for source in copied_sources(image):
        assert (ROOT / source).exists(), source
        assert any(source == a or source.startswith(a + "/") for a in allowed), source


@pytest.mark.parametrize("image", IMAGES)
def test_the_dockerignore_keeps_local_state_out(image: str) -> None:
    lines = (DEPLOY / "docker" / f"{image}.Dockerfile.dockerignore").read_text().splitlines()

    # everything excluded first, then only what is named let back in
    assert lines.index("**") < min(i for i, line in enumerate(lines) if line.startswith("!"))
    assert not {".env", "var/", "models/", ".venv-app/", ".venv-rasa/"} & {
        line.lstrip("!") for line in lines if line.startswith("!")
    }


@pytest.mark.parametrize("image", IMAGES)
def test_the_image_runs_as_a_non_root_user(image: str) -> None:
    users = [arguments for instruction, arguments in final_stage(image) if instruction == "USER"]

    assert users and users[-1].split(":")[0] not in ("root", "0")


@pytest.mark.parametrize("image", IMAGES)
def test_no_secret_is_baked_into_the_image(image: str) -> None:
    names = " ".join(a for i, a in dockerfile(image) if i in ("ENV", "ARG"))

    assert not re.search(r"TOKEN|SECRET|PASSWORD|DATABASE_URL|REDIS_URL|API_KEY", names)


def test_the_rasa_image_is_python_3_10_with_the_rasa_lock_file() -> None:
    steps = final_stage("rasa")
    install = " ".join(a for i, a in steps if i == "RUN")

    assert steps[0] == ("FROM", "python:3.10-slim-bookworm AS rasa")
    assert "uv pip sync" in install and "rasa.lock.txt" in install


def test_the_app_image_installs_the_app_lock_file() -> None:
    install = " ".join(a for i, a in final_stage("app") if i == "RUN")

    assert "uv pip sync" in install and "app.lock.txt" in install
    assert "rasa.lock.txt" not in install


# the folders each image runs, and the repository's own packages they may import
RUNS = {"rasa": ("bot",), "app": ("actions", "connectors")}
PACKAGES = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {"lexicon"}


def imported_packages(folders: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                match = re.match(r"\s*(?:from|import)\s+([a-z_]+)", line)
                if match and match.group(1) in PACKAGES:
                    found.add(match.group(1))
    return found


@pytest.mark.parametrize("image", IMAGES)
def test_every_package_of_ours_the_code_imports_is_in_the_image(image: str) -> None:
    copied = {source.split("/")[0] for source in copied_sources(image)}

    assert imported_packages(RUNS[image]) - copied == set()


def test_the_rasa_image_holds_every_input_of_the_models_fingerprint() -> None:
    """A model trained in the image (TRAIN_MODEL=true, or the compose train job) is trained on
    the same files `make train` fingerprints."""
    copied = set(copied_sources("rasa"))

    assert set(MODEL_INPUTS) <= copied


def test_the_rasa_image_serves_the_chat_page_with_its_socketio_client() -> None:
    steps = dockerfile("rasa")

    assert "web" in copied_sources("rasa")
    assert ("COPY", "--from=web /web/node_modules web/node_modules/") in steps


def module_exists(python: str, module: str) -> bool:
    check = f"import importlib.util, sys; sys.exit(not importlib.util.find_spec({module!r}))"
    found = subprocess.run(
        [python, "-c", check],
        cwd=ROOT, capture_output=True, timeout=120,
    )
    return found.returncode == 0


def test_the_rasa_command_exists_in_the_rasa_environment() -> None:
    cmd = next(exec_form(a) for i, a in final_stage("rasa") if i == "CMD")

    assert cmd[:3] == ["python", "-m", "bot.serve"]
    assert module_exists(str(RASA_BIN / "python"), "bot.serve")
    assert "--auth-token" not in cmd  # bot.serve refuses it: the token comes from RASA_AUTH_TOKEN


@pytest.mark.parametrize(
    "module", ["actions.server", "connectors.manage", "connectors.main", "uvicorn"]
)
def test_the_app_commands_exist_in_the_app_environment(module: str) -> None:
    assert module_exists(str(APP_BIN / "python"), module)


def test_the_connectors_factory_the_image_starts_exists() -> None:
    cmd = next(exec_form(a) for i, a in final_stage("app") if i == "CMD")
    module, _, attribute = cmd[cmd.index("--factory") + 1].partition(":")

    assert callable(getattr(importlib.import_module(module), attribute))


def test_manage_has_the_init_command_the_migration_job_runs() -> None:
    result = subprocess.run(
        [str(APP_BIN / "python"), "-m", "connectors.manage", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0
    assert re.search(r"\binit\b", result.stdout)


def test_the_user_the_training_job_runs_as_owns_the_model_and_cache_folders() -> None:
    """`rasa train` writes the model to models/ and its cache to .rasa/ in the working directory:
    both must belong to the image's user (the compose `train` job runs as it), nothing else."""
    steps = final_stage("rasa")
    run = " ".join(a for i, a in steps if i == "RUN")
    uid = re.search(r"useradd --uid (\d+) [^&]*?--home-dir \S+ (\w+)", run)
    user = next(a for i, a in steps if i == "USER")

    assert uid is not None and user == f"{uid.group(1)}:{uid.group(1)}"
    assert f"chown -R {uid.group(2)}:{uid.group(2)} models .rasa" in run
