"""Layout at the sizes a terminal really has (issue 17): 80x24 never scrolls the screen,
the detail pane steps aside, the columns share the width, toasts and hints leave the
status line alone, the sort arrow is always in its header. Pilot tests on the demo app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console
from textual.geometry import Region
from textual.widget import Widget

from bindings_tui.models import Binding
from bindings_tui.rows import Column
from bindings_tui.tui.cells import MARK_WIDTH, SID_FULL, header_label, layout_columns
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane, detail_text
from bindings_tui.tui.widgets.key_footer import KeyFooter
from bindings_tui.tui.widgets.line import Line
from tui.scenarios import LARGE, SMALL, build, identity_with_several, type_text, wait_loaded

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def line_text(widget: Widget, y: int = 0) -> str:
    """What one line of `widget` shows on the screen."""
    width = widget.outer_size.width  # padding included
    return widget.render_lines(Region(0, y, width, 1))[0].text


def visible(widget: Widget) -> bool:
    """`widget` is displayed and lies wholly inside the screen."""
    screen = widget.screen
    return widget.display and screen.region.contains_region(widget.region)


# ---- columns (pure) ------------------------------------------------------------------


@pytest.mark.parametrize("width", range(70, 320, 7))  # 70: every minimum
def test_columns_fill_the_width_identity_and_endpoint_first(width: int) -> None:
    specs = {spec.column: spec.width for spec in layout_columns(width)}
    assert MARK_WIDTH + sum(w + 1 for w in specs.values()) == width
    others = [w for c, w in specs.items() if c not in (Column.IDENTITY, Column.ENDPOINT)]
    if width >= 80:  # identity and endpoint are never the narrowest columns
        assert specs[Column.IDENTITY] >= 14 and specs[Column.ENDPOINT] >= 14
        assert min(specs[Column.IDENTITY], specs[Column.ENDPOINT]) >= min(others)
    # A SID is whole or clearly short, never a half one.
    assert specs[Column.SID] in range(9, 14) or specs[Column.SID] == SID_FULL


def test_wide_table_gives_endpoint_and_credential_their_whole_values() -> None:
    specs = {spec.column: spec.width for spec in layout_columns(LARGE[0] - 2)}
    assert specs[Column.ENDPOINT] >= 64  # an APN token
    assert specs[Column.CREDENTIAL] == SID_FULL
    assert specs[Column.SID] == SID_FULL
    assert specs[Column.IDENTITY] <= 40  # before: ~64 while endpoint was cut


@pytest.mark.parametrize("column", list(Column))
@pytest.mark.parametrize("width", range(1, 14))
def test_sort_arrow_is_always_whole_in_its_header(column: Column, width: int) -> None:
    label = header_label(column, width, "▼")
    assert label.endswith("▼") and len(label) <= width


def test_stacked_detail_does_not_fold_values_into_narrow_columns() -> None:
    kinds = ["new_message", "added_to_conversation", "removed_from_conversation"]
    binding = Binding.from_json(
        {
            "sid": "BS" + "1" * 32,
            "identity": "someone",
            "binding_type": "apn",
            "endpoint": "e" * 64,
            "message_types": kinds,
        }
    )
    for stacked, whole in ((True, True), (False, False)):
        console = Console(width=76, record=True, color_system=None)
        console.print(detail_text(binding, [binding], NOW, stacked=stacked))
        # beside the other devices (46 columns), 76 leaves every value 11 characters
        assert (", ".join(kinds[:2]) in console.export_text()) is whole


# ---- the app at 80x24 and 200x50 -------------------------------------------------------


async def test_small_terminal_shows_title_table_detail_status_and_help_key() -> None:
    built = build()
    async with built.app.run_test(size=SMALL) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.pause()
        assert screen.max_scroll_y == 0 and screen.scroll_y == 0  # the screen never scrolls
        context = screen.query_one("#context", Line)
        assert context.region.y == 0 and "bindings-tui" in line_text(context)
        pane = screen.query_one(DetailPane)
        table = screen.query_one(BindingsTable)
        assert visible(pane) and visible(table)
        assert table.size.height - 1 >= 8  # rows, not 5
        assert visible(screen.query_one("#status"))
        # The footer holds all its keys in 80 columns, ? Help and q Quit among them.
        footer = screen.query_one(KeyFooter)
        assert footer.virtual_size.width <= footer.size.width
        shown = {a.binding.action for a in screen.active_bindings.values() if a.binding.show}
        assert {"help", "quit"} <= shown
        # The identity column is not the one that gave up its width.
        specs = {s.column: s.width for s in layout_columns(table.size.width)}
        assert specs[Column.IDENTITY] >= specs[Column.SID]


async def test_detail_pane_stacks_when_narrow_and_steps_aside_when_very_short() -> None:
    built = build()
    identity = identity_with_several(built)
    async with built.app.run_test(size=SMALL) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, f"^{identity}$")
        await pilot.press("enter")
        await pilot.pause()
        pane = screen.query_one(DetailPane)
        body = pane.query_one("#detail-body")
        lines = [line_text(body, y) for y in range(body.size.height)]
        # beside the fields, the other devices squeezed every value into 11 characters
        assert any("identity" in line and identity in line for line in lines)
        assert any("Same identity" in line for line in lines)
        await pilot.resize_terminal(80, 18)
        await pilot.pause()
        assert not pane.display and screen.max_scroll_y == 0
        await pilot.press("p")  # p brings it back
        await pilot.pause()
        assert pane.display
        await pilot.resize_terminal(*LARGE)
        await pilot.pause()
        assert screen.max_scroll_y == 0


async def test_sorting_keeps_the_arrow_in_the_header_at_80_columns() -> None:
    built = build()
    async with built.app.run_test(size=SMALL) as pilot:
        screen = await wait_loaded(pilot)
        table = screen.query_one(BindingsTable)
        for _ in range(len(Column)):
            await pilot.press("o")
            await pilot.pause()
            header = line_text(table)
            assert "▲" in header or "▼" in header, header


async def test_toasts_leave_the_status_line_visible() -> None:
    built = build()
    async with built.app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        screen.notify("a toast of some length that wraps onto a second line", timeout=30)
        await pilot.pause()
        status = screen.query_one("#status")
        toasts = list(screen.query("Toast"))
        assert toasts
        assert all(not toast.region.overlaps(status.region) for toast in toasts)


async def test_long_status_ends_in_an_ellipsis_and_a_regex_hint_keeps_it() -> None:
    built = build()
    async with built.app.run_test(size=SMALL) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "(((bad[regex")
        await pilot.pause()
        left = screen.query_one("#status-left", Line)
        right = screen.query_one("#status-right", Line)
        assert "of 300" in line_text(right)  # the counter is whole
        shown = line_text(left).strip()
        assert left.size.width >= 20 and shown.startswith("✓ service")
        assert shown.endswith("…")  # cut with an ellipsis, not mid-word silently


async def test_dialogs_fit_80_columns_and_use_200() -> None:
    for size, min_width in ((SMALL, 0), (LARGE, 120)):
        built = build()
        async with built.app.run_test(size=size) as pilot:
            screen = await wait_loaded(pilot)
            await pilot.press("down", "d")
            await pilot.pause()
            modal = pilot.app.screen
            assert isinstance(modal, ConfirmModal)
            dialog = modal.query_one("#confirm-dialog")
            assert visible(dialog) and dialog.size.width >= min_width
            if size == LARGE:  # the whole endpoint, not 60 characters of it
                binding = screen.query_one(BindingsTable).current
                assert binding is not None and binding.endpoint
                body = modal.query_one("#confirm-body")
                text = "\n".join(line_text(body, y) for y in range(body.size.height))
                assert binding.endpoint in text
            await pilot.press("n", "question_mark")
            await pilot.pause()
            assert visible(pilot.app.screen.query_one("#help-dialog"))  # its right border too
