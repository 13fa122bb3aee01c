"""The one type a secret (auth token or API key secret) travels in.

From the moment it is read (prompt, stdin, environment, keyring) to the auth header, a
secret is a `Secret`: its repr and str are masked, so no traceback, log line, f-string or
error message can show it by accident. Only `reveal()` gives the text, and only the
code that must hand it on (the HTTP auth, the keyring write) calls it.
"""

from __future__ import annotations

from typing import Final, NoReturn

MASK: Final = "****"


class Secret:
    """A masked string. Compare with `==`, test with `bool()`; read with `reveal()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError("a Secret holds a str")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """The secret's text: only for the auth header and the keyring."""
        value: str = object.__getattribute__(self, "_value")
        return value

    def hint(self) -> str:
        """At most the last 4 characters (none of a short secret), for `auth status`."""
        value = self.reveal()
        return MASK if len(value) < 12 else "…" + value[-4:]

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self.reveal())

    def __len__(self) -> int:
        return len(self.reveal())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self.reveal() == other.reveal()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self.reveal()))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __reduce__(self) -> NoReturn:
        # Pickling would write the secret wherever the pickle goes.
        raise TypeError("a Secret cannot be pickled")


def as_secret(value: str | Secret) -> Secret:
    """Wrap a freshly read secret (a Secret passes through unchanged)."""
    return value if isinstance(value, Secret) else Secret(value)
