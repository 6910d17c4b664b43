"""Connectors configuration, read from the environment (and an optional ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = Field(default="development", description="development | production")
    database_url: str = f"sqlite:///{ROOT / 'var' / 'portal.sqlite3'}"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # A prefix keeps several deployments (or the test suite) apart on one Redis.
    redis_key_prefix: str = "tldvc:"
    cache_ttl_seconds: int = 3600
    locality_file: Path = ROOT / "connectors" / "locality" / "demo.yml"
    lookup_rate_limit: int = Field(default=10, description="dossier lookups per client per window")
    lookup_rate_window_seconds: int = 60
    # where browsers reach Rasa's REST channel (the chat page calls it)
    rasa_public_url: str = "http://127.0.0.1:5005"
    national_catalogue_file: Path = ROOT / "connectors" / "seed" / "national" / "catalogue.jsonl.gz"
    demo_data: bool | None = Field(
        default=None,
        description="load the invented demo dossiers on `init` (default: on, except in production)",
    )

    @property
    def loads_demo_data(self) -> bool:
        if self.demo_data is not None:
            return self.demo_data
        return self.environment != "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
