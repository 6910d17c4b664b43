"""Connectors configuration, read from the environment (and an optional ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field(
        default="development", description="development | production (any case)"
    )
    database_url: str = f"sqlite:///{ROOT / 'var' / 'portal.sqlite3'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # A prefix keeps several deployments (or the test suite) apart on one Redis.
    redis_key_prefix: str = "tldvc:"
    cache_ttl_seconds: int = 3600
    locality_file: Path = ROOT / "connectors" / "locality" / "demo.yml"
    lookup_rate_limit: int = Field(default=10, description="dossier lookups per client per window")
    lookup_rate_window_seconds: int = 60
    # Failed look-ups of ONE dossier code, whoever asks (the client id above is the caller's
    # choice). The last 4 digits take 10,000 values: finding one takes 5,000 guesses on average
    # (the bot tries the CCCD's and the phone's: about 3,300). 10 failures within an hour lock the
    # code for an hour, right digits too: about 10 guesses an hour, so weeks of probing for one
    # code, while a citizen who mistypes the 3 times the chat allows (2 look-ups each with 4
    # digits) is never locked out.
    lookup_code_failure_limit: int = Field(default=10, ge=1)
    lookup_code_window_seconds: int = Field(default=3600, ge=1)
    lookup_code_lockout_seconds: int = Field(default=3600, ge=1)
    # Failed look-ups over ALL codes: an attacker who knows many codes tries 10 on each. 30 a
    # minute is several times the failures a province's citizens make at the busiest minute
    # (mistyped codes and digits), yet caps a brute force over the whole code space at 43,200
    # guesses a day: at 1 in 10,000 a guess (2 with both identifiers), at worst about 4 to 9
    # dossiers a day, against one every 0.7 s without it. When it trips every look-up answers 429
    # (otherwise a right guess would still show) for the rest of the minute, and a warning is
    # logged: the cost of a probe is a minute's wait for everyone, never a leak.
    lookup_global_failure_limit: int = Field(default=30, ge=1)
    lookup_global_window_seconds: int = Field(default=60, ge=1)
    # X-Service-Token on the endpoints only the action server calls; empty: they refuse everyone
    connectors_service_token: str = ""
    staff_session_hours: float = Field(default=8, gt=0, description="staff login lifetime")
    # Decree 13/2023: personal data kept no longer than needed. After this many days handoffs are
    # deleted, rating comments and feedback contact details erased (scores and complaints stay).
    retention_days: int = Field(default=90, ge=1, description="days personal data is kept")
    purge_interval_seconds: int = Field(default=3600, ge=60, description="how often to purge")
    # where browsers reach Rasa's REST channel (the chat page calls it)
    rasa_public_url: str = "http://127.0.0.1:5005"
    national_catalogue_file: Path = ROOT / "connectors" / "seed" / "national" / "catalogue.jsonl.gz"
    # A newer national catalogue (http(s) URL or file, .jsonl[.gz]) synced every N hours by the
    # running connectors, and `manage sync-catalogue`'s default (connectors/catalogue/README.md).
    catalogue_sync_url: str = ""
    catalogue_sync_interval_hours: float = Field(default=0, ge=0, description="0: never")
    # a sync withdrawing more than this share of the national records is refused (a cut file)
    catalogue_sync_max_withdrawn_share: float = Field(default=0.10, ge=0, le=1)
    catalogue_sync_timeout_seconds: float = Field(default=60, gt=0)
    catalogue_sync_max_mb: int = Field(default=64, ge=1, description="download size cap")
    # The staff console rewrites a curated procedure's entry in this folder when staff edit it
    # (connectors/admin/catalogue/seedfile.py), so the next `init` loads the edit rather than
    # undoing it; unset: console edits of curated procedures live in the database only.
    catalogue_seed_dir: Path | None = None
    demo_data: bool | None = Field(
        default=None,
        description="load the invented demo dossiers on `init` (default: on, except in production)",
    )
    # Where dossier statuses come from: "local" (the connectors' database: demo, small
    # deployments) or "upstream" (the province's one-stop-shop system, described in the file:
    # connectors/upstream/README.md). With "upstream" the local dossiers are never read.
    dossier_source: Literal["local", "upstream"] = "local"
    dossier_upstream_file: Path | None = None
    # an upstream answer is reused for this long without asking again (a citizen asking twice)
    dossier_cache_seconds: int = Field(default=60, ge=0)
    # and shown, with its time, for this long while the upstream is down
    dossier_stale_seconds: int = Field(default=86_400, ge=0)
    # keys the digests of dossier codes and identifiers in the cache; empty: the service token
    dossier_cache_secret: str = ""

    # The province's feedback system: complaints are forwarded there through an outbox when this
    # file is set (example: connectors/upstream/examples/feedback.yml); unset, they stay here.
    feedback_upstream_file: Path | None = None
    feedback_outbox_interval_seconds: float = Field(
        default=5, gt=0, description="how often unsent complaints are sent (again)"
    )
    feedback_sync_interval_seconds: float = Field(
        default=300, gt=0, description="how often forwarded complaints' status is read back"
    )

    # Dossier status notifications (connectors/notifications): the bot's URL that tells a
    # conversation its dossier changed, with {sender} (Rasa: .../conversations/{sender}/
    # trigger_intent?output_channel=zalo) and its token (RASA_AUTH_TOKEN). Unset: changes are
    # recorded and queued, nobody is told.
    notify_trigger_url: str = ""
    notify_trigger_token: str = ""
    notify_interval_seconds: float = Field(
        default=2, gt=0, description="how often the notifier looks for changes"
    )
    notify_lease_seconds: float = Field(
        default=60, gt=0, description="after this, a change a worker has not finished is retried"
    )
    # a bot that keeps failing: a delivery is tried again after a lease, then twice as long each
    # time (at most an hour), and given up (logged, counted in /health) after this many failures
    # or this long since the first
    notify_max_attempts: int = Field(default=10, ge=1)
    notify_give_up_hours: float = Field(default=24, gt=0)
    # with DOSSIER_SOURCE=upstream, how often the followed dossiers are read from the province's
    # system for status changes (one connectors instance a round)
    notify_poll_seconds: float = Field(
        default=300, gt=0, description="how often followed upstream dossiers are polled"
    )

    # Train and publish from the staff console (connectors/admin/training/README.md). The
    # connectors never import Rasa: they run these commands (the Rasa environment's) as
    # subprocesses, with {placeholders} filled in per build, and talk to Rasa over HTTP.
    # Rasa's HTTP API token and the action server's; empty: var/secrets/, as `make run` makes them
    rasa_auth_token: str = ""
    action_server_token: str = ""
    # the Rasa servers a published model goes to, comma-separated; empty: RASA_PUBLIC_URL
    training_rasa_urls: str = ""
    # the action server the temporary Rasa that scores a candidate talks to
    training_action_endpoint_url: str = "http://127.0.0.1:5055/webhook"
    training_data_dir: Path = ROOT / "data"
    training_domain_dir: Path = ROOT / "bot" / "domain"
    training_config_file: Path = ROOT / "config.yml"
    training_models_dir: Path = ROOT / "models"
    training_heldout_file: Path = ROOT / "tests" / "nlu" / "heldout.yml"
    # QA conversations replayed against a candidate (comma-separated paths; tags: empty = all)
    training_replay_paths: str = str(ROOT / "tests" / "conversations")
    training_replay_tags: str = ""
    training_rasa_bin: Path = ROOT / ".venv-rasa" / "bin"
    training_validate_command: str = (
        "{rasa} data validate --domain {domain} --data {data} --config {config} --max-history 5"
    )
    training_train_command: str = (
        "{rasa} train --config {config} --domain {domain} --data {data} --out {out} "
        "--fixed-model-name {name}"
    )
    training_serve_command: str = (
        "{rasa_python} -m bot.serve --model {model} --endpoints bot/endpoints.inmemory.yml "
        "--credentials credentials.yml --interface 127.0.0.1 --port {port} --enable-api"
    )
    training_replay_command: str = (
        "{app_python} -m qa run {paths} --url {url} --out {out} --no-progress --jobs 2 {tags}"
    )
    training_step_timeout_seconds: float = Field(default=3600, gt=0)

    @field_validator("dossier_upstream_file", "feedback_upstream_file", mode="before")
    @classmethod
    def _blank_file_is_none(cls, value: object) -> object:
        # `FEEDBACK_UPSTREAM_FILE=` in a .env means "not configured", not the current directory
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("environment", mode="before")
    @classmethod
    def _environment_in_any_case(cls, value: object) -> object:
        # "Production" must not quietly mean development (demo dossiers, generated secrets)
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def loads_demo_data(self) -> bool:
        if self.dossier_source == "upstream":  # the province's system is the only truth
            return False
        if self.demo_data is not None:
            return self.demo_data
        return self.environment != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
