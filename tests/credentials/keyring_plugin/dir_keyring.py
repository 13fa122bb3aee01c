"""A keyring backend for subprocess tests: one file per entry in $DIR_KEYRING_PATH.

Selected with PYTHON_KEYRING_BACKEND=dir_keyring.DirKeyring and this directory on
PYTHONPATH. Test-only: it writes secrets to disk, which no real keyring may do.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import keyring.backend
import keyring.errors
from keyring.compat import properties


class DirKeyring(keyring.backend.KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def _path(self, service: str, username: str) -> Path:
        name = base64.urlsafe_b64encode(f"{service}\0{username}".encode()).decode()
        return Path(os.environ["DIR_KEYRING_PATH"]) / name

    def get_password(self, service: str, username: str) -> str | None:
        try:
            return self._path(service, username).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def set_password(self, service: str, username: str, password: str) -> None:
        path = self._path(service, username)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(password, encoding="utf-8")
        os.replace(tmp, path)

    def delete_password(self, service: str, username: str) -> None:
        try:
            self._path(service, username).unlink()
        except FileNotFoundError:
            raise keyring.errors.PasswordDeleteError("no such password") from None
