"""Figure 6: process start to the first frame of `bindings-tui --demo`, in a real pty.

The app runs in a pseudo-terminal of 120x40 (as a person's terminal would be). Before
its first frame Textual writes only control sequences (alternate screen, mouse and
paste modes, queries); the first frame is the first output that, with every escape
sequence removed, holds visible text. The clock starts just before the process is
spawned, so interpreter start-up and imports count.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time

from benchmarks.fake_server import cli_command
from benchmarks.stats import Stat

COLUMNS, ROWS = 120, 40
TIMEOUT_S = 30.0
# CSI (incl. private modes), OSC (BEL or ST terminated), DCS/APC/PM, and 2-byte escapes.
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|\x1b[P_^][^\x1b]*\x1b\\"
    rb"|\x1b[@-Z\\-_]"
)
_VISIBLE = re.compile(rb"[!-~]")


def has_visible_text(output: bytes) -> bool:
    return _VISIBLE.search(_ESCAPES.sub(b"", output)) is not None


def time_to_first_frame(args: list[str] | None = None) -> float:
    """Seconds from spawn to the first visible text the app writes to its terminal."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    env.pop("TEXTUAL", None)
    began = time.perf_counter()
    process = subprocess.Popen(
        [*cli_command(), *(args or ["--demo"])],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    try:
        while True:
            remaining = TIMEOUT_S - (time.perf_counter() - began)
            if remaining <= 0:
                raise RuntimeError(f"no frame within {TIMEOUT_S} s; output {output[-300:]!r}")
            ready, _, _ = select.select([leader], [], [], min(remaining, 0.5))
            if not ready:
                if process.poll() is not None:
                    raise RuntimeError(f"the app exited ({process.returncode}): {output[-300:]!r}")
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the app closed the terminal
                raise RuntimeError(f"the app closed its terminal: {output[-300:]!r}") from None
            output += chunk
            if has_visible_text(output):
                return time.perf_counter() - began
    finally:
        _stop(process, leader)


def _stop(process: subprocess.Popen[bytes], leader: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own session: only what we started
        deadline = time.monotonic() + 5
        while process.poll() is None and time.monotonic() < deadline:
            _drain(leader)
            time.sleep(0.02)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    os.close(leader)


def _drain(leader: int) -> None:
    while select.select([leader], [], [], 0)[0]:
        try:
            if not os.read(leader, 65536):
                return
        except OSError:
            return


def measure_startup(runs: int) -> Stat:
    return Stat.of([time_to_first_frame() for _ in range(runs)])
