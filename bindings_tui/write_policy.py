"""Read-only mode: whether this run may delete, and where that was decided.

Three sources, resolved in one function (`resolve_write_policy`): the `--read-only` flag,
`BINDINGS_TUI_READ_ONLY=1` in the environment, and `read_only = true` on the profile in
use. Any one of them makes the run read-only; none can undo another (a production
profile stays guarded whatever the environment says).

The policy is kept at the client boundary: `TwilioClient` refuses every non-GET request
under a read-only policy before any socket work, and `deletes.delete_many` checks first so
a refused bulk delete is one error, not one per binding.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bindings_tui.errors import InputError, ReadOnlyError
from bindings_tui.textsafe import clip, make_visible

READ_ONLY_ENV: Final = "BINDINGS_TUI_READ_ONLY"
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class WritePolicy:
    """`read_only` and, when set, the source that set it (shown in every refusal)."""

    read_only: bool = False
    source: str = ""

    def refusal(self, what: str = "delete") -> str:
        """`read-only (--read-only): refused to delete; nothing was sent`."""
        return f"read-only ({self.source}): refused to {what}; nothing was sent"

    def check(self, what: str = "delete") -> None:
        """Raise ReadOnlyError when writes are refused."""
        if self.read_only:
            raise ReadOnlyError(self.refusal(what))


WRITABLE: Final = WritePolicy()


def env_read_only(env: Mapping[str, str] | None = None) -> bool:
    """BINDINGS_TUI_READ_ONLY: 1/true/yes/on or 0/false/no/off (empty or unset: off);
    anything else is one InputError line (a typo must not silently mean writable)."""
    env = os.environ if env is None else env
    value = env.get(READ_ONLY_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    shown = clip(make_visible(env.get(READ_ONLY_ENV, "")), 40)
    raise InputError(f"{READ_ONLY_ENV}={shown} is not understood: use 1 (read-only) or 0")


def resolve_write_policy(
    flag: bool,
    env: Mapping[str, str] | None = None,
    *,
    profile_name: str | None = None,
    profile_read_only: bool = False,
) -> WritePolicy:
    """The policy of this run: the first of flag, environment, profile that says read-only."""
    if flag:
        return WritePolicy(True, "--read-only")
    if env_read_only(env):
        return WritePolicy(True, f"{READ_ONLY_ENV}=1")
    if profile_read_only:
        name = clip(make_visible(profile_name or "?"), 64)
        return WritePolicy(True, f"profile {name} (read_only = true)")
    return WRITABLE


__all__ = ["READ_ONLY_ENV", "WRITABLE", "WritePolicy", "env_read_only", "resolve_write_policy"]
