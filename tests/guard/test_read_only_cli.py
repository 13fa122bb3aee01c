"""Read-only mode through the real CLI against the fake over a real socket: from each of
its three sources a delete exits 2 with one line naming the source, and the fake sees no
DELETE (no request at all)."""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bindings_tui.credentials.profiles import Profile, ProfileStore
from bindings_tui.fake_twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FakeConfig,
    FakeTwilio,
    serve_in_background,
)
from bindings_tui.models import ApiFlavor

from .helpers import PLUGIN, audit_lines, busy_service, deletes_seen, run_cli


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=5, bindings=40)) as pair:
        yield pair


@pytest.fixture
def ring(tmp_path: Path) -> Iterator[Path]:
    """The test keyring's directory; removed after the test (it holds the fake's token,
    which the hygiene test looks for in every temp dir)."""
    path = tmp_path / "ring"
    path.mkdir()
    yield path
    shutil.rmtree(path)


def _profile_env(ring: Path) -> dict[str, str]:
    """A saved profile `prod` (read_only = true) whose secret is in a test keyring."""
    ProfileStore().save(
        Profile("prod", DEMO_ACCOUNT_SID, read_only=True, label="PRODUCTION", color="red")
    )
    env = {
        "PYTHON_KEYRING_BACKEND": "dir_keyring.DirKeyring",
        "DIR_KEYRING_PATH": str(ring),
        "PYTHONPATH": os.pathsep.join([os.environ.get("PYTHONPATH", ""), str(PLUGIN)]),
    }
    name = base64.urlsafe_b64encode(b"bindings-tui\0prod").decode()
    (ring / name).write_text(DEMO_AUTH_TOKEN, encoding="utf-8")
    return env


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("flag", "read-only (--read-only)"),
        ("env", "read-only (BINDINGS_TUI_READ_ONLY=1)"),
        ("profile", "read-only (profile prod (read_only = true))"),
    ],
)
async def test_delete_is_refused_with_zero_requests(
    served: tuple[FakeTwilio, str], source: str, said: str, ring: Path
) -> None:
    fake, url = served
    service = busy_service(fake)
    sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:3]
    args = ["--base-url", url, "delete", "--service", service, *sids, "--yes"]
    env: dict[str, str] = {}
    use_env_credentials = True
    if source == "flag":
        args.insert(0, "--read-only")
    elif source == "env":
        env["BINDINGS_TUI_READ_ONLY"] = "1"
    else:
        env = _profile_env(ring)
        args = ["--profile", "prod", *args]
        use_env_credentials = False
    before = len(fake.requests)
    result = await run_cli(*args, env_extra=env, with_env_credentials=use_env_credentials)
    assert result.code == 2, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and said in lines[0], result.err
    assert result.out == ""
    assert deletes_seen(fake, before) == 0
    assert fake.requests[before:] == []  # refused before any socket work
    assert set(sids) <= fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
    assert audit_lines() == []  # nothing attempted, nothing recorded
    # Without --yes (stdin not a terminal) read-only is still what is said, first.
    args.remove("--yes")
    asked = await run_cli(*args, env_extra=env, with_env_credentials=use_env_credentials)
    assert asked.code == 2 and said in asked.err, asked


async def test_the_profile_source_works_with_a_writable_profile(
    served: tuple[FakeTwilio, str], ring: Path
) -> None:
    """Control for the profile case: the same profile made writable deletes (so the refusal
    above came from read_only, not from a broken keyring or profile)."""
    fake, url = served
    service = busy_service(fake)
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[0]
    env = _profile_env(ring)
    ProfileStore().update("prod", read_only=False)
    result = await run_cli(
        "--profile",
        "prod",
        "--base-url",
        url,
        "delete",
        "--service",
        service,
        sid,
        "--yes",
        env_extra=env,
        with_env_credentials=False,
    )
    assert result.code == 0, result
    assert sid not in fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
    [record] = audit_lines()
    assert record["profile"] == "prod" and record["outcome"] == "deleted"


async def test_a_bad_env_value_is_one_line_and_nothing_is_sent(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    service = busy_service(fake)
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[0]
    before = len(fake.requests)
    result = await run_cli(
        "--base-url",
        url,
        "delete",
        "--service",
        service,
        sid,
        "--yes",
        env_extra={"BINDINGS_TUI_READ_ONLY": "maybe\x1b[31m"},
    )
    assert result.code == 2 and "BINDINGS_TUI_READ_ONLY" in result.err, result
    assert "\x1b" not in result.err
    assert fake.requests[before:] == []
