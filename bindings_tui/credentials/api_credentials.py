"""The secret-bearing credentials object. Its repr and str never show the secret."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from bindings_tui.errors import ConfigError
from bindings_tui.sids import validate_sid


def mask_secret(secret: str) -> str:
    """Show only the last 4 characters (and nothing of a short secret)."""
    if len(secret) < 12:
        return "****"
    return "…" + secret[-4:]


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """Account SID plus either an auth token or an API key SID + secret.

    `source` says where they came from (flag, env, profile NAME, demo), for `auth status`.
    """

    account_sid: str
    secret: str = field(repr=False)
    api_key_sid: str | None = None
    region: str | None = None
    edge: str | None = None
    source: str = "unknown"

    @property
    def username(self) -> str:
        """Basic-auth user: the API key SID when there is one, else the account SID."""
        return self.api_key_sid or self.account_sid

    @property
    def mode(self) -> str:
        return "api-key" if self.api_key_sid else "auth-token"

    def __repr__(self) -> str:
        return (
            f"ApiCredentials(account_sid={self.account_sid!r}, api_key_sid={self.api_key_sid!r}, "
            f"secret={mask_secret(self.secret)!r}, source={self.source!r})"
        )

    __str__ = __repr__


def credentials_from_env(env: Mapping[str, str] | None = None) -> ApiCredentials | None:
    """TWILIO_ACCOUNT_SID with TWILIO_API_KEY + TWILIO_API_SECRET, or with TWILIO_AUTH_TOKEN.

    Returns None when TWILIO_ACCOUNT_SID is unset; raises ConfigError when it is set
    but the rest is incomplete or malformed.
    """
    env = os.environ if env is None else env
    account = env.get("TWILIO_ACCOUNT_SID", "").strip()
    if not account:
        return None
    account = validate_sid("AC", account)
    region = env.get("TWILIO_REGION") or None
    edge = env.get("TWILIO_EDGE") or None
    api_key = env.get("TWILIO_API_KEY", "").strip()
    api_secret = env.get("TWILIO_API_SECRET", "")
    if api_key:
        if not api_secret:
            raise ConfigError("TWILIO_API_KEY is set but TWILIO_API_SECRET is empty")
        return ApiCredentials(
            account, api_secret, validate_sid("SK", api_key), region, edge, source="env"
        )
    token = env.get("TWILIO_AUTH_TOKEN", "")
    if not token:
        raise ConfigError(
            "TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor "
            "TWILIO_API_KEY + TWILIO_API_SECRET is"
        )
    return ApiCredentials(account, token, None, region, edge, source="env")
