"""The bindings table: a virtualized Line-API widget that renders only visible rows.

`BindingRows` (bindings_tui.rows) owns the rows and the view (filter + sort); this
widget only maps screen lines to view positions, keeps a cursor, and turns the few
visible bindings into rich `Text` (never markup) with a small cache. Line 0 is a fixed
header.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from datetime import datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bindings_tui.ages import Clock, system_clock
from bindings_tui.diagnostics import Severity
from bindings_tui.models import Binding
from bindings_tui.rows import BindingRows, Column
from bindings_tui.tui.cells import (
    MARK_WIDTH,
    MISSING,
    ColumnSpec,
    cell_text,
    header_label,
    layout_columns,
)
from bindings_tui.tui.guard import guarded
from bindings_tui.tui.widgets.findings_bar import ALERT_MARK, SEVERITY_GLYPHS

# A watch's flag -> (glyph, component class suffix).
_WATCH_MARKS: dict[int, tuple[str, str]] = {
    16: ("+", "new"),
    32: ("~", "changed"),
    64: ("−", "gone"),
}


class BindingsTable(ScrollView, can_focus=True):
    """Shows a `BindingRows`'s view. Post `CursorMoved` when the row under the cursor changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        KeyBinding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        KeyBinding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        KeyBinding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        KeyBinding("home,g", "first", "First row", show=False, id="table.first"),
        KeyBinding("end,G", "last", "Last row", show=False, id="table.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bindings-table--header",
        "bindings-table--cursor",
        "bindings-table--marked",
        "bindings-table--pending",
        "bindings-table--missing",
        "bindings-table--finding-error",
        "bindings-table--finding-warning",
        "bindings-table--finding-info",
        "bindings-table--new",
        "bindings-table--changed",
        "bindings-table--gone",
    }

    DEFAULT_CSS = """
    BindingsTable {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    class CursorMoved(Message):
        """The binding under the cursor changed (None when the view is empty)."""

        def __init__(self, binding: Binding | None) -> None:
            super().__init__()
            self.binding = binding

    class HeaderClicked(Message):
        def __init__(self, column: Column) -> None:
            super().__init__()
            self.column = column

    def __init__(
        self,
        rows: BindingRows,
        *,
        clock: Clock = system_clock,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows = rows
        self.clock = clock
        self._now: datetime = clock()
        self._cache: LRUCache[tuple[int, int, int, int], Strip] = LRUCache(256)
        self._cache_revision = rows.revision
        self._layout_width = -1
        self._layout: list[ColumnSpec] = []
        self._last_reported: str | None = ""
        self.markers: Mapping[str, Severity] = {}
        self.alerted: Set[str] = frozenset()  # rows Twilio's alerts name
        # A watch's marks (`w`): rows new, changed or gone since it started.
        self.new: Set[str] = frozenset()
        self.changed: Set[str] = frozenset()
        self.gone: Set[str] = frozenset()
        self.cursor = 0  # the view position under the cursor
        self.empty_text = ""  # said on the first line when no row is shown (inert text)

    # ---- data ----------------------------------------------------------------------------

    @property
    def current(self) -> Binding | None:
        return self.rows.binding_at(self.cursor)

    @property
    def cursor_sid(self) -> str | None:
        """The binding the cursor was last on, even after the rows under it changed
        (what a view change keeps the cursor on)."""
        return self._last_reported or None

    def show_rows(self, rows: BindingRows, anchor_sid: str | None = None) -> None:
        """Show these rows (the same: their view changed; others: an identity query's
        result, a reload's new list). The cursor goes to `anchor_sid` when it is shown
        there, else (other rows) to the first row."""
        if rows is self.rows:
            self.view_changed(anchor_sid)
            return
        self.rows = rows
        self._cache.clear()
        self._cache_revision = rows.revision
        position = None if anchor_sid is None else rows.position_of(anchor_sid)
        if position is not None:
            self.cursor = 0
            self.view_changed(anchor_sid)
            return
        self.cursor = 0
        self._sync_size()
        self.scroll_to(y=0, animate=False)
        self.refresh()
        self._report_cursor()

    def view_changed(self, anchor_sid: str | None = None) -> None:
        """The rows' view changed (page arrived, filter, sort, delete).

        The cursor stays on `anchor_sid` (default: the binding under it now) when that
        binding is still shown, at the same screen line; otherwise it stays at its
        position, clamped.
        """
        if self.rows.revision != self._cache_revision:
            self._cache.clear()
            self._cache_revision = self.rows.revision
        old_position = self.cursor
        position = None if anchor_sid is None else self.rows.position_of(anchor_sid)
        count = len(self.rows)
        if position is None:
            position = min(old_position, max(count - 1, 0))
        delta = position - old_position
        self._sync_size()
        self.cursor = position
        if delta:
            self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)
        self._ensure_cursor_visible()
        self.refresh()
        self._report_cursor()

    def set_markers(self, markers: Mapping[str, Severity], alerted: Set[str] = frozenset()) -> None:
        """Binding SID -> its most severe finding, shown beside the mark; `alerted`: the
        SIDs Twilio's alerts name (an `*` after the glyph)."""
        self.markers = markers
        self.alerted = alerted
        self.refresh_rows()

    def set_watch_marks(self, new: Set[str], changed: Set[str], gone: Set[str]) -> None:
        """The watch's rows: new ones highlighted, gone ones struck out (kept until the
        watch stops), changed ones marked."""
        self.new, self.changed, self.gone = new, changed, gone
        self.refresh_rows()

    def show_empty_text(self, text: str | None) -> None:
        """The line shown in place of rows when there are none (None: nothing)."""
        if (text or "") != self.empty_text:
            self.empty_text = text or ""
            self.refresh()

    def refresh_rows(self) -> None:
        """Marks or pending state changed: repaint visible rows."""
        self._cache.clear()
        self.refresh()

    def tick(self) -> None:
        """Re-read the clock so relative ages stay current."""
        self._now = self.clock()
        self._cache.clear()
        self.refresh()

    def _sync_size(self) -> None:
        width = max(self.scrollable_content_region.width, 1)
        size = Size(width, len(self.rows) + 1)
        old = self.virtual_size
        if size == old:
            return
        shown = self.scrollable_content_region.height
        if (
            size.width == old.width
            and self.show_vertical_scrollbar
            and min(size.height, old.height) > shown
        ):
            # Only the row count changed and the scrollbar stays: move its thumb and
            # repaint this widget. Assigning `virtual_size` lays the whole screen out
            # again, which was most of the frame after each page and filter keystroke.
            self.set_reactive(BindingsTable.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = size.height
            self.scroll_y = self.validate_scroll_y(self.scroll_y)
            self.refresh()
            return
        self.virtual_size = size

    @guarded
    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._sync_size()
        self._ensure_cursor_visible()

    # ---- cursor --------------------------------------------------------------------------

    @property
    def _page_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def move_cursor(self, position: int) -> None:
        count = len(self.rows)
        position = max(0, min(position, count - 1)) if count else 0
        if position != self.cursor:
            self.cursor = position
            self.refresh()
        self._ensure_cursor_visible()
        self._report_cursor()

    def _ensure_cursor_visible(self) -> None:
        top = round(self.scroll_y)
        rows = self._page_rows
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def _report_cursor(self) -> None:
        binding = self.current
        key = None if binding is None else binding.sid
        if key != self._last_reported:
            self._last_reported = key
            self.post_message(self.CursorMoved(binding))

    @guarded
    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    @guarded
    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    @guarded
    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self._page_rows)

    @guarded
    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self._page_rows)

    @guarded
    def action_first(self) -> None:
        self.move_cursor(0)

    @guarded
    def action_last(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    @guarded
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(column))
            return
        self.move_cursor(round(self.scroll_y) + offset.y - 1)

    def _column_at(self, x: int) -> Column | None:
        left = MARK_WIDTH
        for spec in self._columns():
            if left <= x < left + spec.width + 1:
                return spec.column
            left += spec.width + 1
        return None

    # ---- rendering -----------------------------------------------------------------------

    def _columns(self) -> list[ColumnSpec]:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._layout_width = width
            self._layout = layout_columns(width)
        return self._layout

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._render_header(width, base)
        position = round(self.scroll_y) + y - 1
        if position >= len(self.rows):
            if y == 1 and self.empty_text and not len(self.rows):
                note = Text(f" {self.empty_text}", style="italic")
                return self._to_strip(note, width, base)
            return Strip.blank(width, base)
        row = self.rows.row_at(position)
        binding = self.rows.binding(row)
        is_cursor = position == self.cursor
        flags = (
            (1 if is_cursor else 0)
            | (2 if binding.sid in self.rows.marks else 0)
            | (4 if binding.sid in self.rows.pending else 0)
            | (8 if is_cursor and self.has_focus else 0)
            | self._watch_flag(binding.sid)
        )
        key = (row, width, flags, self.rows.revision)
        strip = self._cache.get(key)
        if strip is None:
            try:
                strip = self._render_row(binding, width, flags, base)
            except Exception as exc:  # a row the data breaks, not the app
                note = Text(f" (this row cannot be shown: {type(exc).__name__})", style="red")
                strip = self._to_strip(note, width, base)
            self._cache[key] = strip
        return strip

    def _watch_flag(self, sid: str) -> int:
        if sid in self.gone:
            return 64
        if sid in self.new:
            return 16
        return 32 if sid in self.changed else 0

    def _render_header(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("bindings-table--header")
        sort = self.rows.sort
        text = Text(" " * MARK_WIDTH, style=style, no_wrap=True, end="")
        for spec in self._columns():
            arrow = ("▼" if sort.descending else "▲") if sort.column is spec.column else ""
            cell = Text(header_label(spec.column, spec.width, arrow), no_wrap=True, end="")
            cell.truncate(spec.width, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append(" ")
        return self._to_strip(text, width, style)

    def _render_row(self, binding: Binding, width: int, flags: int, base: Style) -> Strip:
        style = base
        if flags & 4:
            style = style + self.get_component_rich_style("bindings-table--pending")
        watch = _WATCH_MARKS.get(flags & (16 | 32 | 64))
        if watch is not None:
            style = style + self.get_component_rich_style(f"bindings-table--{watch[1]}")
        if flags & 2:
            style = style + self.get_component_rich_style("bindings-table--marked")
        if flags & 1:
            cursor_style = self.get_component_rich_style("bindings-table--cursor")
            if not flags & 8:
                cursor_style = cursor_style + Style(dim=True)
            style = style + cursor_style
        missing = self.get_component_rich_style("bindings-table--missing")
        # The first character: the mark, else the watch's (+ new, ~ changed, − gone).
        first = "●" if flags & 2 else watch[0] if watch is not None else " "
        text = Text(first, no_wrap=True, end="")
        # The second character: the row's most severe finding (the first is the mark);
        # the third: Twilio's alerts name the row.
        severity = self.markers.get(binding.sid)
        if severity is None:
            text.append("  ")
        else:
            finding_style = self.get_component_rich_style(f"bindings-table--finding-{severity}")
            text.append(SEVERITY_GLYPHS[severity], style=finding_style)
            text.append(ALERT_MARK if binding.sid in self.alerted else " ", style=finding_style)
        for spec in self._columns():
            value = cell_text(binding, spec.column, spec.width, self._now)
            cell = Text(value, no_wrap=True, end="", style=missing if value == MISSING else "")
            cell.truncate(spec.width, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append(" ")
        text.stylize_before(style)
        return self._to_strip(text, width, style)

    def _to_strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, pad=True)
        segments = [
            Segment(seg.text, seg.style)
            for seg in text.render(self.app.console)
            if seg.text != "\n"
        ]
        return Strip(segments).crop_extend(0, width, style)
