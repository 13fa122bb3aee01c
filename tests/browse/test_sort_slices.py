"""A sort over many rows in the browse session: `set_sort` returns at once with the old
order still shown, and the loop lands the sort one slice per turn."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bindings_tui.browse import BrowseSession, Change
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.rows import LOAD_ORDER, Column, Origin, Sort

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ORIGIN = Origin(ApiFlavor.CONVERSATIONS, "IS" + "0" * 32)
NAMES = ["dora", "alice", "carol", "bob", "erin"]


def make(n: int) -> Binding:
    return Binding.from_json(
        {
            "sid": f"BS{n:032x}",
            "identity": NAMES[n % len(NAMES)],
            "binding_type": "apn",
            "endpoint": f"endpoint-{n}",
            "date_updated": (NOW - timedelta(days=n)).isoformat(),
        }
    )


def loaded_session(count: int) -> BrowseSession:
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    session.pages_arrived(ticket, [make(n) for n in range(count)], 1, True)
    return session


def identities(session: BrowseSession) -> list[str | None]:
    return [b.identity for b in session.rows.in_view()]


@pytest.mark.usefixtures("small_sorts")
async def test_set_sort_returns_with_the_old_order_and_the_loop_lands_it() -> None:
    session = loaded_session(30)
    before = identities(session)
    changes: list[Change] = []
    session.subscribe(changes.append)

    session.set_sort(Sort(Column.IDENTITY))

    assert session.rows.sorting
    assert session.rows.sort == Sort(Column.IDENTITY)  # what the header shows
    assert session.rows.shown_sort == LOAD_ORDER
    assert identities(session) == before
    turns = 0
    while session.rows.busy:
        await asyncio.sleep(0)
        turns += 1
        assert turns < 1000
        if session.rows.sorting:
            assert identities(session) == before
    assert turns > 3  # it took the sliced path
    assert identities(session) == sorted(before, key=lambda name: name or "")
    assert session.rows.shown_sort == Sort(Column.IDENTITY)
    assert changes[-1] & Change.ROWS  # the screen is told when it lands


@pytest.mark.usefixtures("small_sorts")
async def test_the_next_sort_key_cycles_from_the_sort_under_way() -> None:
    session = loaded_session(30)
    assert session.cycle_sort() is Column.IDENTITY
    assert session.rows.sorting
    assert session.cycle_sort() is Column.TYPE  # not identity again
    session.reverse_sort()
    assert session.rows.pending_sort == Sort(Column.TYPE, descending=True)
    while session.rows.busy:
        await asyncio.sleep(0)
    assert session.rows.shown_sort == Sort(Column.TYPE, descending=True)


@pytest.mark.usefixtures("small_sorts")
def test_without_a_running_loop_the_sort_is_finished_at_once() -> None:
    session = loaded_session(30)
    session.set_sort(Sort(Column.ENDPOINT))
    assert not session.rows.busy
    assert session.rows.shown_sort == Sort(Column.ENDPOINT)
