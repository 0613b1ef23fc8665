"""One typed Settings class for the server and the operations commands, read through :func:`get_settings`.

Values come from the environment (prefix ``EVAC_``; e.g. ``EVAC_WORKSPACE``, ``EVAC_CORS_ORIGINS`` as a
JSON list) and from keyword arguments in tests. Signing keys are derived from the workspace key ring by
default; an explicit ``EVAC_SECRET_KEY`` must be a real secret (≥ 32 characters, not a well-known
placeholder) unless ``EVAC_ENVIRONMENT=development``. Nothing is built at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path  # noqa: TC003 -- pydantic reads the annotation at runtime
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDERS = {"changethis", "change-me", "changeme", "secret", "password", "evac", "default", "test"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVAC_", extra="ignore")

    environment: Literal["development", "production"] = "production"
    workspace: Path | None = None
    secret_key: SecretStr | None = None  # default: derived from the workspace key ring
    token_ttl_s: int = 12 * 3600  # API token lifetime, seconds (one shift)
    pass_ttl_h: float = 72.0  # boarding pass lifetime after issue, hours
    cors_origins: list[str] = []  # empty: no CORS (same-origin web UI only)
    login_max_failures: int = 5  # free failed logins per (user name, client address) before the backoff
    login_window_s: float = 300.0  # a throttle bucket is forgotten after this many quiet seconds
    login_address_max_failures: int = 30  # free failed logins per client address, over all user names
    login_backoff_s: float = 1.0  # first wait after the free attempts; doubles with each further failure
    login_backoff_max_s: float = 900.0  # longest wait between attempts
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "evac@localhost"
    smtp_to_domain: str = "sms.invalid"
    smtp_starttls: bool = False
    webhook_url: str | None = None
    webhook_token: SecretStr | None = None
    notify_max_attempts: int = 5
    max_page: int = 500  # largest page a list route returns
    enquiry_disclosure: Literal["status", "registered"] = "status"  # what the enquiry desk may tell a caller
    max_body_bytes: int = 1_048_576  # largest request body, refused (413) before authentication and reading
    max_import_bytes: int = 32 * 1_048_576  # largest CSV upload to the registry import route (signed-in callers)
    field_idle_min: float = 15.0  # the field page wipes its copy of personal data after this long idle, minutes

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "development":
            return self
        for name in ("secret_key", "webhook_token"):
            value: SecretStr | None = getattr(self, name)
            if value is None:
                continue
            raw = value.get_secret_value()
            if raw.lower() in _PLACEHOLDERS or (name == "secret_key" and len(raw) < 32):
                raise ValueError(f"EVAC_{name.upper()} is a placeholder or too short; set a real secret "
                                 "(or EVAC_ENVIRONMENT=development on a test machine)")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
