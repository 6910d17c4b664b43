"""What the Zalo OA channel needs from the environment, read when Rasa builds the channel.

A province without Zalo sets none of it: the channel then answers its webhook with 503 and says
once in the log which variables are missing; the other channels are not affected.

- ZALO_APP_ID, ZALO_OA_SECRET_KEY (checks the webhook's signature), ZALO_APP_SECRET_KEY (asks the
  token endpoint for new tokens): all three are needed.
- ZALO_REFRESH_TOKEN (and optionally ZALO_ACCESS_TOKEN): the FIRST pair only. Zalo's refresh token
  is single-use: every refresh returns a new pair, which the token store keeps (Redis, or
  ZALO_TOKEN_FILE). Setting a different ZALO_REFRESH_TOKEN later starts the chain again from it.
- ZALO_API_URL, ZALO_OAUTH_URL: Zalo's servers by default; tests point them at a fake.
- REDIS_HOST/PORT/DB/PASSWORD (what endpoints.yml uses) and REDIS_KEY_PREFIX: where duplicate
  checks and tokens are shared between Rasa processes.
- ZALO_CONCURRENCY: Zalo conversations one Rasa process works on at once (8).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_API_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
DEFAULT_TOKEN_FILE = Path("var/zalo/tokens.json")
DEFAULT_KEY_PREFIX = "tldvc:"
# conversations a Rasa process works on at once for Zalo (bot/channels/zalo.py says why)
DEFAULT_CONCURRENCY = 8
REQUIRED = ("ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET_KEY")


@dataclass(frozen=True)
class RedisSettings:
    host: str
    port: int
    db: int
    password: str | None


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str
    oa_secret_key: str
    app_secret_key: str
    refresh_token: str
    access_token: str
    api_url: str = DEFAULT_API_URL
    oauth_url: str = DEFAULT_OAUTH_URL
    token_file: Path = DEFAULT_TOKEN_FILE
    redis: RedisSettings | None = None
    key_prefix: str = DEFAULT_KEY_PREFIX
    concurrency: int = DEFAULT_CONCURRENCY

    @property
    def missing(self) -> list[str]:
        values = {
            "ZALO_APP_ID": self.app_id,
            "ZALO_OA_SECRET_KEY": self.oa_secret_key,
            "ZALO_APP_SECRET_KEY": self.app_secret_key,
        }
        return [name for name in REQUIRED if not values[name]]

    @property
    def configured(self) -> bool:
        return not self.missing

    @property
    def seed(self) -> str:
        """Names the first pair from the environment without holding it: a stored pair that grew
        from another seed is replaced when the operator sets a new ZALO_REFRESH_TOKEN."""
        if not self.refresh_token and not self.access_token:
            return ""
        raw = f"{self.refresh_token}\n{self.access_token}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def key(self, *parts: str) -> str:
        """A Redis key of this OA: ``<prefix>zalo:<app id>:<parts>``."""
        return ":".join([f"{self.key_prefix}zalo", self.app_id, *parts])


def redis_settings(environ: Mapping[str, str]) -> RedisSettings | None:
    host = environ.get("REDIS_HOST", "").strip()
    if not host:
        return None
    return RedisSettings(
        host=host,
        port=_int(environ.get("REDIS_PORT"), 6379),
        db=_int(environ.get("REDIS_DB"), 0),
        password=environ.get("REDIS_PASSWORD") or None,
    )


def zalo_settings(environ: Mapping[str, str]) -> ZaloSettings:
    def value(name: str) -> str:
        return environ.get(name, "").strip()

    return ZaloSettings(
        app_id=value("ZALO_APP_ID"),
        oa_secret_key=value("ZALO_OA_SECRET_KEY"),
        app_secret_key=value("ZALO_APP_SECRET_KEY"),
        refresh_token=value("ZALO_REFRESH_TOKEN"),
        access_token=value("ZALO_ACCESS_TOKEN"),
        api_url=(value("ZALO_API_URL") or DEFAULT_API_URL).rstrip("/"),
        oauth_url=(value("ZALO_OAUTH_URL") or DEFAULT_OAUTH_URL).rstrip("/"),
        token_file=Path(value("ZALO_TOKEN_FILE") or DEFAULT_TOKEN_FILE),
        redis=redis_settings(environ),
        key_prefix=environ.get("REDIS_KEY_PREFIX") or DEFAULT_KEY_PREFIX,
        concurrency=max(1, _int(environ.get("ZALO_CONCURRENCY"), DEFAULT_CONCURRENCY)),
    )


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw and raw.strip() else default
    except ValueError:
        return default
