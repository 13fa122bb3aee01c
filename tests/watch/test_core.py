"""The headless watch: the diff of two listings and the loop (fake clock, scripted sleep)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bindings_tui.errors import AuthError, InputError, NotFoundError, RateLimitedError, ServerError
from bindings_tui.models import Binding
from bindings_tui.watch import (
    MAX_BACKOFF,
    EventKind,
    NoticeKind,
    Refresh,
    WatchNotice,
    WatchUpdate,
    changed_fields,
    check_interval,
    diff_listings,
    watch,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def binding(n: int, **fields: Any) -> Binding:
    raw = {
        "sid": f"BS{n:032x}",
        "identity": fields.pop("identity", f"user-{n}"),
        "binding_type": "apn",
        "endpoint": f"token-{n}",
        "message_types": ["new_message"],
        "date_updated": "2024-01-01T00:00:00Z",
    }
    raw.update(fields)
    return Binding.from_json(raw)


def test_diff_finds_added_removed_and_changed_with_the_fields() -> None:
    old = [binding(1), binding(2), binding(3)]
    new = [
        binding(1),
        binding(3, endpoint="fresh", date_updated="2024-02-01T00:00:00Z"),
        binding(4),
    ]
    events = diff_listings(old, new, T0)
    assert [(e.kind, e.binding.sid) for e in events] == [
        (EventKind.CHANGED, binding(3).sid),
        (EventKind.ADDED, binding(4).sid),
        (EventKind.REMOVED, binding(2).sid),
    ]
    assert events[0].fields == ("endpoint", "date_updated")
    assert all(e.at == T0 for e in events)


def test_changed_fields_sees_a_field_that_appears_or_vanishes() -> None:
    old = binding(1, credential_sid="CR" + "1" * 32)
    new = binding(1, message_types=["new_message", "added_to_conversation"])
    assert changed_fields(old, new) == ("message_types", "credential_sid")
    assert changed_fields(old, old) == ()


def test_same_listing_gives_no_events() -> None:
    listing = [binding(n) for n in range(5)]
    assert diff_listings(listing, list(reversed(listing)), T0) == []


@pytest.mark.parametrize("bad", [1.99, 0.0, -5.0, float("nan"), float("inf"), 86_401.0])
def test_interval_out_of_range_is_refused(bad: float) -> None:
    with pytest.raises(InputError):
        check_interval(bad)
    assert check_interval(2) == 2.0


class Script:
    """`list_once` answers from a script; `sleep` records the waits and moves the clock."""

    def __init__(self, answers: Sequence[list[Binding] | Exception]) -> None:
        self.answers = list(answers)
        self.calls = 0
        self.waits: list[float] = []
        self.now = T0
        self.paused = False

    async def list_once(self) -> list[Binding]:
        answer = self.answers[self.calls]
        self.calls += 1
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)

    def clock(self) -> datetime:
        return self.now


async def run(script: Script, count: int, interval: float = 5.0) -> list[WatchUpdate]:
    updates: list[WatchUpdate] = []
    stream = watch(
        script.list_once,
        interval=interval,
        clock=script.clock,
        sleep=script.sleep,
        paused=lambda: script.paused,
    )
    async for update in stream:
        updates.append(update)
        if len(updates) == count:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    return updates


def rate_limited() -> RateLimitedError:
    return RateLimitedError(429, "Too Many Requests", 20429)


async def test_baseline_then_one_refresh_per_interval_with_its_events() -> None:
    a, b = binding(1), binding(2)
    script = Script([[a], [a], [a, b], [b]])
    updates = await run(script, 4)
    assert all(isinstance(u, Refresh) for u in updates)
    refreshes = [u for u in updates if isinstance(u, Refresh)]
    assert refreshes[0].baseline and refreshes[0].events == () and refreshes[0].bindings == (a,)
    assert refreshes[1].events == ()
    assert [(e.kind, e.binding.sid) for e in refreshes[2].events] == [(EventKind.ADDED, b.sid)]
    assert [(e.kind, e.binding.sid) for e in refreshes[3].events] == [(EventKind.REMOVED, a.sid)]
    assert script.waits == [5.0, 5.0, 5.0]
    assert refreshes[3].at == T0 + timedelta(seconds=15)


async def test_429_doubles_the_interval_up_to_the_cap_says_so_and_recovers() -> None:
    a = binding(1)
    answers: list[list[Binding] | Exception] = [[a]] + [rate_limited()] * 8 + [[a], [a]]
    script = Script(answers)
    updates = await run(script, 11, interval=30.0)
    notices = [u for u in updates if isinstance(u, WatchNotice)]
    assert [n.kind for n in notices] == [NoticeKind.RATE_LIMITED] * 8
    assert [n.next_refresh for n in notices] == [60, 120, 240, 300, 300, 300, 300, 300]
    assert notices[0].text == "rate limited: next refresh in 60 s"
    assert script.waits[:9] == [30, 60, 120, 240, 300, 300, 300, 300, 300]
    assert script.waits[9] == 30  # a listing went through: back to the asked interval
    assert MAX_BACKOFF == 300


async def test_other_errors_are_a_notice_and_the_watch_goes_on() -> None:
    a, b = binding(1), binding(2)
    hostile = ServerError(503, "down \x1b]52;c;AAAA\x07 for now", 20500)
    script = Script([[a], hostile, [b]])
    updates = await run(script, 3)
    notice = updates[1]
    assert isinstance(notice, WatchNotice) and notice.kind is NoticeKind.FAILED
    assert "\x1b" not in notice.text and "\\x1b" in notice.text
    last = updates[2]
    assert isinstance(last, Refresh)
    assert {(e.kind, e.binding.sid) for e in last.events} == {
        (EventKind.ADDED, b.sid),
        (EventKind.REMOVED, a.sid),
    }


@pytest.mark.parametrize(
    "fatal",
    [AuthError(401, "Authenticate", 20003), NotFoundError(404, "no such service", 20404)],
)
async def test_auth_error_or_missing_service_ends_the_watch(fatal: Exception) -> None:
    script = Script([[binding(1)], fatal])
    with pytest.raises(type(fatal)):
        await run(script, 5)
    assert script.calls == 2


async def test_paused_makes_no_listing_and_says_so_once() -> None:
    a = binding(1)
    script = Script([[a]])
    script.paused = True
    real_sleep = script.sleep

    async def sleep(seconds: float) -> None:  # three ticks pass paused, then it resumes
        await real_sleep(seconds)
        script.paused = len(script.waits) < 3

    stream = watch(
        script.list_once, interval=2, clock=script.clock, sleep=sleep,
        paused=lambda: script.paused,
    )  # fmt: skip
    first = await anext(stream)
    assert isinstance(first, WatchNotice) and first.kind is NoticeKind.PAUSED
    second = await anext(stream)  # no second PAUSED notice while it stays paused
    assert isinstance(second, Refresh) and second.baseline
    assert script.waits == [2, 2, 2]
    assert script.calls == 1  # nothing was listed while paused
    await stream.aclose()  # type: ignore[attr-defined]
