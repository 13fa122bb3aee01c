"""Resolution order: --profile, then environment, then the active profile."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from bindings_tui.credentials.profiles import Profile, ProfileStore
from bindings_tui.credentials.resolve import NO_CREDENTIALS_HELP, resolve_credentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KeyringUnavailable, SecretStore
from bindings_tui.errors import ConfigError

from .conftest import ACCOUNT, API_KEY, OTHER_ACCOUNT, SECRET, MemoryKeyring

ENV = {"TWILIO_ACCOUNT_SID": OTHER_ACCOUNT, "TWILIO_AUTH_TOKEN": "env-token-value"}


@pytest.fixture
def two_profiles(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> ProfileStore:
    store.save(Profile("main", ACCOUNT, "api-key", API_KEY, region="ie1", edge="dublin"))
    store.save(Profile("other", ACCOUNT))
    secrets.set("main", SECRET)
    secrets.set("other", "other-secret-value")
    return store


def test_nothing_configured_gives_none(memory_keyring: MemoryKeyring) -> None:
    assert resolve_credentials(None, {}) is None
    assert "bindings-tui auth login" in NO_CREDENTIALS_HELP
    assert "TWILIO_AUTH_TOKEN" in NO_CREDENTIALS_HELP


def test_flag_beats_env_and_active(two_profiles: ProfileStore) -> None:
    creds = resolve_credentials("other", ENV)
    assert creds is not None
    assert creds.source == "flag (--profile other)"
    assert creds.secret == Secret("other-secret-value")
    assert creds.api_key_sid is None


def test_env_beats_active_profile(two_profiles: ProfileStore) -> None:
    creds = resolve_credentials(None, ENV)
    assert creds is not None
    assert (creds.source, creds.account_sid) == ("env", OTHER_ACCOUNT)


def test_active_profile_is_last(two_profiles: ProfileStore) -> None:
    creds = resolve_credentials(None, {})
    assert creds is not None
    assert creds.source == "profile main"
    assert (creds.account_sid, creds.api_key_sid, creds.secret.reveal()) == (
        ACCOUNT,
        API_KEY,
        SECRET,
    )
    assert (creds.region, creds.edge) == ("ie1", "dublin")
    assert SECRET not in repr(creds) and SECRET not in str(creds)


def test_default_env_is_os_environ(
    two_profiles: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", OTHER_ACCOUNT)
    monkeypatch.setenv("TWILIO_API_KEY", API_KEY)
    monkeypatch.setenv("TWILIO_API_SECRET", "env-secret-value")
    creds = resolve_credentials()
    assert creds is not None and creds.source == "env" and creds.api_key_sid == API_KEY


def test_unknown_profile_flag_is_a_config_error(two_profiles: ProfileStore) -> None:
    with pytest.raises(ConfigError, match=r"no profile named 'nope'.*auth login --profile nope"):
        resolve_credentials("nope", ENV)


def test_profile_without_keyring_secret_says_log_in_again(
    two_profiles: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.entries.clear()
    with pytest.raises(ConfigError, match=r"no secret for profile 'main'.*auth login"):
        resolve_credentials(None, {})


def test_env_works_without_touching_an_unavailable_keyring(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    store.save(Profile("main", ACCOUNT))
    keyring.set_keyring(fail.Keyring())
    creds = resolve_credentials(None, ENV)
    assert creds is not None and creds.source == "env"
    with pytest.raises(KeyringUnavailable, match="TWILIO_"):
        resolve_credentials(None, {})
