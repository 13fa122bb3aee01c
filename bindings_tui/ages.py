"""Relative ages ("3d", "5mo") with an injectable clock. No textual import here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MONTH = 30 * _DAY
_YEAR = 365 * _DAY


def system_clock() -> datetime:
    """The real current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always answers `moment` (for tests and snapshots)."""

    def clock() -> datetime:
        return moment

    return clock


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def relative_age(then: datetime | None, now: datetime) -> str:
    """Compact age of `then` as seen at `now`: "now", "45s", "12m", "3h", "4d", "5mo", "2y".

    Unknown times give "-"; times in the future (clock skew) give "future".
    """
    if then is None:
        return "-"
    seconds = int((_aware(now) - _aware(then)).total_seconds())
    if seconds < -60:
        return "future"
    if seconds < 5:
        return "now"
    if seconds < _MINUTE:
        return f"{seconds}s"
    if seconds < _HOUR:
        return f"{seconds // _MINUTE}m"
    if seconds < _DAY:
        return f"{seconds // _HOUR}h"
    if seconds < _MONTH:
        return f"{seconds // _DAY}d"
    if seconds < _YEAR:
        return f"{seconds // _MONTH}mo"
    return f"{seconds // _YEAR}y"


def long_age(then: datetime | None, now: datetime) -> str:
    """`2024-05-01 10:00:00 UTC (5mo ago)` for the detail pane."""
    if then is None:
        return "-"
    age = relative_age(then, now)
    stamp = _aware(then).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if age in ("now", "future"):
        return f"{stamp} ({age})"
    return f"{stamp} ({age} ago)"
