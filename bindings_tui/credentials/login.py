"""Headless login, shared by `bindings-tui auth login` and the TUI login screen.

1. `validate_login_fields` checks the shape of every field, no network;
2. `verify_and_save` checks the keyring can hold a secret, makes ONE real API call
   (list services, page size 1), and only after it succeeds stores the secret in the
   keyring and the profile in profiles.toml.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from typing import Final

import httpx

from bindings_tui.client import TwilioClient
from bindings_tui.credentials.api_credentials import ApiCredentials, secret_problem
from bindings_tui.credentials.profiles import (
    Profile,
    ProfileStore,
    profile_credentials,
    validate_api_name,
    validate_profile_name,
    validate_region,
)
from bindings_tui.credentials.secret import Secret, as_secret
from bindings_tui.credentials.secrets import KEYRING_SERVICE, KeyringUnavailable, SecretStore
from bindings_tui.errors import AuthError, BindingsError, InputError
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.sids import is_sid

WRONG_CREDENTIALS: Final = "the account SID or secret is wrong"
# A login answers quickly or says why: one retry at most, short backoff.
LOGIN_RETRY: Final = RetryPolicy(max_attempts=2, base_delay=0.25, max_delay=1.0)
LOGIN_TIMEOUT: Final = 15.0


class WrongCredentialsError(InputError):
    """Twilio answered 20003 (or 401/403) to the verification call."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one login field: `field` is profile, account_sid, api_key_sid,
    secret, region, edge or api."""

    field: str
    message: str


def validate_login_fields(
    account_sid: str,
    api_key_sid: str | None,
    secret: str | Secret,
    *,
    profile_name: str | None = None,
    region: str | None = None,
    edge: str | None = None,
    api: str | None = None,
) -> list[FieldError]:
    """Every problem with the login fields, in form order; empty when all are well-formed.

    No network. Messages never contain the secret.
    """
    errors: list[FieldError] = []
    if profile_name is not None:
        try:
            validate_profile_name(profile_name)
        except InputError as exc:
            errors.append(FieldError("profile", str(exc)))
    account = account_sid.strip()
    if not account:
        errors.append(FieldError("account_sid", "the account SID is required (AC...)"))
    elif not is_sid("AC", account):
        errors.append(FieldError("account_sid", "an account SID is AC followed by 32 hex digits"))
    key = (api_key_sid or "").strip()
    if key and not is_sid("SK", key):
        errors.append(FieldError("api_key_sid", "an API key SID is SK followed by 32 hex digits"))
    what = "API key secret" if key else "auth token"
    problem = secret_problem(as_secret(secret))
    if problem is not None:
        errors.append(FieldError("secret", f"the {what} {problem}"))
    for kind, value in (("region", region), ("edge", edge)):
        try:
            validate_region(kind, value)
        except InputError as exc:
            errors.append(FieldError(kind, str(exc)))
    if api is not None:
        try:
            validate_api_name(api)
        except InputError as exc:
            errors.append(FieldError("api", str(exc)))
    return errors


def build_profile(
    name: str,
    account_sid: str,
    api_key_sid: str | None = None,
    *,
    region: str | None = None,
    edge: str | None = None,
    api: str = "conversations",
    last_service_sid: str | None = None,
) -> Profile:
    """A validated Profile from form/flag values (auth mode follows from the API key)."""
    key = (api_key_sid or "").strip() or None
    return Profile(
        name=name,
        account_sid=account_sid.strip(),
        auth_mode="api-key" if key else "auth-token",
        api_key_sid=key,
        region=region,
        edge=edge,
        default_api=validate_api_name(api),
        last_service_sid=last_service_sid,
    ).validated()


async def verify_credentials(
    credentials: ApiCredentials,
    api: ApiFlavor = ApiFlavor.CONVERSATIONS,
    *,
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    timeout: float | None = None,
) -> None:
    """ONE real API call (list services, page size 1). Raises WrongCredentialsError on 20003."""
    async with TwilioClient(
        credentials,
        api,
        base_url=base_url,
        transport=transport,
        retry=LOGIN_RETRY if retry is None else retry,
        timeout=LOGIN_TIMEOUT if timeout is None else timeout,
    ) as client:
        pages = client.iter_service_pages(page_size=1)
        try:
            await anext(pages, None)
        except AuthError as exc:
            code = f"Twilio error {exc.code}" if exc.code is not None else f"HTTP {exc.status}"
            raise WrongCredentialsError(f"{WRONG_CREDENTIALS} ({code})") from None
        finally:
            aclose = getattr(pages, "aclose", None)
            if aclose is not None:
                await aclose()


@dataclass(frozen=True, slots=True)
class LoginResult:
    profile: Profile
    backend: str
    active: bool

    def describe(self) -> str:
        who = f"API key {self.profile.api_key_sid}" if self.profile.api_key_sid else "auth token"
        text = (
            f"logged in as profile {self.profile.name!r} (account {self.profile.account_sid}, "
            f"{who}); the secret is in the OS keyring ({self.backend}, service "
            f"{KEYRING_SERVICE!r})"
        )
        if self.active:
            text += f"; {self.profile.name!r} is now the active profile"
        return text


async def verify_and_save(
    profile: Profile,
    secret: str | Secret,
    *,
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    store: ProfileStore | None = None,
    secrets: SecretStore | None = None,
    make_active: bool = True,
    retry: RetryPolicy | None = None,
    timeout: float | None = None,
) -> LoginResult:
    """Validate, check the keyring, verify with one API call, then save secret and profile.

    Nothing is saved unless every step succeeds. Raises InputError for malformed fields,
    KeyringUnavailable when no keyring can hold the secret (checked before any network
    call), WrongCredentialsError on 20003, and the client's errors for anything else.
    """
    secret = as_secret(secret)
    problems = validate_login_fields(
        profile.account_sid,
        profile.api_key_sid,
        secret,
        profile_name=profile.name,
        region=profile.region,
        edge=profile.edge,
        api=profile.default_api,
    )
    if problems:
        raise InputError("; ".join(p.message for p in problems))
    clean = profile.validated()
    store = ProfileStore() if store is None else store
    secrets = SecretStore() if secrets is None else secrets

    await asyncio.to_thread(secrets.check)
    existing = store.find(clean.name)
    if existing is not None:
        # A new login never drops a profile's guard (read-only, label, colour).
        clean = replace(
            clean, read_only=existing.read_only, label=existing.label, color=existing.color
        )
    if existing is not None and existing.account_sid == clean.account_sid:
        # Keep the remembered service when re-logging into the same account.
        clean = replace(
            clean,
            last_service_sid=clean.last_service_sid or existing.last_service_sid,
        )
    credentials = profile_credentials(clean, secret, f"login {clean.name}")
    await verify_credentials(
        credentials,
        ApiFlavor.parse(clean.default_api),
        base_url=base_url,
        transport=transport,
        retry=retry,
        timeout=timeout,
    )
    backend = await asyncio.to_thread(secrets.set, clean.name, secret)
    try:
        saved = store.save(clean, make_active=make_active)
    except BindingsError:
        if existing is None:
            with contextlib.suppress(KeyringUnavailable):
                await asyncio.to_thread(secrets.delete, clean.name)
        raise
    active = store.active_name() == saved.name
    return LoginResult(saved, backend, active)


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """One row of `auth list` / the TUI profile switcher. Never holds the secret."""

    profile: Profile
    active: bool
    secret_location: str
    secret_present: bool | None  # None: the keyring could not be asked


def summarize_profiles(
    store: ProfileStore | None = None, secrets: SecretStore | None = None
) -> list[ProfileSummary]:
    """Every profile, whether it is active, and where its secret lives."""
    store = ProfileStore() if store is None else store
    secrets = SecretStore() if secrets is None else secrets
    active = store.active_name()
    rows: list[ProfileSummary] = []
    keyring_error: str | None = None
    backend = ""
    for profile in store.list():
        present: bool | None = None
        if keyring_error is None:
            try:
                backend = backend or secrets.check()
                present = secrets.get(profile.name) is not None
            except KeyringUnavailable as exc:
                keyring_error = exc.reason
        if present is None:
            where = f"keyring unavailable ({keyring_error})"
        elif present:
            where = f"OS keyring ({backend}, service {secrets.service!r}, user {profile.name!r})"
        else:
            where = "missing from the OS keyring: log in again"
        rows.append(ProfileSummary(profile, profile.name == active, where, present))
    return rows


def remove_profile(
    name: str, store: ProfileStore | None = None, secrets: SecretStore | None = None
) -> bool:
    """Delete the keyring secret, then the profile. True when a secret was deleted.

    When the keyring is unavailable, nothing is removed (KeyringUnavailable), so no
    secret is left orphaned in a keyring that comes back later.
    """
    store = ProfileStore() if store is None else store
    secrets = SecretStore() if secrets is None else secrets
    store.get(name)
    deleted = secrets.delete(name)
    store.remove(name)
    return deleted


def switch_profile(name: str, store: ProfileStore | None = None) -> Profile:
    """Make `name` the active profile (the TUI's profile switcher and `auth use`)."""
    store = ProfileStore() if store is None else store
    return store.set_active(name)


__all__ = [
    "WRONG_CREDENTIALS",
    "FieldError",
    "LoginResult",
    "ProfileSummary",
    "WrongCredentialsError",
    "build_profile",
    "profile_credentials",
    "remove_profile",
    "summarize_profiles",
    "switch_profile",
    "validate_login_fields",
    "verify_and_save",
    "verify_credentials",
]
