"""Drive the real app in a real terminal: tmux at 120x40, keys in, capture-pane out."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tui.terminal import Terminal

REPO = Path(__file__).resolve().parents[2]
APP = REPO / ".venv" / "bin" / "bindings-tui"

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not APP.exists(), reason=f"{APP} is missing (run `make` first)"),
]


@contextmanager
def running_app(config_dir: Path) -> Iterator[Terminal]:
    """The demo app in a fresh tmux session, reading its config from `config_dir`."""
    session = f"bindings-tui-test-{uuid.uuid4().hex[:8]}"
    # pytest exports COLUMNS=80/LINES=24, which Textual would believe over the window size.
    command = f"env -u COLUMNS -u LINES {APP} --demo --latency-ms 0 --bindings 500"
    subprocess.run(
        [
            "tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
            "-e", f"BINDINGS_TUI_CONFIG_DIR={config_dir}",
            command,
        ],
        check=True,
        timeout=10,
    )  # fmt: skip
    term = Terminal(session)
    # The pane outlives the app, so the screen can still be read after `q`.
    term.run("set-window-option", "-t", session, "remain-on-exit", "on")
    try:
        yield term
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, timeout=10)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    with running_app(tmp_path) as term:
        yield term


def row_lines(screen: str) -> list[str]:
    lines = screen.splitlines()
    start = next(i for i, line in enumerate(lines) if "IDENTITY" in line and "SID" in line)
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("─"):
            break
        if line.strip().startswith("No binding"):  # the empty state's line, not a row
            break
        rows.append(line)
    return rows


def identity_of(row: str) -> str:
    """A row starts with a mark column (mark, finding marker, space), then the identity."""
    return row[3:].split()[0]


def test_find_a_user_and_delete_a_binding(terminal: Terminal) -> None:
    # A capture can catch a frame half drawn: wait for everything a check needs at once.
    screen = terminal.wait_for(
        lambda s: "loaded 500 binding(s)" in s and "Acme Chat (production)" in s and "q Quit" in s,
        "the demo list",
    )
    identity = identity_of(row_lines(screen)[0])

    terminal.keys("/")  # focus moves on the next frame: wait for it before typing
    terminal.wait_for(lambda s: "esc Clear" in s, "the filter box to take focus")
    terminal.type(f"^{identity}$")
    terminal.keys("Enter")

    def filtered(s: str) -> bool:
        if " of 500" not in s or "500 of 500" in s or "q Quit" not in s:
            return False
        rows = row_lines(s)
        shown = int(s.split(" of 500")[0].split()[-1])
        return bool(rows) and len(rows) == shown and all(identity_of(r) == identity for r in rows)

    screen = terminal.wait_for(filtered, f"only {identity}'s bindings")
    shown = len(row_lines(screen))
    doomed = row_lines(screen)[0].split()[-1]  # the cursor starts on the first row
    terminal.wait_for(lambda s: "d Delete" in s, "the table to take focus back")

    terminal.keys("d")
    terminal.wait_for(
        lambda s: "Delete this binding?" in s and identity in s and "Cancel (n)" in s,
        "the delete modal",
    )
    terminal.keys("y")
    # The toast covers the count at the bottom right, so check the rows themselves.
    terminal.wait_for(
        lambda s: (
            "Binding deleted" in s
            and len(row_lines(s)) == shown - 1
            and all(doomed not in line for line in row_lines(s))
        ),
        "the deleted notification and the row to go",
    )

    terminal.keys("q")
    terminal.wait_for(lambda s: "IDENTITY" not in s, "the app to quit", timeout=10)


def test_a_key_remapped_in_config_toml_deletes(tmp_path: Path) -> None:
    """`[keymap]` in config.toml: `x` deletes, the footer says so, `d` no longer does."""
    (tmp_path / "config.toml").write_text('[keymap]\n"browser.delete" = "x"\n')
    with running_app(tmp_path) as terminal:
        terminal.wait_for(
            lambda s: "loaded 500 binding(s)" in s and "x Delete" in s and "q Quit" in s,
            "the demo list with the remapped key in the footer",
        )
        terminal.keys("d")
        terminal.keys("?")  # a key that does something, so `d` has surely been handled
        screen = terminal.wait_for(lambda s: "escape closes" in s, "the help screen")
        assert "Delete this binding?" not in screen
        assert re.search(r"\sx {5,}Delete", screen), screen  # help lists the key as set
        terminal.keys("Escape")
        terminal.wait_for(lambda s: "escape closes" not in s and "x Delete" in s, "the list")
        terminal.keys("x")
        terminal.wait_for(
            lambda s: "Delete this binding?" in s and "Cancel (n)" in s, "the delete modal"
        )
        terminal.keys("n")
        terminal.wait_for(lambda s: "Delete this binding?" not in s, "the modal to close")
