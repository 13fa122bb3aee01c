"""Against a real Secret Service (gnome-keyring). Run under scripts/with-secret-service.sh.

Without one these tests skip, naming what is missing; when the wrapper says it started
a daemon (BINDINGS_TUI_SECRET_SERVICE=1), failing to reach it is a failure instead.
"""

from __future__ import annotations

import os
import secrets as pysecrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KEYRING_SERVICE, KeyringUnavailable, SecretStore

from .conftest import ACCOUNT, API_KEY, StubApi
from .helpers import cli_command, files_containing, subprocess_env

pytestmark = pytest.mark.secret_service
SS_BACKEND = "keyring.backends.SecretService.Keyring"


def _unavailable(reason: str) -> None:
    if os.environ.get("BINDINGS_TUI_SECRET_SERVICE") == "1":
        pytest.fail(f"scripts/with-secret-service.sh started a Secret Service, but: {reason}")
    pytest.skip(
        f"no Secret Service: {reason} (install gnome-keyring and dbus-x11, then run under "
        "scripts/with-secret-service.sh)"
    )


@pytest.fixture
def secret_service() -> Iterator[keyring.backend.KeyringBackend]:
    """The real SecretService backend, after a bounded set/get/delete probe."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _unavailable("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
    try:
        from keyring.backends.SecretService import Keyring as SecretServiceKeyring
    except ImportError as exc:  # pragma: no cover - keyring always ships it
        _unavailable(f"keyring's SecretService backend cannot be imported ({exc})")
    previous = keyring.get_keyring()
    backend = SecretServiceKeyring()
    keyring.set_keyring(backend)
    probe = SecretStore(service="bindings-tui-probe", timeout=5.0)
    try:
        try:
            probe.set("probe", "probe-value")
            ok = probe.get("probe") == Secret("probe-value")
            probe.delete("probe")
        except KeyringUnavailable as exc:
            _unavailable(f"the probe failed: {exc.reason}")
        if not ok:
            _unavailable("the probe read back a different value")
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_round_trip_in_the_real_secret_service(
    secret_service: keyring.backend.KeyringBackend,
) -> None:
    store = SecretStore(timeout=5.0)
    name = "it-" + pysecrets.token_hex(4)
    secret = "ss-" + pysecrets.token_urlsafe(24)
    assert "SecretService" in store.check()
    assert store.set(name, secret) == "SecretService.Keyring"
    try:
        # Read it back through a fresh backend object: it really is in the daemon.
        assert type(secret_service)().get_password(KEYRING_SERVICE, name) == secret
        assert store.get(name) == Secret(secret)
    finally:
        assert store.delete(name) is True
    assert store.get(name) is None


def test_cli_login_list_services_logout_with_the_real_keyring(
    secret_service: keyring.backend.KeyringBackend, stub_api: StubApi, tmp_path: Path
) -> None:
    secret = "cli-" + pysecrets.token_urlsafe(24)
    stub_api.good[API_KEY] = secret
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    env = subprocess_env(home, config, PYTHON_KEYRING_BACKEND=SS_BACKEND)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            cli_command(*args),
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert secret not in proc.stdout + proc.stderr
        return proc

    login = run(
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
        stdin=secret + "\n",
    )
    assert login.returncode == 0, login.stderr
    try:
        assert "SecretService" in login.stdout
        assert type(secret_service)().get_password(KEYRING_SERVICE, "ci") == secret

        listing = run("auth", "list")
        assert listing.returncode == 0, listing.stderr
        assert listing.stdout.startswith("* ci ") and "SecretService" in listing.stdout

        # A separate process reads the secret from the Secret Service and authenticates.
        before = len(stub_api.requests)
        services = run("services", "--profile", "ci", "--base-url", stub_api.base_url)
        assert services.returncode == 0, services.stderr
        assert len(stub_api.requests) > before

        assert files_containing(secret, [config, home, tmp_path]) == []
    finally:
        logout = run("auth", "logout", "ci")
    assert logout.returncode == 0, logout.stderr
    assert type(secret_service)().get_password(KEYRING_SERVICE, "ci") is None
    assert files_containing(secret, [config, home, tmp_path]) == []


async def test_done_means_login_then_list_against_the_fake_over_a_socket(
    secret_service: keyring.backend.KeyringBackend, tmp_path: Path
) -> None:
    """The issue's acceptance scenario, as a user types it, with the real Secret Service."""
    import asyncio

    from bindings_tui.fake_twilio import DEMO_ACCOUNT_SID, FakeConfig, serve_in_background

    secret = "done-" + pysecrets.token_urlsafe(24)
    home, config = tmp_path / "home", tmp_path / "config"
    home.mkdir()
    env = subprocess_env(home, config, PYTHON_KEYRING_BACKEND=SS_BACKEND)

    async def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            *cli_command(*args),
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), 60)
        text_out, text_err = out.decode(), err.decode()
        assert secret not in text_out + text_err
        assert proc.returncode is not None
        return proc.returncode, text_out, text_err

    fake_config = FakeConfig(bindings=25, api_keys={API_KEY: secret})
    async with serve_in_background(fake_config) as (fake, base_url):
        service = fake.service_sids()[0]
        code, out, err = await run(
            "auth",
            "login",
            "--profile",
            "ci",
            "--account-sid",
            DEMO_ACCOUNT_SID,
            "--api-key",
            API_KEY,
            "--base-url",
            base_url,
            stdin=secret,
        )
        assert code == 0, err
        try:
            assert type(secret_service)().get_password(KEYRING_SERVICE, "ci") == secret
            code, out, err = await run(
                "list",
                "--profile",
                "ci",
                "--base-url",
                base_url,
                "--service",
                service,
                "-o",
                "jsonl",
            )
            assert code == 0, err
            rows = [line for line in out.splitlines() if line.strip()]
            assert len(rows) == 25
            assert files_containing(secret, [config, home, tmp_path]) == []
        finally:
            code, _, err = await run("auth", "remove", "ci")
        assert code == 0, err
    assert type(secret_service)().get_password(KEYRING_SERVICE, "ci") is None
