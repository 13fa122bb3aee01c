"""A profile's guard: read_only, label and colour validated, written and read back, set with
`auth set`; the one resolver of read-only's three sources."""

from __future__ import annotations

import pytest

from bindings_tui import cli
from bindings_tui.credentials.profiles import Profile, ProfileStore
from bindings_tui.errors import ConfigError, InputError
from bindings_tui.write_policy import READ_ONLY_ENV, resolve_write_policy

ACCOUNT = "AC" + "0123456789abcdef" * 2


def test_guard_fields_round_trip_through_the_file() -> None:
    store = ProfileStore()
    store.save(Profile("prod", ACCOUNT, read_only=True, label="PRODUCTION ✓", color="red"))
    store.save(Profile("dev", ACCOUNT))
    text = store.path.read_text("utf-8")
    assert "read_only = true" in text and 'label = "PRODUCTION ✓"' in text
    assert text.count("read_only") == 1  # false is not written
    prod, dev = store.find("prod"), store.find("dev")
    assert prod is not None and (prod.read_only, prod.label, prod.color) == (
        True,
        "PRODUCTION ✓",
        "red",
    )
    assert dev is not None and (dev.read_only, dev.label, dev.color) == (False, None, None)


@pytest.mark.parametrize(
    "label", ["bad\x1b[31m", "rtl\u202eoverride", "new\nline", "x" * 33, "   "]
)
def test_a_bad_label_is_refused(label: str) -> None:
    with pytest.raises(InputError, match="label"):
        Profile("p", ACCOUNT, label=label).validated()


@pytest.mark.parametrize("color", ["purple", "#ff0000", "red bold", "RED"])
def test_a_colour_outside_the_allow_list_is_refused(color: str) -> None:
    with pytest.raises(InputError, match="not one of red, yellow"):
        Profile("p", ACCOUNT, color=color).validated()


@pytest.mark.parametrize(
    "table", ['read_only = "yes"', 'color = "purple"', 'label = "a\\u001bb"', "read_only = 1"]
)
def test_a_hand_edited_bad_value_is_one_config_error(table: str) -> None:
    store = ProfileStore()
    store.directory.mkdir(parents=True, exist_ok=True)
    store.path.write_text(
        f'[profiles.prod]\naccount_sid = "{ACCOUNT}"\n{table}\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"\[profiles.prod\]"):
        store.list()


def test_auth_set_changes_the_guard_and_refuses_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ProfileStore().save(Profile("prod", ACCOUNT))
    assert cli.main(["auth", "set", "prod", "label=PRODUCTION", "color=red", "read_only=true"]) == 0
    assert "label=PRODUCTION color=red read-only" in capsys.readouterr().out
    prod = ProfileStore().find("prod")
    assert prod is not None and prod.read_only and prod.label == "PRODUCTION"
    assert cli.main(["auth", "list"]) == 0
    assert "label=PRODUCTION color=red read-only" in capsys.readouterr().out
    assert cli.main(["auth", "set", "prod", "color=purple"]) == 2
    assert cli.main(["auth", "set", "prod", "owner=me"]) == 2
    assert cli.main(["auth", "set", "nope", "label=x"]) == 1
    assert cli.main(["auth", "set", "prod", "label=", "read_only=false"]) == 0
    prod = ProfileStore().find("prod")
    assert prod is not None and not prod.read_only and prod.label is None
    assert prod.color == "red"  # untouched


def test_the_resolver_names_the_first_source_and_none_undoes_another() -> None:
    on = {READ_ONLY_ENV: "1"}
    off = {READ_ONLY_ENV: "0"}
    assert resolve_write_policy(True, on, profile_name="p", profile_read_only=True).source == (
        "--read-only"
    )
    assert resolve_write_policy(False, on, profile_read_only=True).source == (
        "BINDINGS_TUI_READ_ONLY=1"
    )
    guarded = resolve_write_policy(False, off, profile_name="prod", profile_read_only=True)
    assert guarded.read_only and guarded.source == "profile prod (read_only = true)"
    assert not resolve_write_policy(False, {}).read_only
    for value in ("true", "YES", " on "):
        assert resolve_write_policy(False, {READ_ONLY_ENV: value}).read_only
    with pytest.raises(InputError, match=READ_ONLY_ENV):
        resolve_write_policy(False, {READ_ONLY_ENV: "2"})
