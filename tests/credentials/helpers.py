"""Helpers for the secret-hygiene tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def files_containing(secret: str, roots: Iterable[Path]) -> list[Path]:
    """Every file under `roots` whose name or bytes contain `secret` (plain or UTF-16)."""
    needles = [secret.encode(), secret.encode("utf-16-le")]
    hits: list[Path] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.exists():
            continue
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                path = Path(dirpath, name)
                if path in seen or path.is_symlink() or not path.is_file():
                    continue
                seen.add(path)
                if secret in name:
                    hits.append(path)
                    continue
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                if any(n in data for n in needles):
                    hits.append(path)
    return hits


def cli_command(*args: str) -> list[str]:
    """The real CLI as a user runs it (`bindings-tui`), via this interpreter."""
    return [sys.executable, "-m", "bindings_tui", *args]


def subprocess_env(home: Path, config_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "BINDINGS_TUI_", "PYTHON_KEYRING"))
    }
    env.update(
        HOME=str(home),
        BINDINGS_TUI_CONFIG_DIR=str(config_dir),
        PYTHONPATH=str(REPO_ROOT),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env
