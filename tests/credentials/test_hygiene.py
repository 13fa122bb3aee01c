"""Secret hygiene: after login -> list -> status -> logout the secret is nowhere but the keyring."""

from __future__ import annotations

import logging
import secrets as pysecrets
import subprocess
import sys
from pathlib import Path

import pytest

from bindings_tui import cli
from bindings_tui.credentials.secrets import KEYRING_SERVICE

from .conftest import ACCOUNT, API_KEY, MemoryKeyring, StubApi
from .helpers import cli_command, files_containing, subprocess_env


def test_login_list_logout_leaves_no_trace_of_the_secret(
    stub_api: StubApi,
    memory_keyring: MemoryKeyring,
    config_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "hyg-" + pysecrets.token_urlsafe(24)
    stub_api.good[API_KEY] = secret
    caplog.set_level(logging.DEBUG)
    output: list[str] = []

    monkeypatch.setattr(sys, "stdin", _StringStdin(secret + "\n"))
    assert (
        cli.main(
            [
                "-v",
                "auth",
                "login",
                "--profile",
                "ci",
                "--account-sid",
                ACCOUNT,
                "--api-key",
                API_KEY,
                "--base-url",
                stub_api.base_url,
            ]
        )
        == 0
    )
    assert memory_keyring.entries == {(KEYRING_SERVICE, "ci"): secret}
    output += capsys.readouterr()
    for argv in (["-v", "auth", "list"], ["-v", "auth", "status"]):
        assert cli.main(argv) == 0
        output += capsys.readouterr()
    # A failing login (wrong secret) must not leak the wrong secret either.
    wrong = "wrong-" + pysecrets.token_urlsafe(24)
    monkeypatch.setattr(sys, "stdin", _StringStdin(wrong))
    assert (
        cli.main(
            [
                "-v",
                "auth",
                "login",
                "--profile",
                "bad",
                "--account-sid",
                ACCOUNT,
                "--base-url",
                stub_api.base_url,
            ]
        )
        == 2
    )
    output += capsys.readouterr()
    assert cli.main(["-v", "auth", "logout", "ci"]) == 0
    output += capsys.readouterr()
    assert memory_keyring.entries == {}

    logs = "\n".join(
        [
            caplog.text,
            *(r.getMessage() for r in caplog.records),
            *(repr(r.args) for r in caplog.records),
        ]
    )
    text = "\n".join(output)
    assert "logged in as profile 'ci'" in text  # the outputs were really captured
    for value in (secret, wrong):
        assert value not in text
        assert value not in logs
        roots = [config_dir, tmp_path_factory.getbasetemp()]
        assert files_containing(value, roots) == []
    # The search itself can find a secret: prove it on a planted file.
    planted = tmp_path_factory.mktemp("planted") / "x.bin"
    planted.write_bytes(b"..." + secret.encode() + b"...")
    assert files_containing(secret, [tmp_path_factory.getbasetemp()]) == [planted]


class _StringStdin:
    def __init__(self, text: str) -> None:
        self._text = text

    def isatty(self) -> bool:
        return False

    def read(self, n: int = -1) -> str:
        data, self._text = self._text, ""
        return data

    def readline(self) -> str:
        return self.read()


def test_fail_backend_subprocess_exits_nonzero_and_writes_nothing(
    stub_api: StubApi, tmp_path: Path
) -> None:
    secret = "fail-" + pysecrets.token_urlsafe(24)
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    env = subprocess_env(home, config, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    proc = subprocess.run(
        cli_command(
            "auth",
            "login",
            "--profile",
            "ci",
            "--account-sid",
            ACCOUNT,
            "--api-key",
            API_KEY,
            "--base-url",
            stub_api.base_url,
        ),
        input=secret + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.startswith("bindings-tui: error: the OS keyring is unavailable")
    for needle in ("gnome-keyring", "unlock", "TWILIO_API_KEY"):
        assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert secret not in proc.stdout + proc.stderr
    assert stub_api.requests == []  # refused before any network call
    assert not (config / "profiles.toml").exists()
    assert files_containing(secret, [tmp_path]) == []
