"""`bindings-tui auth ...` in-process, through the real CLI entry point."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from bindings_tui import cli
from bindings_tui.cli.auth import add_auth_parser, read_secret, run_auth
from bindings_tui.cli.common import globals_parent
from bindings_tui.credentials.profiles import Profile, ProfileStore
from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KEYRING_SERVICE, SecretStore

from .conftest import ACCOUNT, API_KEY, OTHER_ACCOUNT, SECRET, MemoryKeyring, StubApi


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _login(base_url: str, *extra: str) -> int:
    return cli.main(
        [
            "auth",
            "login",
            "--profile",
            "ci",
            "--account-sid",
            ACCOUNT,
            "--base-url",
            base_url,
            *extra,
        ]
    )


def test_login_reads_secret_from_stdin_and_saves_to_keyring(
    stub_api: StubApi,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, SECRET + "\n")
    assert _login(stub_api.base_url, "--api-key", API_KEY) == 0
    out, err = capsys.readouterr()
    assert "logged in as profile 'ci'" in out and "OS keyring" in out
    assert SECRET not in out + err
    assert memory_keyring.entries == {(KEYRING_SERVICE, "ci"): SECRET}
    assert store.get("ci").api_key_sid == API_KEY
    assert len(stub_api.requests) == 1


def test_wrong_secret_is_one_clear_line_and_exit_2(
    stub_api: StubApi,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, "wrong-secret-value")
    assert _login(stub_api.base_url) == 2
    out, err = capsys.readouterr()
    assert err.startswith("bindings-tui: error: the account SID or secret is wrong")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "wrong-secret-value" not in out + err
    assert memory_keyring.entries == {}
    assert not store.path.exists()


def test_malformed_sid_is_rejected_before_reading_secret_or_network(
    stub_api: StubApi,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin = io.StringIO(SECRET)
    monkeypatch.setattr(sys, "stdin", stdin)
    code = cli.main(["auth", "login", "--account-sid", "AC123", "--base-url", stub_api.base_url])
    assert code == 2
    assert "account SID" in capsys.readouterr().err
    assert stdin.tell() == 0  # the secret was never read
    assert stub_api.requests == []


def test_non_interactive_login_needs_account_sid(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, SECRET)
    assert cli.main(["auth", "login"]) == 2
    assert "--account-sid is required" in capsys.readouterr().err


def test_fail_backend_login_exits_nonzero_with_the_fix_and_no_network(
    stub_api: StubApi,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring.set_keyring(fail.Keyring())
    _stdin(monkeypatch, SECRET)
    assert _login(stub_api.base_url) == 1
    err = capsys.readouterr().err
    assert "OS keyring is unavailable" in err and "gnome-keyring" in err and "TWILIO_" in err
    assert stub_api.requests == []
    assert not store.path.exists()


def test_interactive_login_prompts_and_uses_getpass(
    stub_api: StubApi,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTty(f"{ACCOUNT}\n\n"))
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return SECRET

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    assert cli.main(["auth", "login", "--base-url", stub_api.base_url]) == 0
    assert prompts == ["auth token (hidden): "]
    assert store.get("default").auth_mode == "auth-token"
    assert SECRET not in "".join(capsys.readouterr())


def test_list_use_status_remove(
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    secrets: SecretStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store.save(Profile("a", ACCOUNT))
    store.save(Profile("b", OTHER_ACCOUNT, "api-key", API_KEY, region="ie1"))
    secrets.set("a", SECRET)
    assert cli.main(["auth", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("* a ") and "OS keyring" in lines[0]
    assert lines[1].startswith("  b ") and "missing" in lines[1] and "region=ie1" in lines[1]
    assert SECRET not in out

    assert cli.main(["auth", "status"]) == 0
    out = capsys.readouterr().out
    assert "credentials from: profile a" in out and ACCOUNT in out and SECRET not in out

    assert cli.main(["auth", "use", "b"]) == 0
    assert store.active_name() == "b"
    assert cli.main(["auth", "status", "--profile", "a"]) == 0
    assert "credentials from: flag (--profile a)" in capsys.readouterr().out

    assert cli.main(["auth", "remove", "a"]) == 0
    assert memory_keyring.entries == {}
    assert store.find("a") is None
    assert cli.main(["auth", "use", "a"]) == 1
    assert "no profile named 'a'" in capsys.readouterr().err


def test_status_from_env_and_with_nothing(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["auth", "status"]) == 1
    assert "bindings-tui auth login" in capsys.readouterr().out
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", SECRET)
    assert cli.main(["auth", "status"]) == 0
    out = capsys.readouterr().out
    assert "credentials from: env" in out and "TWILIO_AUTH_TOKEN" in out and SECRET not in out


def test_import_twilio_cli_command(
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile = {"accountSid": ACCOUNT, "apiKey": API_KEY, "apiSecret": SECRET}
    (tmp_path / "config.json").write_text(json.dumps({"profiles": {"p1": profile}}))
    monkeypatch.setenv("TWILIO_CONFIG_DIR", str(tmp_path))
    assert cli.main(["auth", "import-twilio-cli"]) == 0
    out = capsys.readouterr().out
    assert "imported profile 'p1'" in out and "plaintext copy" in out and SECRET not in out
    assert memory_keyring.entries == {(KEYRING_SERVICE, "p1"): SECRET}


def test_auth_parser_takes_the_global_options_from_its_parent(
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    secrets: SecretStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser()
    add_auth_parser(parser.add_subparsers(dest="command"), [globals_parent()])
    store.save(Profile("x", ACCOUNT))
    secrets.set("x", SECRET)
    args = parser.parse_args(["auth", "status", "--profile", "x", "--region", "ie1"])
    assert run_auth(args) == 0
    assert "region: ie1" in capsys.readouterr().out


def test_secret_is_never_an_argument() -> None:
    parser = argparse.ArgumentParser()
    add_auth_parser(parser.add_subparsers(dest="command"), [globals_parent()])
    for flag in ("--secret", "--auth-token", "--api-secret", "--password", "--token"):
        with pytest.raises(SystemExit):
            parser.parse_args(["auth", "login", flag, "x"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("abc\n", "abc"), ("abc\r\n", "abc"), ("abc", "abc"), ("abc\n\n", "abc\n")],
)
def test_read_secret_strips_one_trailing_newline(raw: str, expected: str) -> None:
    secret = read_secret("x", io.StringIO(raw))
    assert isinstance(secret, Secret) and secret.reveal() == expected
