"""Run the real CLI as a subprocess and check what every hostile scenario must keep.

Checked on every run: the process ends (hang guard only, never a timing assert), no
traceback, the token in neither stream, and no raw terminal-active character (C0 other
than TAB/LF/CR, DEL, C1, bidi controls) in either stream: table and csv output make
them visible and JSON escapes them, so no format may write them raw.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.hostile.twilio import ACCOUNT_SID, TOKEN

REPO_ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 60
RSS_LIMIT_KB = 400 * 1024
AS_LIMIT_BYTES = 3 << 30
PROG = "bindings-tui:"
# What a terminal acts on: C0 except TAB/LF/CR, DEL, C1, bidi embeddings/overrides/isolates.
TERMINAL_ACTIVE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class CliResult:
    argv: list[str]
    code: int
    stdout: bytes
    stderr: bytes
    peak_rss_kb: int | None = None

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout:\n{self.out[:3000]}\n--- stderr:\n{self.err[:3000]}"


def cli_env(config_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "BINDINGS_TUI_", "PYTHON_KEYRING"))
    }
    env.update(
        HOME=str(config_dir.parent),
        BINDINGS_TUI_CONFIG_DIR=str(config_dir),
        BINDINGS_TUI_DATA_DIR=str(config_dir.parent / "data"),
        PYTHONPATH=str(REPO_ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        COLUMNS="120",
    )
    env.update(extra)
    return env


def run_cli(config_dir: Path, base_url: str, *args: str, measure_rss: bool = False) -> CliResult:
    """`bindings-tui --base-url BASE_URL ARGS...`, checked for what every run must keep."""
    cli = [sys.executable, "-m", "bindings_tui", "--base-url", base_url, *args]
    rss_file = config_dir.parent / "peak_rss_kb"
    argv = cli
    if measure_rss:
        wrapper = str(Path(__file__).with_name("rss_wrapper.py"))
        argv = [sys.executable, wrapper, str(rss_file), str(AS_LIMIT_BYTES), "--", *cli]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(config_dir),
        start_new_session=True,  # so the hang guard can end the child and any grandchild
    )
    try:
        out, err = proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        raise AssertionError(
            f"hung: `{' '.join(args)}` still running after {HANG_GUARD_S} s\n"
            f"stdout: {out[-2000:]!r}\nstderr: {err[-2000:]!r}"
        ) from None
    result = CliResult(argv, proc.returncode, out, err)
    if measure_rss:
        result.peak_rss_kb = int(rss_file.read_text())
    check_always(result)
    return result


def check_always(result: CliResult) -> None:
    assert b"Traceback" not in result.stdout + result.stderr, f"traceback:\n{result}"
    assert TOKEN.encode() not in result.stdout + result.stderr, "the token was printed"
    assert_inert(result.stdout, "stdout")
    assert_inert(result.stderr, "stderr")


def assert_inert(data: bytes, where: str) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"{where} is not UTF-8 (a raw 8-bit C1 byte?): {exc}") from None
    found = TERMINAL_ACTIVE.search(text)
    assert found is None, (
        f"raw terminal-active character {found.group()!r} in {where}: "
        f"{text[max(0, found.start() - 60) : found.end() + 60]!r}"
    )


def assert_failed(result: CliResult, code: int = 1, *, one_line: bool = True) -> None:
    """A failure: the exit code, and stderr made only of `bindings-tui:` lines."""
    assert result.code == code, f"expected exit {code}:\n{result}"
    lines = result.err_lines
    assert lines, f"a failure with nothing on stderr:\n{result}"
    assert all(line.startswith(PROG) for line in lines), f"stderr lines not all `{PROG}`:\n{result}"
    if one_line:
        assert len(lines) == 1, f"expected one line on stderr:\n{result}"


def assert_rss_bounded(result: CliResult) -> None:
    assert result.peak_rss_kb is not None
    assert result.peak_rss_kb < RSS_LIMIT_KB, (
        f"peak RSS {result.peak_rss_kb // 1024} MB >= {RSS_LIMIT_KB // 1024} MB:\n{result}"
    )
