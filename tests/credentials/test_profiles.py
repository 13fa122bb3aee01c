"""profiles.toml: round trips, validation, atomic 0600 writes, the active profile."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bindings_tui.credentials.profiles import (
    Profile,
    ProfileStore,
    config_dir,
    render_profiles_toml,
    toml_string,
)
from bindings_tui.errors import ConfigError, InputError

from .conftest import ACCOUNT, API_KEY, SERVICE


def test_config_dir_honours_env_override(tmp_path: Path) -> None:
    assert config_dir({"BINDINGS_TUI_CONFIG_DIR": str(tmp_path / "x")}) == tmp_path / "x"
    assert config_dir({}).name == "bindings-tui"


def test_empty_store_has_no_profiles_and_no_file(store: ProfileStore) -> None:
    assert store.list() == []
    assert store.active() is None
    assert not store.path.exists()


def test_save_round_trips_every_field(store: ProfileStore) -> None:
    profile = Profile(
        name="work",
        account_sid=ACCOUNT,
        auth_mode="api-key",
        api_key_sid=API_KEY,
        region="ie1",
        edge="dublin",
        default_api="chat",
        last_service_sid=SERVICE,
    )
    store.save(profile)
    assert ProfileStore(store.directory).get("work") == profile


def test_first_profile_becomes_active_later_ones_do_not(store: ProfileStore) -> None:
    store.save(Profile("a", ACCOUNT))
    store.save(Profile("b", ACCOUNT))
    assert store.active_name() == "a"
    store.save(Profile("c", ACCOUNT), make_active=True)
    assert store.active_name() == "c"
    store.set_active("b")
    active = store.active()
    assert active is not None and active.name == "b"


def test_remove_active_profile_clears_active(store: ProfileStore) -> None:
    store.save(Profile("a", ACCOUNT))
    store.save(Profile("b", ACCOUNT))
    store.remove("a")
    assert [p.name for p in store.list()] == ["b"]
    assert store.active() is None
    with pytest.raises(ConfigError, match="no profile named 'a'"):
        store.remove("a")


def test_missing_profile_errors_name_the_fix(store: ProfileStore) -> None:
    with pytest.raises(ConfigError, match="auth login --profile ghost"):
        store.get("ghost")
    with pytest.raises(ConfigError, match="ghost"):
        store.set_active("ghost")


def test_file_is_0600_in_a_0700_dir_and_has_no_temp_leftovers(store: ProfileStore) -> None:
    store.save(Profile("a", ACCOUNT))
    store.save(Profile("b", ACCOUNT))
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700
    # The lock file stays (removing it would race another process taking the lock).
    names = sorted(p.name for p in store.directory.iterdir())
    assert names == ["profiles.toml", "profiles.toml.lock"]


def test_remember_service_updates_api_and_sid(store: ProfileStore) -> None:
    store.save(Profile("a", ACCOUNT))
    store.remember_service("a", "chat", SERVICE)
    got = store.get("a")
    assert (got.default_api, got.last_service_sid) == ("chat", SERVICE)
    with pytest.raises(InputError):
        store.remember_service("a", "chat", "IS-not-a-sid")
    with pytest.raises(InputError):
        store.remember_service("a", "voice", SERVICE)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (Profile("bad name", ACCOUNT), "not a valid profile name"),
        (Profile("a", "AC123"), "not a valid account SID"),
        (Profile("a", ACCOUNT, auth_mode="api-key"), "needs an API key SID"),
        (Profile("a", ACCOUNT, auth_mode="api-key", api_key_sid="SKnope"), "API key SID"),
        (Profile("a", ACCOUNT, api_key_sid=API_KEY), "takes no API key SID"),
        (Profile("a", ACCOUNT, region="ie1.evil.com/x"), "not a valid region"),
        (Profile("a", ACCOUNT, edge="Dub lin"), "not a valid edge"),
    ],
)
def test_invalid_profiles_are_refused(store: ProfileStore, profile: Profile, message: str) -> None:
    with pytest.raises(InputError, match=message):
        store.save(profile)
    assert not store.path.exists()


def test_corrupt_file_gives_config_error_naming_the_path(store: ProfileStore) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path.write_text("[profiles.a\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        store.list()
    assert str(store.path) in str(info.value)


def test_unknown_keys_are_rejected_so_a_secret_is_never_silently_kept(
    store: ProfileStore,
) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path.write_text(f'[profiles.a]\naccount_sid = "{ACCOUNT}"\nauth_token = "x"\n')
    with pytest.raises(ConfigError, match="unknown keys auth_token"):
        store.list()


def test_active_pointing_at_missing_profile_is_ignored(store: ProfileStore) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path.write_text(f'active = "gone"\n[profiles.a]\naccount_sid = "{ACCOUNT}"\n')
    assert store.active() is None
    assert store.get("a").auth_mode == "auth-token"


@given(st.text())
def test_toml_string_round_trips_any_text(value: str) -> None:
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_rendered_file_parses_and_quotes_names() -> None:
    text = render_profiles_toml({"a.b": Profile("a.b", ACCOUNT)}, "a.b")
    data = tomllib.loads(text)
    assert data["active"] == "a.b"
    assert data["profiles"]["a.b"]["account_sid"] == ACCOUNT
