"""The screen goes first: a background pass over the rows waits while the screen is busy
(never on the screen's own thread, never for good); the diagnosis's view of the rows
calls that pause as it is read; a screen can run a long filter's slices after its frames."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bindings_tui.binding_store import BindingsView
from bindings_tui.browse import BrowseSession, Scope
from bindings_tui.browse import screen_first as sf
from bindings_tui.browse.screen_first import ScreenFirst
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.rows import BindingRows, Origin

ORIGIN = Origin(ApiFlavor.CONVERSATIONS, "IS" + "0" * 32)


def make(n: int) -> Binding:
    return Binding.from_json(
        {
            "sid": f"BS{n:032x}",
            "identity": f"user{n % 5}",
            "binding_type": "apn",
            "endpoint": f"endpoint-{n}",
            "date_updated": datetime(2026, 10, 1 + n % 28, tzinfo=UTC).isoformat(),
        }
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def in_thread(fn: Callable[[], float]) -> float:
    out: list[float] = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


def test_a_background_pass_waits_until_the_screen_has_been_quiet() -> None:
    clock = FakeClock()
    gate = ScreenFirst(clock=clock, sleep=clock.sleep)
    assert in_thread(gate.wait) == 0.0  # nothing happened: no wait
    gate.busy()
    clock.now += 0.1
    waited = in_thread(gate.wait)
    assert waited == pytest.approx(sf.HOLD_S - 0.1)
    assert clock.now == pytest.approx(100.0 + sf.HOLD_S)
    assert in_thread(gate.wait) == 0.0  # quiet again


def test_the_screens_own_thread_never_waits() -> None:
    clock = FakeClock()
    gate = ScreenFirst(clock=clock, sleep=clock.sleep)
    gate.busy()
    assert gate.wait() == 0.0
    assert clock.slept == []


def test_one_wait_is_bounded_even_if_the_screen_never_rests() -> None:
    clock = FakeClock()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        gate.busy()  # the user keeps typing

    gate = ScreenFirst(clock=clock, sleep=sleep)
    gate.busy()
    waited = in_thread(gate.wait)
    assert sf.MAX_WAIT_S <= waited < sf.MAX_WAIT_S + 0.1


def test_the_view_of_loaded_rows_pauses_while_it_is_read() -> None:
    store = BindingRows()
    bindings = [make(n) for n in range(5000)]
    store.append(bindings)
    pauses: list[int] = []
    view = store.loaded(lambda: pauses.append(1))
    assert isinstance(view, BindingsView)
    assert list(view) == bindings
    assert len(pauses) == 5000 // BindingsView.PAUSE_EVERY
    pauses.clear()
    assert [view[i] for i in range(len(view))] == bindings  # indexed reads pause too
    assert len(pauses) == 5000 // BindingsView.PAUSE_EVERY
    assert list(view[10:20]) == bindings[10:20]


def test_loaded_rows_stay_what_they_were_after_more_pages_and_deletes() -> None:
    store = BindingRows()
    first = [make(n) for n in range(10)]
    store.append(first)
    everything = store.loaded()  # nothing deleted: a range of rows
    store.append([make(n) for n in range(10, 15)])
    store.remove(first[3].sid)
    assert list(everything) == first
    after = store.loaded()
    assert [b.sid for b in after] == [
        b.sid for b in first + [make(n) for n in range(10, 15)] if b.sid != first[3].sid
    ]


def test_the_diagnosis_reads_the_rows_more_slowly_while_the_user_filters() -> None:
    session = BrowseSession(ORIGIN)
    clock = FakeClock()
    session.screen_first = ScreenFirst(clock=clock, sleep=clock.sleep)
    ticket = session.start_load()
    bindings = [make(n) for n in range(BindingsView.PAUSE_EVERY)]
    request = session.pages_arrived(ticket, bindings, 1, True)
    assert request is not None and request.scope is Scope.SERVICE
    assert in_thread(lambda: float(len(list(request.bindings)))) == len(bindings)
    assert clock.slept == []  # the screen was quiet
    session.set_filter(parse_query("user1"), TypeFilter())
    assert in_thread(lambda: float(len(list(request.bindings)))) == len(bindings)
    assert sum(clock.slept) == pytest.approx(sf.HOLD_S)


@pytest.mark.usefixtures("tiny_slices")
async def test_a_screen_runs_each_slice_of_a_long_filter_when_it_chooses() -> None:
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    session.pages_arrived(ticket, [make(n) for n in range(40)], 1, True)
    turns: list[Callable[[], None]] = []
    session.slice_turn = turns.append  # the screen: after its next frame
    session.set_filter(parse_query("user1"), TypeFilter())
    assert session.rows.filtering
    assert len(turns) == 1
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(turns) == 1  # nothing ran on the loop meanwhile
    while turns:
        turns.pop(0)()
        assert len(turns) <= 1  # one slice at a time
    assert not session.rows.filtering
    assert [b.sid for b in session.rows.in_view()] == [make(n).sid for n in range(1, 40, 5)]
