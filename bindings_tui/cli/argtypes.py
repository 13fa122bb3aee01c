"""Checks for every command-line value, as argparse `type=` functions.

argparse calls them while parsing, for every command and wherever the option is given
(before or after the subcommand), so a bad value never reaches a command: it is one
`bindings-tui: error: argument --X: ...` line and exit 2. Each check names the rule and
shows the offending text inert and clipped (`hosts.shown`).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final, TypeVar

from bindings_tui.errors import InputError
from bindings_tui.hosts import check_explicit_base_url, shown, validate_location

T = TypeVar("T")

MAX_TIMEOUT: Final = 600.0
MAX_RETRIES: Final = 20
MAX_LIMIT: Final = 1_000_000_000
MAX_FAKE_BINDINGS: Final = 2_000_000
MAX_LATENCY_MS: Final = 60_000.0
MAX_STALE_DAYS: Final = 36_500
MAX_PILE_UP: Final = 1_000_000
MAX_TOKEN_CHARS: Final = 64
MAX_INT_CHARS: Final = 20
MIN_TIME_YEAR: Final = 1970
MAX_TIME_YEAR: Final = 9000
MIN_FAKE_NOW_YEAR: Final = 1990


def _argument_type(fn: Callable[[str], T]) -> Callable[[str], T]:
    """Turn the project's InputError into argparse's ArgumentTypeError (its one line)."""

    def check(text: str) -> T:
        try:
            return fn(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(exc.user_message()) from None

    check.__name__ = fn.__name__
    return check


def iso_time(text: str, option: str = "--now") -> datetime:
    """An ISO 8601 time (`Z` or an offset; none means UTC) between MIN_TIME_YEAR and
    MAX_TIME_YEAR in UTC, or one InputError line naming `option`."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value) if len(value) <= 64 else None
        if parsed is not None:
            parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
            # Ages are computed in UTC: a time that has none (0001-01-01T00:00+05:00) or is
            # absurdly far away is refused here rather than overflowing later.
            if not MIN_TIME_YEAR <= parsed.astimezone(UTC).year <= MAX_TIME_YEAR:
                parsed = None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        named = f"{option} " if option else ""
        raise InputError(
            f"{named}{shown(text, 40)} is not an ISO 8601 time between {MIN_TIME_YEAR} and "
            f"{MAX_TIME_YEAR} (like 2026-11-01T00:00:00Z)"
        )
    return parsed


@_argument_type
def fake_now(text: str) -> datetime:
    # The seeded dates reach about 10 years back: the fake's now is 1990 or later.
    moment = iso_time(text, option="")
    if moment.astimezone(UTC).year < MIN_FAKE_NOW_YEAR:
        raise InputError(f"{shown(text, 40)} is before {MIN_FAKE_NOW_YEAR}")
    return moment


def _int(text: str, low: int, high: int, what: str) -> int:
    if len(text) > MAX_INT_CHARS:
        raise InputError(f"{shown(text, 24)} is not a whole number in {low}..{high}")
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{shown(text, 24)} is not a whole number ({what})") from None
    if not low <= value <= high:
        raise InputError(f"{value} is out of range: use {low}..{high} ({what})")
    return value


def _float(text: str, low: float, high: float, what: str, *, low_open: bool) -> float:
    try:
        value = float(text) if len(text) <= 40 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{shown(text, 24)} is not a number ({what})")
    if not ((low < value if low_open else low <= value) and value <= high):
        bound = f"more than {low:g} and at most {high:g}" if low_open else f"{low:g}..{high:g}"
        raise InputError(f"{value:g} is out of range: use {bound} ({what})")
    return value


@_argument_type
def timeout_seconds(text: str) -> float:
    return _float(text, 0.0, MAX_TIMEOUT, "seconds", low_open=True)


@_argument_type
def retry_count(text: str) -> int:
    return _int(text, 0, MAX_RETRIES, "retries")


@_argument_type
def region(text: str) -> str | None:
    return validate_location("region", text)


@_argument_type
def edge(text: str) -> str | None:
    return validate_location("edge", text)


@_argument_type
def base_url(text: str) -> str:
    return check_explicit_base_url(text)


@_argument_type
def profile_name(text: str) -> str:
    from bindings_tui.credentials.profiles import validate_profile_name

    return validate_profile_name(text)


@_argument_type
def sid_text(text: str) -> str:
    """A SID-shaped argument: bounded and printable here; the kind is checked by the command
    (which knows whether it wants IS, BS or AC)."""
    if len(text) > MAX_TOKEN_CHARS or not text.isprintable():
        raise InputError(f"{shown(text, 40)} is not a SID (two letters and 32 hex digits)")
    return text


@_argument_type
def identity(text: str) -> str:
    from bindings_tui.request_checks import check_identity

    # An empty value (`--identity "$UNSET"`) would silently mean "every identity": in a
    # script that pipes into delete, that is the whole service.
    if not text:
        raise InputError("an identity is empty: give the identity to look for")
    return check_identity(text)


@_argument_type
def binding_type(text: str) -> str:
    # The API flavour decides which types exist (client.check_binding_types); this bounds it.
    if len(text) > MAX_TOKEN_CHARS or not text.isprintable():
        raise InputError(f"{shown(text, 40)} is not a binding type (apn, gcm, fcm, twilsock)")
    return text


@_argument_type
def page_size(text: str) -> int:
    return _int(text, 1, 1000, "bindings per page")


@_argument_type
def limit(text: str) -> int:
    return _int(text, 1, MAX_LIMIT, "bindings")


@_argument_type
def watch_interval(text: str) -> float:
    from bindings_tui.watch import MAX_INTERVAL, MIN_INTERVAL

    return _float(text, MIN_INTERVAL, MAX_INTERVAL, "seconds between refreshes", low_open=False)


@_argument_type
def port(text: str) -> int:
    return _int(text, 1, 65535, "port")


@_argument_type
def fake_bindings(text: str) -> int:
    return _int(text, 0, MAX_FAKE_BINDINGS, "bindings")


@_argument_type
def seed(text: str) -> int:
    return _int(text, -(2**63), 2**63 - 1, "seed")


@_argument_type
def latency_ms(text: str) -> float:
    return _float(text, 0.0, MAX_LATENCY_MS, "milliseconds", low_open=False)


@_argument_type
def stale_days(text: str) -> int:
    return _int(text, 1, MAX_STALE_DAYS, "days")


@_argument_type
def pile_up(text: str) -> int:
    return _int(text, 1, MAX_PILE_UP, "bindings")


@_argument_type
def listen_host(text: str) -> str:
    """`fake-twilio --host`: an IP address or a host name, nothing else."""
    import ipaddress

    from bindings_tui.hosts import is_dns_name_or_ip

    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not is_dns_name_or_ip(text.lower()):
            raise InputError(f"{shown(text, 40)} is not an IP address or host name") from None
    return text


__all__ = []


MAX_FAULT_SPEC_CHARS: Final = 1000


@_argument_type
def fault_spec(text: str) -> str:
    """`fake-twilio --faults`: bounded and printable; the fake parses the rest."""
    if len(text) > MAX_FAULT_SPEC_CHARS or not text.isprintable():
        raise InputError(
            f"a fault spec is at most {MAX_FAULT_SPEC_CHARS} printable characters "
            f"(got {shown(text, 40)})"
        )
    return text


@_argument_type
def alerts_days(text: str) -> int:
    from bindings_tui.evidence.alerts import MAX_ALERT_DAYS

    return _int(text, 1, MAX_ALERT_DAYS, "days of Twilio alerts; Twilio keeps 30")


@_argument_type
def max_alerts(text: str) -> int:
    from bindings_tui.evidence.alerts import MAX_MAX_ALERTS

    return _int(text, 1, MAX_MAX_ALERTS, "alerts read at most")
