"""The OS keyring, bounded: every call runs in a daemon thread and gives up after a timeout.

Secrets live only here (service name ``bindings-tui``, username = profile name).
Every keyring failure, whatever the backend, becomes one exception type,
:class:`KeyringUnavailable`, whose message names the fix. No message ever carries
the secret: backend error texts are scrubbed of it before they are shown.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar, cast

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from bindings_tui.credentials.secret import Secret, as_secret
from bindings_tui.errors import ConfigError
from bindings_tui.textsafe import make_visible

log = logging.getLogger("bindings_tui.credentials.secrets")

KEYRING_SERVICE: Final = "bindings-tui"
DEFAULT_TIMEOUT: Final = 5.0
TIMEOUT_ENV: Final = "BINDINGS_TUI_KEYRING_TIMEOUT"

KEYRING_FIX: Final = (
    "unlock your keyring; or install and start a Secret Service such as gnome-keyring "
    "(Linux: apt-get install gnome-keyring); or use the TWILIO_ACCOUNT_SID with "
    "TWILIO_API_KEY + TWILIO_API_SECRET (or TWILIO_AUTH_TOKEN) environment variables instead"
)

T = TypeVar("T")


class KeyringUnavailable(ConfigError):
    """The OS keyring cannot be used right now. The message says why and how to fix it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the OS keyring is unavailable: {reason}. To fix: {KEYRING_FIX}")


@dataclass(frozen=True, slots=True)
class KeyringInfo:
    """Which keyring backend is in use and whether it can hold secrets."""

    backend: str
    usable: bool
    reason: str = ""


def _timeout_from_env() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value <= 120 else DEFAULT_TIMEOUT


def _wrap(value: object) -> Secret | None:
    return Secret(value) if isinstance(value, str) else None


def _scrub(text: str, secret: Secret | None) -> str:
    if secret:
        text = text.replace(secret.reveal(), "****")
    text = make_visible(" ".join(text.split()).rstrip("."))
    return text if len(text) <= 200 else text[:197] + "..."


def _describe_failure(exc: BaseException, secret: Secret | None) -> str:
    name = type(exc).__name__
    if isinstance(exc, keyring.errors.KeyringLocked):
        return "the keyring is locked"
    if isinstance(exc, keyring.errors.NoKeyringError):
        return "no keyring backend is installed or running"
    if isinstance(exc, keyring.errors.InitError):
        detail = _scrub(str(exc), secret)
        return f"the keyring could not be opened: {detail}" if detail else "InitError"
    detail = _scrub(str(exc), secret)
    return f"{name}: {detail}" if detail else name


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    module = cls.__module__.removeprefix("keyring.backends.")
    return f"{module}.{cls.__name__}"


def _unusable_reason(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why a backend cannot hold secrets, or None when it can (as far as we can tell)."""
    if isinstance(backend, fail.Keyring):
        return "no keyring backend is installed or running (keyring fell back to its fail backend)"
    if isinstance(backend, null.Keyring):
        return "the null keyring backend is selected, which stores nothing"
    if isinstance(backend, chainer.ChainerBackend):
        viable = [
            b
            for b in backend.backends
            if not isinstance(b, fail.Keyring | null.Keyring | chainer.ChainerBackend)
        ]
        if not viable:
            return "the keyring chainer found no viable backend"
    return None


class SecretStore:
    """Secrets in the OS keyring, one per profile. Every call is bounded by `timeout`."""

    def __init__(self, service: str = KEYRING_SERVICE, timeout: float | None = None) -> None:
        self.service = service
        self.timeout = _timeout_from_env() if timeout is None else timeout

    def __repr__(self) -> str:
        return f"SecretStore(service={self.service!r}, timeout={self.timeout!r})"

    # ---- the bounded call --------------------------------------------------------------

    def _bounded(self, what: str, fn: Callable[[], T], secret: Secret | None = None) -> T:
        """Run `fn` in a daemon thread; map every failure (and a timeout) to KeyringUnavailable.

        A daemon thread, not an executor: a call stuck on a D-Bus unlock prompt must not
        keep the process alive at exit.
        """
        box: dict[str, object] = {}

        def target() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:
                box["error"] = exc

        thread = threading.Thread(target=target, name=f"keyring-{what}", daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            log.warning("keyring %s did not answer within %.1f s", what, self.timeout)
            raise KeyringUnavailable(
                f"the keyring did not answer within {self.timeout:g} s; it may be locked "
                "and waiting for an unlock prompt"
            )
        if "error" in box:
            error = box.pop("error")
            assert isinstance(error, BaseException)
            if isinstance(error, KeyringUnavailable):
                raise error
            reason = _describe_failure(error, secret)
            # The backend's exception may quote the secret: no local keeps it for a
            # traceback that prints locals.
            del error
            box.clear()
            log.debug("keyring %s failed: %s", what, reason)
            raise KeyringUnavailable(reason) from None
        return cast(T, box.get("value"))

    def _usable_backend(self) -> keyring.backend.KeyringBackend:
        backend = keyring.get_keyring()
        reason = _unusable_reason(backend)
        if reason is not None:
            raise KeyringUnavailable(reason)
        return backend

    # ---- public API ---------------------------------------------------------------------

    def info(self) -> KeyringInfo:
        """Which backend is active and whether it can hold secrets. Never raises."""
        try:
            backend = self._bounded("detect", keyring.get_keyring)
        except KeyringUnavailable as exc:
            return KeyringInfo("unknown", False, exc.reason)
        reason = _unusable_reason(backend)
        return KeyringInfo(backend_name(backend), reason is None, reason or "")

    def check(self) -> str:
        """Raise KeyringUnavailable unless a usable backend is selected; return its name."""
        backend = self._bounded("detect", self._usable_backend)
        return backend_name(backend)

    def get(self, profile: str) -> Secret | None:
        """The secret for `profile` (wrapped the moment it is read), or None when there is none."""

        def call() -> Secret | None:
            return _wrap(self._usable_backend().get_password(self.service, profile))

        return self._bounded("get", call)

    def set(self, profile: str, secret: str | Secret) -> str:
        """Store `secret` for `profile`, read it back to be sure; return the backend name.

        The text is revealed only as the argument of the backend calls, never held in a
        local that a traceback with locals could print.
        """
        secret = as_secret(secret)
        if not secret:
            raise ValueError("refusing to store an empty secret")

        def call() -> str:
            backend = self._usable_backend()
            backend.set_password(self.service, profile, secret.reveal())
            if _wrap(backend.get_password(self.service, profile)) != secret:
                raise KeyringUnavailable(
                    f"{backend_name(backend)} accepted the secret but did not return it "
                    "when read back"
                )
            return backend_name(backend)

        return self._bounded("set", call, secret)

    def delete(self, profile: str) -> bool:
        """Delete the secret for `profile`. True when one was deleted, False when none existed."""

        def call() -> bool:
            backend = self._usable_backend()
            if backend.get_password(self.service, profile) is None:
                return False
            try:
                backend.delete_password(self.service, profile)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._bounded("delete", call)
