"""A long sort on screen: the status line says `sorting… by <column>` and the header shows
the column at once, the old order stays (and keys keep working) until the sort lands."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.geometry import Region
from textual.widget import Widget

from bindings_tui.rows import LOAD_ORDER, Column, Sort
from bindings_tui.tui.widgets.line import Line
from tui.scenarios import SIZE, build, wait_for, wait_loaded


def line_text(widget: Widget, y: int = 0) -> str:
    width = widget.outer_size.width
    return widget.render_lines(Region(0, y, width, 1))[0].text


@pytest.mark.usefixtures("small_sorts")
async def test_a_long_sort_says_so_and_lands() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        session = screen.browse
        table = screen.table
        before = [b.sid for b in session.rows.in_view()]
        # The slices held back while the screen is looked at (a pilot's key press waits
        # until the app is idle, so the sort would land within it).
        held: list[Callable[[], None]] = []
        slice_turn = session.slice_turn
        session.slice_turn = held.append
        await pilot.press("o")  # identity, the first column

        status = screen.query_one("#status-right", Line)
        assert session.rows.sorting
        assert "sorting… by identity" in line_text(status)
        assert "IDENTITY▲" in line_text(table).replace(" ", "")  # the header: the target
        assert session.rows.shown_sort == LOAD_ORDER
        assert [b.sid for b in session.rows.in_view()] == before  # the old order meanwhile
        first = table.current
        await pilot.press("down")  # keys still work
        assert session.rows.sorting
        assert table.current is not None and first is not None
        assert table.current.sid == before[1]

        session.slice_turn = slice_turn
        held.pop()()  # a slice, and each next one in a turn of its own, as the screen runs them
        await wait_for(pilot, lambda: not session.rows.busy, "the sort to land")
        assert session.rows.shown_sort == Sort(Column.IDENTITY)
        assert "sorting" not in line_text(status)
        identities = [(b.identity or "").lower() for b in session.rows.in_view()]
        assert identities == sorted(identities)
        assert table.current is not None
        assert table.current.sid == before[1]  # the cursor kept its binding
