"""Drives the real app in tmux like a person: keys, typed text, the screen as text."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable


class Terminal:
    """One tmux session; with `socket`, on a private tmux server (nothing else touched)."""

    def __init__(self, session: str, socket: str | None = None) -> None:
        self.session = session
        self.socket = socket

    def run(self, *args: str) -> str:
        server = ["-L", self.socket] if self.socket else []
        done = subprocess.run(
            ["tmux", *server, *args], check=True, capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")
