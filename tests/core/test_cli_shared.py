"""What the CLI and the TUI share: one API-name parser, one region/edge override, one
config directory and config.toml reader."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bindings_tui.cli.common import resolved_credentials
from bindings_tui.config import CONFIG_DIR_ENV, config_dir, config_path, read_config
from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.profiles import validate_api_name
from bindings_tui.errors import ConfigError, InputError
from bindings_tui.models import ApiFlavor

ACCOUNT = "AC" + "1" * 32


@pytest.mark.parametrize(
    ("text", "flavor"),
    [
        ("conversations", ApiFlavor.CONVERSATIONS),
        (" V1 ", ApiFlavor.CONVERSATIONS),
        ("chat", ApiFlavor.CHAT),
        ("v2", ApiFlavor.CHAT),
        ("CHAT", ApiFlavor.CHAT),
    ],
)
def test_one_parser_of_api_names(text: str, flavor: ApiFlavor) -> None:
    assert ApiFlavor.parse(text) is flavor
    assert validate_api_name(text) == flavor.value


@pytest.mark.parametrize("text", ["sms", "", "chat\x1b]52;c;x\x07", "[b]chat[/b]", "x" * 500])
def test_an_unknown_api_name_is_one_inert_line(text: str) -> None:
    with pytest.raises(InputError) as caught:
        ApiFlavor.parse(text)
    message = str(caught.value)
    assert message.startswith("unknown API '") and message.endswith("use 'conversations' or 'chat'")
    assert message.isprintable() and len(message) < 120
    with pytest.raises(InputError):
        validate_api_name(text)


def test_region_and_edge_flags_override_through_one_function() -> None:
    creds = ApiCredentials(ACCOUNT, "s" * 32, region="au1", edge="sydney")
    assert creds.at_location(None, None) is creds
    assert (creds.at_location("ie1", None).region, creds.at_location("ie1", None).edge) == (
        "ie1",
        "sydney",
    )
    assert creds.at_location(None, "dublin").edge == "dublin"
    with pytest.raises(InputError):
        creds.at_location("x@evil.example:443/", None)


def test_resolved_credentials_apply_the_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t" * 32)
    monkeypatch.setenv("TWILIO_REGION", "au1")
    args = argparse.Namespace(profile=None, region="ie1", edge="dublin")
    creds = resolved_credentials(args)
    assert creds is not None and (creds.region, creds.edge) == ("ie1", "dublin")
    assert creds.source == "env"


def test_the_config_dir_and_config_toml(tmp_path: Path) -> None:
    assert config_dir({CONFIG_DIR_ENV: str(tmp_path)}) == tmp_path
    assert config_path(tmp_path) == tmp_path / "config.toml"
    assert read_config(tmp_path) == {}
    (tmp_path / "config.toml").write_text('[keymap]\n"browser.delete" = "x"\n')
    assert read_config(tmp_path) == {"keymap": {"browser.delete": "x"}}
    (tmp_path / "config.toml").write_text("[keymap\n")
    with pytest.raises(ConfigError, match=r"config\.toml is not valid TOML"):
        read_config(tmp_path)
