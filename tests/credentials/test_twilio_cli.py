"""auth import-twilio-cli: profiles copied, secrets into the keyring, the user's file untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from bindings_tui.credentials.profiles import Profile, ProfileStore
from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KEYRING_SERVICE, KeyringUnavailable, SecretStore
from bindings_tui.credentials.twilio_cli import (
    import_twilio_cli,
    read_twilio_cli_config,
    twilio_cli_config_path,
)
from bindings_tui.errors import ConfigError

from .conftest import ACCOUNT, API_KEY, OTHER_ACCOUNT, SECRET, MemoryKeyring

OTHER_KEY = "SK" + "ffeeddccbbaa99887766554433221100"
CONFIG = {
    "edge": None,
    "email": {},
    "prompts": {},
    "activeProfile": "prod",
    "profiles": {
        "dev": {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": SECRET, "region": None},
        "prod": {
            "accountSid": OTHER_ACCOUNT,
            "apiKey": OTHER_KEY,
            "apiSecret": "prod-secret-value-123",
            "region": "ie1",
            "edge": "dublin",
        },
        "bad id!": {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": "x-secret-value"},
        "nosecret": {"accountSid": ACCOUNT, "apiKey": API_KEY},
    },
    "projects": [{"id": "legacy", "accountSid": ACCOUNT, "apiKey": API_KEY}],
}


@pytest.fixture
def cli_config(tmp_path: Path) -> Path:
    directory = tmp_path / "twilio-cli"
    directory.mkdir()
    path = directory / "config.json"
    path.write_text(json.dumps(CONFIG, indent=2))
    os.utime(path, (1_600_000_000, 1_600_000_000))
    return path


def _fingerprint(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_mode


def test_config_path_from_env_or_home(tmp_path: Path) -> None:
    assert twilio_cli_config_path({"TWILIO_CONFIG_DIR": str(tmp_path)}) == tmp_path / "config.json"
    assert twilio_cli_config_path({}) == Path.home() / ".twilio-cli" / "config.json"


def test_reader_parses_profiles_and_hides_secrets_in_repr(cli_config: Path) -> None:
    profiles, active = read_twilio_cli_config(cli_config)
    assert active == "prod"
    by_id = {p.id: p for p in profiles}
    assert set(by_id) == {"dev", "prod", "bad id!", "nosecret", "legacy"}
    assert by_id["prod"].api_secret == Secret("prod-secret-value-123")
    assert (by_id["prod"].region, by_id["prod"].edge) == ("ie1", "dublin")
    assert all(SECRET not in repr(p) and "prod-secret" not in str(p) for p in profiles)


def test_import_creates_profiles_with_secrets_in_keyring_and_never_touches_the_file(
    cli_config: Path, memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    before = _fingerprint(cli_config)
    report = import_twilio_cli(cli_config, store=store, secrets=secrets)
    assert _fingerprint(cli_config) == before
    assert sorted(os.listdir(cli_config.parent)) == ["config.json"]

    assert sorted(report.imported) == ["dev", "prod"]
    assert dict(report.skipped).keys() == {"bad id!", "nosecret", "legacy"}
    assert "keychain" in dict(report.skipped)["legacy"]
    assert memory_keyring.entries == {
        (KEYRING_SERVICE, "dev"): SECRET,
        (KEYRING_SERVICE, "prod"): "prod-secret-value-123",
    }
    prod = store.get("prod")
    assert (prod.account_sid, prod.api_key_sid, prod.region, prod.edge) == (
        OTHER_ACCOUNT,
        OTHER_KEY,
        "ie1",
        "dublin",
    )
    assert store.active_name() == "prod"  # twilio-cli's active profile
    text = store.path.read_text()
    assert SECRET not in text and "prod-secret-value-123" not in text
    lines = "\n".join(report.lines())
    assert "plaintext copy" in lines and str(cli_config) in lines
    assert SECRET not in lines


def test_existing_profiles_are_kept_unless_overwrite(
    cli_config: Path, memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("dev", OTHER_ACCOUNT))
    report = import_twilio_cli(cli_config, store=store, secrets=secrets)
    assert report.imported == ["prod"]
    assert store.get("dev").account_sid == OTHER_ACCOUNT
    assert store.active_name() == "dev"  # an existing active profile is left alone
    report = import_twilio_cli(cli_config, store=store, secrets=secrets, overwrite=True)
    assert sorted(report.imported) == ["dev", "prod"]
    assert store.get("dev").account_sid == ACCOUNT


def test_unavailable_keyring_imports_nothing(
    cli_config: Path, memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    keyring.set_keyring(fail.Keyring())
    before = _fingerprint(cli_config)
    with pytest.raises(KeyringUnavailable):
        import_twilio_cli(cli_config, store=store, secrets=secrets)
    assert not store.path.exists()
    assert _fingerprint(cli_config) == before


def test_auth_token_profile_from_env_style_entry(
    tmp_path: Path, memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {"profiles": {"t": {"accountSid": ACCOUNT, "apiKey": ACCOUNT, "apiSecret": SECRET}}}
        )
    )
    import_twilio_cli(path, store=store, secrets=secrets)
    assert store.get("t").auth_mode == "auth-token"


@pytest.mark.parametrize("content", ["{not json", "[]"])
def test_broken_config_is_a_config_error_without_content(
    tmp_path: Path, content: str, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=r"config\.json"):
        read_twilio_cli_config(path)


def test_missing_config_names_twilio_config_dir(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TWILIO_CONFIG_DIR"):
        read_twilio_cli_config(tmp_path / "nope" / "config.json")
