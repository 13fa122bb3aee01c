"""Secret hygiene: after login -> list -> status -> logout the secret is nowhere but the keyring."""

from __future__ import annotations

import logging
import secrets as pysecrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


async def test_deletes_and_history_leave_the_secret_in_no_file(
    memory_keyring: MemoryKeyring,
    config_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A delete from a saved profile writes the audit log; the secret is not in it, nor in
    any file under the config, data or temp dirs, nor in the output."""
    import asyncio
    import os

    from bindings_tui.credentials.profiles import Profile, ProfileStore
    from bindings_tui.fake_twilio import (
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        FakeConfig,
        serve_in_background,
    )
    from bindings_tui.models import ApiFlavor

    ProfileStore(config_dir).save(Profile("prod", DEMO_ACCOUNT_SID, label="PRODUCTION"))
    memory_keyring.set_password(KEYRING_SERVICE, "prod", DEMO_AUTH_TOKEN)
    async with serve_in_background(FakeConfig(seed=4, bindings=20)) as (fake, url):
        service = max(
            fake.service_sids(), key=lambda s: len(fake.binding_sids(ApiFlavor.CONVERSATIONS, s))
        )
        sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:2]
        argv = ["-v", "--profile", "prod", "--base-url", url, "delete", "--service", service]
        code = await asyncio.to_thread(cli.main, [*argv, *sids, "BS" + "0" * 32, "--yes"])
        assert code == 1  # the third does not exist
        assert await asyncio.to_thread(cli.main, ["history", "-o", "json"]) == 0
    output = capsys.readouterr()
    assert sids[0] in output.out
    data_dir = Path(os.environ["BINDINGS_TUI_DATA_DIR"])
    assert (data_dir / "audit.jsonl").read_text("utf-8").count("\n") == 3
    roots = [config_dir, data_dir, tmp_path_factory.getbasetemp()]
    assert files_containing(DEMO_AUTH_TOKEN, roots) == []
    assert DEMO_AUTH_TOKEN not in output.out + output.err


async def test_tui_export_and_copied_commands_hold_no_secret(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`e` (a file per format) and `x` / `X` (the clipboard) with an API key whose secret
    the app holds: the secret is in no command, toast, screen or file, and neither is the
    key's SID (the commands name the environment variables)."""
    from textual.widgets import Input

    from bindings_tui.credentials import ApiCredentials
    from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio
    from bindings_tui.retry import NO_RETRY
    from bindings_tui.tui.app import BindingsApp
    from bindings_tui.tui.context import AppContext, Backend
    from bindings_tui.tui.screens.browser import BrowserScreen
    from bindings_tui.tui.screens.export import ExportModal

    async def wait_for(pilot: Any, condition: Callable[[], bool], what: str) -> None:
        for _ in range(500):
            await pilot.pause(0.01)
            if condition():
                return
        raise AssertionError(f"timed out waiting for {what}")

    secret = "exp-" + pysecrets.token_urlsafe(24)
    fake = FakeTwilio(FakeConfig(seed=9, bindings=120, latency_ms=0, api_keys={API_KEY: secret}))
    credentials = ApiCredentials(fake.config.account_sid, secret, api_key_sid=API_KEY)
    app = BindingsApp(
        AppContext(
            credentials=credentials,
            service_sid=fake.service_sids()[0],
            backend=Backend(FAKE_BASE_URL, fake.transport, retry=NO_RETRY),
            remember=False,
        ),
        cursor_blink=False,
    )
    monkeypatch.chdir(tmp_path)
    copied: list[str] = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen), "the browser")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await wait_for(pilot, lambda: screen.browse.load_state.done, "the list")
        await pilot.press("x", "X")
        for name in ("out.csv", "out.json", "out.jsonl"):
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, ExportModal), "the modal")
            app.screen.query_one("#export-path", Input).value = name
            await pilot.press("enter")
            target = tmp_path / name
            await wait_for(pilot, target.exists, name)
            await wait_for(pilot, lambda: app.screen is screen, "the modal to close")
        shown = app.export_screenshot()
        toasts = "\n".join(str(n.message) for n in app._notifications)
    assert len(copied) == 2 and copied[0].startswith("curl ") and copied[1].startswith("twilio ")
    assert "Wrote 120 bindings" in toasts
    assert API_KEY not in "".join(copied)
    for text in (*copied, toasts, shown):
        assert secret not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.json", "out.jsonl"]
    assert files_containing(secret, [tmp_path, tmp_path_factory.getbasetemp()]) == []
