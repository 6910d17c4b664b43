"""Action server configuration from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ActionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    connectors_url: str = "http://127.0.0.1:8000"
    # sent as X-Service-Token: the connectors' handoff, rating, feedback and look-up endpoints
    # answer only the action server
    connectors_service_token: str = ""
    # Citizens must get an answer (or a polite apology) within 3 seconds, whatever the portal does.
    connectors_timeout_seconds: float = 1.5
    # the whole answer, however many portal calls it takes; the apology comes after it
    answer_budget_seconds: float = 2.5
    # Shown in apologies before the locality could be read from the connectors.
    support_hotline: str | None = None


@lru_cache
def get_settings() -> ActionSettings:
    return ActionSettings()
