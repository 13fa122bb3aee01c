"""`w` in the real app in tmux, against `bindings-tui fake-twilio` (a subprocess) that
another client changes over HTTP (the fake's admin routes and the normal API)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bindings_tui.fake_twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, FakeConfig, FakeTwilio
from tui.terminal import Terminal

REPO = Path(__file__).resolve().parents[2]
SEED = 7
BINDINGS = 300
NEW_SID = "BS" + "5a" * 16

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def fake_url() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bindings_tui", "fake-twilio", "--port", str(port),
         "--seed", str(SEED), "--bindings", str(BINDINGS), "--latency-ms", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/v1/Services", auth=(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN))
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("fake-twilio did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def terminal(fake_url: str, tmp_path: Path) -> Iterator[Terminal]:
    service = FakeTwilio(FakeConfig(seed=SEED, bindings=BINDINGS)).service_sids()[0]
    sock = f"bt-watch-{uuid.uuid4().hex[:8]}"
    command = (
        f"env -u COLUMNS -u LINES PYTHONPATH={REPO} {sys.executable} -m bindings_tui "
        f"--base-url {fake_url} --service {service}"
    )
    subprocess.run(
        ["tmux", "-L", sock, "new-session", "-d", "-s", "w", "-x", "120", "-y", "40",
         "-e", f"BINDINGS_TUI_CONFIG_DIR={tmp_path}",
         "-e", f"TWILIO_ACCOUNT_SID={DEMO_ACCOUNT_SID}",
         "-e", f"TWILIO_AUTH_TOKEN={DEMO_AUTH_TOKEN}",
         command],
        check=True, timeout=10,
    )  # fmt: skip
    term = Terminal("w", socket=sock)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], check=False, timeout=10)


def test_watch_shows_another_clients_changes(terminal: Terminal, fake_url: str) -> None:
    # A capture can catch a frame half drawn: wait for everything at once (the findings
    # line too: the diagnosis has run, the screen is settled).
    terminal.wait_for(
        lambda s: (
            f"loaded {BINDINGS} binding(s)" in s
            and "Acme Chat (production)" in s
            and "q Quit" in s
            and "shared endpoint" in s
        ),
        "the list",
    )
    service = FakeTwilio(FakeConfig(seed=SEED, bindings=BINDINGS)).service_sids()[0]
    auth = (DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    everyone = httpx.get(
        f"{fake_url}/v1/Services/{service}/Bindings", params={"PageSize": 1000}, auth=auth
    ).json()["bindings"]
    counts: dict[str, int] = {}
    for b in everyone:
        counts[b["identity"]] = counts.get(b["identity"], 0) + 1
    identity = next(i for i, n in counts.items() if n >= 2 and re.fullmatch(r"[a-z0-9_.]+", i))
    terminal.keys("i")
    terminal.type(identity)
    terminal.wait_for(lambda s: f"i {identity}" in s, "the identity typed")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: f"identity {identity}: loaded" in s, "the identity query")
    terminal.keys("w")
    terminal.wait_for(lambda s: f"watching {identity}" in s and "last refresh" in s, "watching")
    listed = httpx.get(
        f"{fake_url}/v1/Services/{service}/Bindings", params={"Identity": identity}, auth=auth
    ).json()["bindings"]
    added = httpx.post(
        f"{fake_url}/_fake/bindings",
        data={"Identity": identity, "Sid": NEW_SID, "Endpoint": "tmux-new-device"},
        auth=auth,
    )
    assert added.status_code == 201
    gone = httpx.delete(f"{fake_url}/v1/Services/{service}/Bindings/{listed[0]['sid']}", auth=auth)
    assert gone.status_code == 204
    touched = httpx.post(f"{fake_url}/_fake/bindings/{listed[1]['sid']}", auth=auth)
    assert touched.status_code == 200
    screen = terminal.wait_for(lambda s: "+1 −1 ~1" in s, "the next refresh", timeout=30)
    rows = [line for line in screen.splitlines() if identity in line]
    assert any(line.startswith("+") and "tmux-new-device" in line for line in rows), screen
    assert any(line.startswith("−") for line in rows), screen
    assert any(line.startswith("~") for line in rows), screen
    terminal.keys("w")
    screen = terminal.wait_for(lambda s: "watching" not in s, "the watch to stop")
    assert not any(line.startswith("−") for line in screen.splitlines())
