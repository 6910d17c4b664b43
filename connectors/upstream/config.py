"""How to reach one upstream system of a province: read from the province's YAML file.

Secrets never sit in the file: it names the environment variables that hold them, so the same
file can be committed, reviewed and shared between staging and production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class AuthConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["none", "api_key", "oauth2_client_credentials"] = "none"
    # api_key: the header carrying the key, and the environment variable holding it
    header: str = "X-API-Key"
    key_env: str | None = None
    # oauth2_client_credentials: token endpoint (absolute, or relative to base_url)
    token_url: str | None = None
    client_id_env: str | None = None
    client_secret_env: str | None = None
    scope: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AuthConfig:
        # a half-written auth section would only fail at the first citizen's look-up
        if self.kind == "api_key" and not self.key_env:
            raise ValueError("auth.kind api_key needs auth.key_env (the variable holding the key)")
        if self.kind == "oauth2_client_credentials":
            missing = [
                name
                for name, value in (
                    ("token_url", self.token_url),
                    ("client_id_env", self.client_id_env),
                    ("client_secret_env", self.client_secret_env),
                )
                if not value
            ]
            if missing:
                needed = ", ".join(f"auth.{m}" for m in missing)
                raise ValueError(f"auth.kind oauth2_client_credentials needs {needed}")
        return self

    def env_names(self) -> list[str]:
        """The environment variables this auth reads (checked at start-up)."""
        if self.kind == "api_key":
            return [self.key_env] if self.key_env else []
        if self.kind == "oauth2_client_credentials":
            return [n for n in (self.client_id_env, self.client_secret_env) if n]
        return []


class ResilienceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(default=3.0, gt=0)  # per attempt (connect + read)
    retries: int = Field(default=1, ge=0)  # extra attempts, idempotent calls only
    backoff_seconds: float = Field(default=0.2, ge=0)  # before retry n: backoff * 2**(n-1) + jitter
    breaker_failures: int = Field(default=5, ge=1)  # consecutive failures that open the circuit
    breaker_reset_seconds: float = Field(default=30.0, gt=0)  # open -> half-open; one trial call


class UpstreamConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)  # "dossiers", "feedback": shown in /health and logs
    base_url: str = Field(min_length=1)
    auth: AuthConfig = AuthConfig()
    resilience: ResilienceConfig = ResilienceConfig()


class UpstreamFileError(ValueError):
    """A province file that cannot be read or does not hold what it must."""


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in a province file, or an error that names the file and the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UpstreamFileError(f"cannot read upstream file {path}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UpstreamFileError(f"upstream file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise UpstreamFileError(f"upstream file {path} must hold a mapping at the top level")
    return data
