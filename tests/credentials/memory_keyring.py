"""An in-memory keyring for tests (secrets never on disk), and installing one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.backend
import keyring.errors
from keyring.compat import properties


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps secrets in a dict (never on disk)."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("no such password")
        del self.entries[(service, username)]


@contextmanager
def installed_memory_keyring() -> Iterator[MemoryKeyring]:
    """A fresh MemoryKeyring as the process's keyring; the previous one restored after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
