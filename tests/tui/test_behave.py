"""Issue 17, Behaviour: what the user sees after a filter, a typeahead in the service
picker, a delete from the user view, empty states, the picker's keys, the copy note."""

from __future__ import annotations

from tui.scenarios import SIZE, build, type_text, wait_loaded

from bindings_tui.tui.widgets.bindings_table import BindingsTable


async def test_a_new_filter_puts_the_cursor_on_its_first_match_in_view() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        table = screen.query_one(BindingsTable)
        for _ in range(30):
            await pilot.press("down")
        await pilot.pause()
        assert table.cursor == 30 and table.scroll_y > 0
        await pilot.press("slash")
        await type_text(pilot, "a")  # most rows match, the one under the cursor too
        await pilot.press("enter")
        await pilot.pause()
        first = screen.browse.active_rows.binding_at(0)
        assert first is not None
        assert table.cursor == 0 and table.scroll_y == 0
        assert table.current is not None and table.current.sid == first.sid
        await pilot.press("down", "down", "3")  # a type toggle is a new filter too
        await pilot.pause()
        assert table.cursor == 0
        assert table.current is not None and table.current.binding_type == "fcm"
