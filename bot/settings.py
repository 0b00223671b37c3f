"""Configuration: one pydantic-settings model over the variables of DESIGN §3.1.

Nothing here runs at import time: `load_settings()` builds a `Settings` from the environment (and a
`.env` file), and turns any validation failure into a `ConfigError` whose message is one line naming
the variable and what is expected. Secrets are `SecretStr`, so they never show in `repr` or logs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.amazon.regions import ALL_REGIONS

__all__ = ["ConfigError", "EncryptionKey", "Settings", "load_settings", "parse_encryption_keys"]


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True, repr=False)
class EncryptionKey:
    """One `kid:key` entry of HILAL_ENCRYPTION_KEYS; the key bytes never appear in repr."""

    kid: str
    key: bytes

    def __repr__(self) -> str:
        return f"EncryptionKey(kid={self.kid!r}, key=**********)"


def parse_encryption_keys(raw: str) -> tuple[EncryptionKey, ...]:
    """Parse `kid:base64key[,kid:base64key…]`; each key must decode to 32 bytes (AES-256)."""
    keys: list[EncryptionKey] = []
    for position, entry in enumerate(part.strip() for part in raw.split(",") if part.strip()):
        kid, sep, encoded = entry.partition(":")
        if not sep or not kid or not encoded:
            raise ValueError(f"entry {position + 1} must look like kid:base64key")
        if not kid.replace("-", "").replace("_", "").isalnum() or len(kid) > 32:
            raise ValueError(f"entry {position + 1} has a key id that is not 1-32 letters, digits, - or _")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise ValueError(f"key {kid!r} is not valid base64") from None
        if len(key) != 32:
            raise ValueError(f"key {kid!r} must decode to 32 bytes, got {len(key)}")
        if any(k.kid == kid for k in keys):
            raise ValueError(f"key id {kid!r} appears twice")
        keys.append(EncryptionKey(kid=kid, key=key))
    return tuple(keys)


class Settings(BaseSettings):
    """Every setting Hilal reads; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    amazon_ads_client_id: str | None = None
    amazon_ads_client_secret: SecretStr | None = None
    hilal_amazon_na_auth_url: str | None = None
    hilal_amazon_na_token_url: str | None = None
    hilal_amazon_na_api_url: str | None = None
    hilal_amazon_eu_auth_url: str | None = None
    hilal_amazon_eu_token_url: str | None = None
    hilal_amazon_eu_api_url: str | None = None
    hilal_amazon_fe_auth_url: str | None = None
    hilal_amazon_fe_token_url: str | None = None
    hilal_amazon_fe_api_url: str | None = None
    hilal_amazon_revoke_url: str | None = None

    hilal_database_url: str = "sqlite:///./hilal.db"
    hilal_encryption_keys: SecretStr | None = None
    hilal_public_url: str = "http://127.0.0.1:3000"
    hilal_host: str = "127.0.0.1"
    hilal_port: int = Field(default=3000, ge=0, le=65535)
    hilal_sync_active_minutes: int = Field(default=60, ge=1, le=10080)
    hilal_sync_archived_minutes: int = Field(default=1440, ge=1, le=43200)
    hilal_initial_history_days: int = Field(default=30, ge=1, le=95)
    hilal_report_lookback_days: int = Field(default=14, ge=1, le=60)
    hilal_admin_user_ids: str = ""
    # Intraday budget pacing: minutes between two budget-usage polls of a region (Amazon refreshes ~15).
    hilal_pacing_minutes: int = Field(default=15, ge=1, le=1440)
    # A live edit raising a budget or bid by more than this factor needs a typed confirmation word.
    hilal_edit_confirm_factor: float = Field(default=2.0, gt=1.0, le=100.0)
    # `local`: one process runs the scheduler (APScheduler). `procrastinate`: `hilal run` processes defer
    # work and `hilal worker` processes run it, queued in PostgreSQL.
    hilal_queue: Literal["local", "procrastinate"] = "local"
    # In a cluster, a connection with several profiles and at least this many stored campaigns, ad groups
    # and keywords has its profiles synced by several workers at once (0: every such connection).
    hilal_sync_split_rows: int = Field(default=20_000, ge=0)
    # Simulations only: a file holding seconds to add to the wall clock, read on every `now()`, so several
    # processes share one controllable clock. Never set in production.
    hilal_clock_file: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"

    @field_validator(
        "slack_api_url",
        "hilal_public_url",
        "hilal_amazon_revoke_url",
        *(f"hilal_amazon_{r}_{k}_url" for r in ALL_REGIONS for k in ("auth", "token", "api")),
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("hilal_database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError("must be a sqlite:///PATH or postgresql://USER@HOST/DB URL")
        return value

    @model_validator(mode="after")
    def _queue_needs_postgres(self) -> Settings:
        if self.hilal_queue == "procrastinate" and not self.uses_postgres:
            raise ValueError(
                "HILAL_QUEUE=procrastinate needs PostgreSQL: set HILAL_DATABASE_URL=postgresql://USER@HOST/DB"
            )
        return self

    @field_validator("hilal_encryption_keys")
    @classmethod
    def _keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_encryption_keys(value.get_secret_value())
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @property
    def local_mode(self) -> bool:
        """No Slack credentials at all: run against the local stand-ins."""
        return not any((self.slack_bot_token, self.slack_app_token, self.slack_client_id))

    @property
    def uses_postgres(self) -> bool:
        return self.hilal_database_url.startswith("postgresql+psycopg://")

    @property
    def clustered(self) -> bool:
        """Work runs on `hilal worker` processes (Procrastinate), not in the app process."""
        return self.hilal_queue == "procrastinate"

    @property
    def encryption_keys(self) -> tuple[EncryptionKey, ...]:
        raw = self.hilal_encryption_keys
        return parse_encryption_keys(raw.get_secret_value()) if raw else ()

    @property
    def admin_user_ids(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.hilal_admin_user_ids.split(",") if u.strip())

    def amazon_overrides(self, region: str) -> Mapping[str, str | None]:
        """The per-region endpoint overrides (`auth_url`, `token_url`, `api_url`) for `region`."""
        return {k: getattr(self, f"hilal_amazon_{region}_{k}") for k in ("auth_url", "token_url", "api_url")}

    def require_production_secrets(self) -> None:
        """Refuse to start outside local mode without what a real deployment needs."""
        if self.local_mode:
            return
        if not self.encryption_keys:
            raise ConfigError(
                "HILAL_ENCRYPTION_KEYS is not set: generate one with `hilal keys generate` and set "
                "HILAL_ENCRYPTION_KEYS=kid:key"
            )
        if self.slack_bot_token and not self.slack_signing_secret and not self.slack_app_token:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information"
            )
        if self.slack_client_id and not self.slack_client_secret:
            raise ConfigError("SLACK_CLIENT_SECRET is not set: it is required with SLACK_CLIENT_ID")
        if not self.amazon_ads_client_id or not self.amazon_ads_client_secret:
            raise ConfigError(
                "AMAZON_ADS_CLIENT_ID and AMAZON_ADS_CLIENT_SECRET are required: use your Login with Amazon "
                "security profile"
            )


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not first["loc"]:  # a rule over several settings names them itself
        return message
    name = str(first["loc"][0]).upper()
    expected = {
        "int_parsing": "a whole number",
        "greater_than_equal": "a larger number",
        "less_than_equal": "a smaller number",
    }.get(str(first["type"]))
    return f"{name} {message}" + (f" (expected {expected})" if expected else "")


def load_settings(env: Mapping[str, str] | None = None, *, env_file: str | None = ".env") -> Settings:
    """Build settings from `env` (tests) or the process environment and `.env`.

    Raises:
        ConfigError: one line naming the variable and what is expected.
    """
    try:
        if env is not None:
            values: dict[str, Any] = {k.lower(): v for k, v in env.items() if v != ""}
            return Settings(_env_file=None, **values)
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None
