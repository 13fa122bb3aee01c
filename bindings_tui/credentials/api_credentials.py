"""The secret-bearing credentials object. Its repr and str never show the secret.

Region and edge are validated on construction (`__post_init__`), so every way of making
credentials (environment, flags through `dataclasses.replace`, profiles, the twilio-cli
import, the TUI) goes through `hosts.validate_location`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bindings_tui.credentials.secret import Secret, as_secret
from bindings_tui.errors import ConfigError, InputError
from bindings_tui.hosts import validate_location
from bindings_tui.sids import validate_sid

MAX_SECRET_CHARS = 4096


def auth_hint(source: str) -> str:
    """What a 401/403 adds: where the rejected credentials came from and how to check them."""
    where = {
        "env": "the environment (TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN or TWILIO_API_KEY)",
        "unknown": "the caller",
    }.get(source, source)
    return f"the credentials came from {where}; check them with `bindings-tui auth status`"


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """Account SID plus either an auth token or an API key SID + secret.

    `secret` is always a `Secret` (a str given here is wrapped at once). `source` says
    where the credentials came from (flag, env, profile NAME, demo), for `auth status`.
    """

    account_sid: str
    secret: Secret = field(repr=False)
    api_key_sid: str | None = None
    region: str | None = None
    edge: str | None = None
    source: str = "unknown"

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__ (the dataclass way).
        if not isinstance(self.secret, Secret | str):
            raise TypeError("ApiCredentials.secret must be a Secret or a str")
        object.__setattr__(self, "secret", as_secret(self.secret))
        object.__setattr__(self, "region", validate_location("region", self.region))
        object.__setattr__(self, "edge", validate_location("edge", self.edge))

    @property
    def username(self) -> str:
        """Basic-auth user: the API key SID when there is one, else the account SID."""
        return self.api_key_sid or self.account_sid

    def at_location(self, region: str | None, edge: str | None) -> ApiCredentials:
        """These credentials with --region/--edge given on the command line overriding
        their own (a None keeps theirs). The one place the override happens; `replace`
        runs `__post_init__`, so the values are validated again."""
        if not region and not edge:
            return self
        return replace(self, region=region or self.region, edge=edge or self.edge)

    def __repr__(self) -> str:
        return (
            f"ApiCredentials(account_sid={self.account_sid!r}, api_key_sid={self.api_key_sid!r}, "
            f"secret={self.secret.hint()!r}, region={self.region!r}, edge={self.edge!r}, "
            f"source={self.source!r})"
        )

    __str__ = __repr__


def secret_problem(secret: Secret) -> str | None:
    """What is wrong with a secret's shape, in words that never quote it (None: nothing)."""
    if not secret:
        return "is required"
    if len(secret) > MAX_SECRET_CHARS:
        return f"is longer than {MAX_SECRET_CHARS} characters"
    if secret.reveal() != secret.reveal().strip():
        return "starts or ends with whitespace"
    if not secret.reveal().isprintable():
        return "contains control characters"
    return None


def _env_location(env: Mapping[str, str], name: str, kind: str) -> str | None:
    value = env.get(name)
    try:
        return validate_location(kind, value)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def _env_secret(env: Mapping[str, str], name: str) -> Secret:
    value = env.get(name, "")
    if len(value) > MAX_SECRET_CHARS:
        raise InputError(f"{name} is longer than {MAX_SECRET_CHARS} characters")
    return Secret(value)


def credentials_from_env(env: Mapping[str, str] | None = None) -> ApiCredentials | None:
    """TWILIO_ACCOUNT_SID with TWILIO_API_KEY + TWILIO_API_SECRET, or with TWILIO_AUTH_TOKEN.

    Returns None when TWILIO_ACCOUNT_SID is unset; raises ConfigError when it is set
    but the rest is incomplete, InputError when a value is malformed (naming the variable).
    """
    env = os.environ if env is None else env
    account = env.get("TWILIO_ACCOUNT_SID", "").strip()
    if not account:
        return None
    account = validate_sid("AC", account)
    region = _env_location(env, "TWILIO_REGION", "region")
    edge = _env_location(env, "TWILIO_EDGE", "edge")
    api_key = env.get("TWILIO_API_KEY", "").strip()
    if api_key:
        api_secret = _env_secret(env, "TWILIO_API_SECRET")
        if not api_secret:
            raise ConfigError("TWILIO_API_KEY is set but TWILIO_API_SECRET is empty")
        return ApiCredentials(
            account, api_secret, validate_sid("SK", api_key), region, edge, source="env"
        )
    token = _env_secret(env, "TWILIO_AUTH_TOKEN")
    if not token:
        raise ConfigError(
            "TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor "
            "TWILIO_API_KEY + TWILIO_API_SECRET is"
        )
    return ApiCredentials(account, token, None, region, edge, source="env")
