"""Credentials: what the client authenticates with, and where it came from."""

from bindings_tui.credentials.api_credentials import ApiCredentials, credentials_from_env

__all__ = ["ApiCredentials", "credentials_from_env"]
