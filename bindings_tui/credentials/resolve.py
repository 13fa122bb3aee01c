"""Which credentials a command uses: --profile, then environment, then the active profile.

The same order in the TUI and the CLI. When nothing is found, the CLI prints
`NO_CREDENTIALS_HELP` and the TUI shows its login screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from bindings_tui.credentials.api_credentials import ApiCredentials, credentials_from_env
from bindings_tui.credentials.profiles import Profile, ProfileStore, profile_credentials
from bindings_tui.errors import ConfigError

if TYPE_CHECKING:
    from bindings_tui.credentials.secrets import SecretStore

NO_CREDENTIALS_HELP: Final = (
    "no Twilio credentials found: log in with `bindings-tui auth login` (it asks for the "
    "account SID and the secret and keeps the secret in the OS keyring), pick a saved "
    "profile with --profile NAME or `bindings-tui auth use NAME`, or set TWILIO_ACCOUNT_SID "
    "with TWILIO_API_KEY + TWILIO_API_SECRET (or TWILIO_AUTH_TOKEN)"
)


def credentials_for_profile(
    profile: Profile, source: str, secrets: SecretStore | None = None
) -> ApiCredentials:
    """The profile's credentials with its secret from the keyring.

    Raises KeyringUnavailable (a ConfigError) when the keyring cannot be used, and
    ConfigError when the keyring has no secret for this profile.
    """
    if secrets is None:
        # Imported here: keyring (~60 ms) is only needed once a profile is used, not for
        # credentials from the environment.
        from bindings_tui.credentials.secrets import SecretStore

        secrets = SecretStore()
    secret = secrets.get(profile.name)
    if not secret:
        raise ConfigError(
            f"the OS keyring holds no secret for profile {profile.name!r}: log in again with "
            f"`bindings-tui auth login --profile {profile.name}`"
        )
    return profile_credentials(profile, secret, source)


def resolve_credentials(
    profile_name: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    store: ProfileStore | None = None,
    secrets: SecretStore | None = None,
) -> ApiCredentials | None:
    """The credentials to use, or None when there are none anywhere.

    1. `profile_name` (the --profile flag): that profile, or ConfigError if it is missing;
    2. the environment (TWILIO_ACCOUNT_SID + TWILIO_API_KEY/TWILIO_API_SECRET or
       TWILIO_AUTH_TOKEN; TWILIO_REGION, TWILIO_EDGE);
    3. the active profile with its keyring secret.

    The keyring is touched only when a profile is actually used.
    """
    store = ProfileStore() if store is None else store
    if profile_name:
        profile = store.get(profile_name)
        return credentials_for_profile(profile, f"flag (--profile {profile.name})", secrets)
    from_env = credentials_from_env(env)
    if from_env is not None:
        return from_env
    active = store.active()
    if active is None:
        return None
    return credentials_for_profile(active, f"profile {active.name}", secrets)
