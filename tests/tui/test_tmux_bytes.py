"""The bytes the real app writes to a real terminal (tmux) while every screen shows hostile
server text: no OSC 52 (clipboard), no title change with server text, no raw C1 control."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.terminal import Terminal

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    tag = uuid.uuid4().hex[:8]
    term = Terminal(f"bytes-{tag}", socket=f"bindings-tui-bytes-{tag}")
    log = tmp_path / "bytes.log"
    pythonpath = f"{REPO}{os.pathsep}{REPO / 'tests'}"
    command = f"env -u COLUMNS -u LINES {sys.executable} {REPO / 'tests/tui/hostile_app.py'}"
    term.run(
        "new-session", "-d", "-s", term.session, "-x", "120", "-y", "40",
        "-e", f"PYTHONPATH={pythonpath}",
        "-e", f"BINDINGS_TUI_CONFIG_DIR={tmp_path}",
        command,
    )  # fmt: skip
    # The pane outlives the app: after `q` the screen can still be read (without this the
    # session, and the private server with it, may be gone before the next capture).
    term.run("set-window-option", "-t", term.session, "remain-on-exit", "on")
    term.run("pipe-pane", "-o", "-t", term.session, f"cat >> {log}")
    try:
        yield term, log
    finally:
        subprocess.run(["tmux", "-L", term.socket, "kill-server"], check=False, timeout=10)


def test_the_terminal_gets_no_escape_from_server_text(tmux: tuple[Terminal, Path]) -> None:
    term, log = tmux
    term.wait_for(lambda s: "loaded" in s and "q Quit" in s, "the hostile list")
    term.keys("/")
    term.wait_for(lambda s: "esc Clear" in s, "the filter box")
    term.type("who")
    term.keys("Enter")
    term.wait_for(lambda s: "who0" in s and "s Service" in s, "the hostile rows")

    def browser(s: str) -> bool:
        return "s Service" in s and "Keys" not in s and "Cancel (n)" not in s

    steps: list[tuple[str, Callable[[str], bool]]] = [
        ("v", lambda s: "Raw JSON" in s),
        ("v", lambda s: "─Detail" in s),
        ("u", lambda s: "device(s)" in s),
        ("Escape", browser),
        ("?", lambda s: "Keys" in s),
        ("Escape", browser),
        ("d", lambda s: "Cancel (n)" in s),
        ("n", browser),
        ("s", lambda s: "Pick a service" in s),
        ("Escape", browser),
        ("/", lambda s: "esc Clear" in s),
    ]
    for key, check in steps:
        term.keys(key)
        term.wait_for(check, f"the screen after {key}")
    term.type("sid-")
    term.keys("Enter")
    term.wait_for(lambda s: "Detail · BSffff" in s, "the row with a hostile SID field in detail")
    term.keys("q")
    term.wait_for(lambda s: "IDENTITY" not in s, "the app to quit", timeout=10)
    time.sleep(0.3)
    written = log.read_bytes().decode("utf-8", errors="replace")
    assert "who0" in written  # the recording really holds the app's output
    assert "\x1b]52" not in written, "OSC 52 (clipboard write) reached the terminal"
    for title in ("\x1b]0;", "\x1b]2;"):
        at = written.find(title)
        while at != -1:
            assert "pwned" not in written[at : at + 200], "server text set the window title"
            at = written.find(title, at + 1)
    c1 = sorted({hex(ord(c)) for c in written if 0x80 <= ord(c) <= 0x9F})
    assert c1 == [], f"raw C1 controls reached the terminal: {c1}"
    assert "\u202e" not in written
    assert "rm -rf" not in written
