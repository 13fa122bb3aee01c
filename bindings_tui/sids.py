"""Twilio SID patterns and validation."""

from __future__ import annotations

import re
from typing import Final

from bindings_tui.errors import InputError

# Two-letter prefix -> what a user calls it (used in error messages).
SID_KINDS: Final[dict[str, str]] = {
    "AC": "account SID",
    "IS": "service SID",
    "BS": "binding SID",
    "CR": "credential SID",
    "SK": "API key SID",
}

_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    prefix: re.compile(rf"^{prefix}[0-9a-fA-F]{{32}}$") for prefix in SID_KINDS
}


def is_sid(prefix: str, value: str) -> bool:
    """True when `value` is a well-formed SID with the given two-letter prefix."""
    # fullmatch: with match, `$` would also accept a trailing newline.
    return bool(_PATTERNS[prefix].fullmatch(value))


def validate_sid(prefix: str, value: str) -> str:
    """Return `value` stripped when it is a well-formed SID, else raise InputError."""
    candidate = value.strip()
    if not is_sid(prefix, candidate):
        kind = SID_KINDS[prefix]
        shown = candidate if len(candidate) <= 40 else candidate[:37] + "..."
        raise InputError(
            f"{shown!r} is not a valid {kind}: expected {prefix} followed by 32 hex digits"
        )
    return candidate


def shorten_sid(sid: str, keep: int = 6) -> str:
    """`ACabcdef…1234` style shortening for headers where space is tight."""
    if len(sid) <= 2 + keep + 4:
        return sid
    return f"{sid[: 2 + keep]}…{sid[-4:]}"
