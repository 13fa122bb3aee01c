"""Watching a list of bindings: what changed between two listings, and the loop that
re-lists every interval.

Headless and clock-free: the loop takes the "list once" coroutine, a clock and a sleep,
so tests drive it step by step. Events are data; the CLI and the TUI render them (every
server string through `textsafe`).

Errors while watching: a 429 the client's own retries could not get past doubles the
interval (up to `MAX_BACKOFF`) and says so; an auth error, a missing service or bad input
ends the watch (they will not heal by waiting); any other error is a notice, and the
watch goes on.
"""

from __future__ import annotations

import enum
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bindings_tui.ages import Clock, system_clock
from bindings_tui.errors import (
    AuthError,
    BindingsError,
    InputError,
    NotFoundError,
    RateLimitedError,
)
from bindings_tui.models import Binding
from bindings_tui.textsafe import clip, make_visible

MIN_INTERVAL: Final = 2.0
DEFAULT_INTERVAL: Final = 5.0
MAX_INTERVAL: Final = 86_400.0
# A rate-limited watch doubles its interval up to this (or the interval, if longer).
MAX_BACKOFF: Final = 300.0

ListOnce = Callable[[], Awaitable[Sequence[Binding]]]
Sleep = Callable[[float], Awaitable[None]]


class EventKind(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class BindingEvent:
    """One binding that appeared, vanished or changed between two listings.

    `binding` is the new record (for `removed`: the last one seen); `fields` names the
    binding's JSON fields that differ (only for `changed`)."""

    kind: EventKind
    at: datetime
    binding: Binding
    fields: tuple[str, ...] = ()


class NoticeKind(enum.StrEnum):
    RATE_LIMITED = "rate_limited"
    FAILED = "failed"  # this refresh failed; the watch goes on
    PAUSED = "paused"  # refreshes wait (the TUI: a dialog is open)


@dataclass(frozen=True, slots=True)
class WatchNotice:
    """Something about the watch itself; `text` is one printable line."""

    kind: NoticeKind
    at: datetime
    text: str
    next_refresh: float  # seconds until the next try


@dataclass(frozen=True, slots=True)
class Refresh:
    """One listing. The first (`number` 0) is the baseline, with no events; each later
    one carries what changed since the one before (empty: nothing)."""

    number: int
    at: datetime
    bindings: tuple[Binding, ...]
    events: tuple[BindingEvent, ...]

    @property
    def baseline(self) -> bool:
        return self.number == 0


WatchUpdate = Refresh | WatchNotice


def check_interval(seconds: float) -> float:
    """An interval is finite, at least `MIN_INTERVAL` and at most a day."""
    if not isinstance(seconds, int | float) or not math.isfinite(seconds):
        raise InputError("the watch interval must be a finite number of seconds")
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise InputError(
            f"the watch interval must be {MIN_INTERVAL:g}..{MAX_INTERVAL:g} seconds "
            f"(got {seconds:g})"
        )
    return float(seconds)


_ABSENT: Final = object()


def changed_fields(old: Binding, new: Binding) -> tuple[str, ...]:
    """The JSON fields whose values differ (new's key order, then keys only old has)."""
    before, after = old.raw, new.raw
    keys = list(after) + [k for k in before if k not in after]
    return tuple(k for k in keys if before.get(k, _ABSENT) != after.get(k, _ABSENT))


def diff_listings(
    old: Iterable[Binding] | Mapping[str, Binding], new: Iterable[Binding], at: datetime
) -> list[BindingEvent]:
    """Events from `old` to `new`, keyed by SID: added and changed in `new`'s order, then
    removed in `old`'s order."""
    before = dict(old) if isinstance(old, Mapping) else {b.sid: b for b in old}
    after = {b.sid: b for b in new}
    events: list[BindingEvent] = []
    for sid, binding in after.items():
        previous = before.get(sid)
        if previous is None:
            events.append(BindingEvent(EventKind.ADDED, at, binding))
            continue
        fields = changed_fields(previous, binding)
        if fields:
            events.append(BindingEvent(EventKind.CHANGED, at, binding, fields))
    events += [
        BindingEvent(EventKind.REMOVED, at, binding)
        for sid, binding in before.items()
        if sid not in after
    ]
    return events


def _line(error: BindingsError) -> str:
    return clip(make_visible(error.user_message()), 300)


def _never_paused() -> bool:
    return False


async def watch(
    list_once: ListOnce,
    *,
    interval: float = DEFAULT_INTERVAL,
    clock: Clock = system_clock,
    sleep: Sleep | None = None,
    paused: Callable[[], bool] = _never_paused,
) -> AsyncIterator[WatchUpdate]:
    """List, yield the baseline, then every `interval` list again and yield what changed.

    Runs until the consumer stops iterating (or cancels); `sleep` defaults to
    `asyncio.sleep`. While `paused()` holds, no
    listing is made (one PAUSED notice when that starts). Raises `AuthError`,
    `NotFoundError` and `InputError`; other `BindingsError`s are notices.
    """
    interval = check_interval(interval)
    if sleep is None:
        import asyncio  # here: the CLI's parser reads this module's bounds at start-up

        sleep = asyncio.sleep
    wait = interval
    previous: dict[str, Binding] | None = None
    number = 0
    was_paused = False
    while True:
        if paused():
            if not was_paused:
                was_paused = True
                yield WatchNotice(NoticeKind.PAUSED, clock(), "paused", interval)
            await sleep(interval)
            continue
        was_paused = False
        try:
            listing = tuple(await list_once())
        except (AuthError, NotFoundError, InputError):
            raise
        except RateLimitedError:
            wait = min(wait * 2, max(MAX_BACKOFF, interval))
            text = f"rate limited: next refresh in {wait:g} s"
            yield WatchNotice(NoticeKind.RATE_LIMITED, clock(), text, wait)
            await sleep(wait)
            continue
        except BindingsError as exc:
            text = f"refresh failed: {_line(exc)}; next refresh in {wait:g} s"
            yield WatchNotice(NoticeKind.FAILED, clock(), text, wait)
            await sleep(wait)
            continue
        wait = interval  # a listing went through: back to the asked pace
        at = clock()
        events = () if previous is None else tuple(diff_listings(previous, listing, at))
        previous = {b.sid: b for b in listing}
        yield Refresh(number, at, listing, events)
        number += 1
        await sleep(wait)


__all__ = [
    "DEFAULT_INTERVAL",
    "MAX_BACKOFF",
    "MIN_INTERVAL",
    "BindingEvent",
    "EventKind",
    "NoticeKind",
    "Refresh",
    "WatchNotice",
    "WatchUpdate",
    "changed_fields",
    "check_interval",
    "diff_listings",
    "watch",
]
