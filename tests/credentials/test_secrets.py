"""The keyring wrapper: unusable backends, failures and hangs all become KeyringUnavailable."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KEYRING_SERVICE, KeyringUnavailable, SecretStore
from bindings_tui.errors import ConfigError

from .conftest import SECRET, MemoryKeyring

UseBackend = Callable[[keyring.backend.KeyringBackend], None]


def _assert_clear(exc: KeyringUnavailable) -> None:
    text = str(exc)
    assert isinstance(exc, ConfigError)
    assert "gnome-keyring" in text
    assert "TWILIO_API_KEY" in text
    assert "unlock" in text
    assert SECRET not in text and SECRET not in repr(exc)


def test_set_get_delete_round_trip(memory_keyring: MemoryKeyring, secrets: SecretStore) -> None:
    assert secrets.get("p") is None
    assert "MemoryKeyring" in secrets.set("p", SECRET)
    assert memory_keyring.entries == {(KEYRING_SERVICE, "p"): SECRET}
    got = secrets.get("p")
    assert isinstance(got, Secret) and got.reveal() == SECRET
    assert secrets.delete("p") is True
    assert secrets.delete("p") is False
    assert memory_keyring.entries == {}


def test_repr_of_store_and_info_hold_no_secret(
    memory_keyring: MemoryKeyring, secrets: SecretStore
) -> None:
    secrets.set("p", SECRET)
    assert SECRET not in repr(secrets)
    info = secrets.info()
    assert info.usable and "MemoryKeyring" in info.backend
    assert SECRET not in repr(info)


@pytest.mark.parametrize(
    ("backend", "reason"),
    [(fail.Keyring(), "fail backend"), (null.Keyring(), "null keyring backend")],
)
def test_fail_and_null_backends_are_detected_before_any_call(
    use_backend: UseBackend,
    secrets: SecretStore,
    backend: keyring.backend.KeyringBackend,
    reason: str,
) -> None:
    use_backend(backend)
    for call in (lambda: secrets.set("p", SECRET), lambda: secrets.get("p"), secrets.check):
        with pytest.raises(KeyringUnavailable, match=reason) as info:
            call()
        _assert_clear(info.value)
    assert not secrets.info().usable


def test_chainer_without_viable_backend_is_detected(
    use_backend: UseBackend, secrets: SecretStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A chainer whose only candidates are fail/null would silently drop set_password.
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [fail.Keyring()])
    use_backend(chainer.ChainerBackend())
    with pytest.raises(KeyringUnavailable, match="chainer found no viable backend") as info:
        secrets.set("p", SECRET)
    _assert_clear(info.value)


def test_chainer_with_a_real_backend_is_accepted(
    use_backend: UseBackend, secrets: SecretStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = MemoryKeyring()
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [inner])
    use_backend(chainer.ChainerBackend())
    secrets.set("p", SECRET)
    assert inner.entries[(KEYRING_SERVICE, "p")] == SECRET


class RaisingKeyring(keyring.backend.KeyringBackend):
    """Raises the given exception, whose text includes the secret, from every call."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


class DBusError(Exception):
    """Stands in for jeepney/secretstorage errors, which are not KeyringErrors."""


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (keyring.errors.KeyringLocked(f"locked {SECRET}"), "the keyring is locked"),
        (keyring.errors.NoKeyringError(f"none {SECRET}"), "no keyring backend"),
        (keyring.errors.InitError(f"Failed to create the collection {SECRET}"), "could not be"),
        (keyring.errors.PasswordSetError(f"nope {SECRET}"), "PasswordSetError: nope ****"),
        (DBusError(f"org.freedesktop.DBus.Error.ServiceUnknown {SECRET}"), "DBusError"),
    ],
)
def test_every_backend_failure_maps_to_keyring_unavailable_without_the_secret(
    use_backend: UseBackend, secrets: SecretStore, exc: Exception, expected: str
) -> None:
    use_backend(RaisingKeyring(exc))
    with pytest.raises(KeyringUnavailable, match=re.escape(expected)) as info:
        secrets.set("p", SECRET)
    _assert_clear(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(KeyringUnavailable):
        secrets.get("p")


class HangingKeyring(MemoryKeyring):
    """Blocks like a keyring waiting on an unlock prompt nobody answers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None


def test_a_hanging_keyring_call_is_bounded(use_backend: UseBackend) -> None:
    backend = HangingKeyring()
    use_backend(backend)
    try:
        with pytest.raises(KeyringUnavailable, match=r"did not answer within 0\.2 s") as info:
            SecretStore(timeout=0.2).set("p", SECRET)
        _assert_clear(info.value)
        with pytest.raises(KeyringUnavailable, match="did not answer"):
            SecretStore(timeout=0.2).get("p")
    finally:
        backend.release.set()


class DiscardingKeyring(MemoryKeyring):
    """Accepts set_password but keeps nothing (like a misconfigured backend)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


def test_a_backend_that_drops_the_secret_is_caught_by_the_read_back(
    use_backend: UseBackend, secrets: SecretStore
) -> None:
    use_backend(DiscardingKeyring())
    with pytest.raises(KeyringUnavailable, match="did not return it"):
        secrets.set("p", SECRET)


def test_empty_secret_is_refused(memory_keyring: MemoryKeyring, secrets: SecretStore) -> None:
    with pytest.raises(ValueError):
        secrets.set("p", "")
    assert memory_keyring.entries == {}


def test_timeout_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINDINGS_TUI_KEYRING_TIMEOUT", "1.5")
    assert SecretStore().timeout == 1.5
    monkeypatch.setenv("BINDINGS_TUI_KEYRING_TIMEOUT", "forever")
    assert SecretStore().timeout == 5.0
