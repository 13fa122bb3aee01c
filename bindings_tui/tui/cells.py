"""How one binding becomes table cells: plain strings, control characters made visible.

Pure functions (no textual import) so they are easy to test; the table turns them into
rich `Text` (never markup) when a row is actually on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bindings_tui.ages import relative_age
from bindings_tui.models import Binding
from bindings_tui.output import MESSAGE_TYPE_SHORT
from bindings_tui.rows import Column
from bindings_tui.sids import shorten_sid
from bindings_tui.textsafe import clip, make_visible

MISSING = "-"


def short_message_types(message_types: Sequence[str]) -> str:
    """`new_message, added_to_conversation` -> `msg,add`; unknown names keep 4 characters."""
    if not message_types:
        return MISSING
    parts = [MESSAGE_TYPE_SHORT.get(m, make_visible(m)[:4]) for m in message_types]
    return ",".join(parts)


def field_text(value: str | None) -> str:
    """A field for display: control characters made visible, `-` when empty."""
    return MISSING if value is None or value == "" else make_visible(value)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    column: Column
    width: int


_FIXED: dict[Column, int] = {
    Column.TYPE: 8,
    Column.MESSAGE_TYPES: 11,
    Column.CREDENTIAL: 12,
    Column.UPDATED: 7,
}
SID_FULL = 34
SID_SHORT = 13
MARK_WIDTH = 3  # the mark, the finding marker, a space


def layout_columns(width: int) -> list[ColumnSpec]:
    """Column widths for a table `width` cells wide (one space between columns).

    Identity and endpoint share what the fixed columns leave; the SID is shortened
    when the table is narrow.
    """
    available = max(width - MARK_WIDTH, 0)
    fixed = sum(_FIXED.values())
    separators = len(Column) - 1
    sid_width = SID_FULL
    flexible = available - fixed - separators - sid_width
    if flexible < 40:
        sid_width = SID_SHORT
        flexible = available - fixed - separators - sid_width
    flexible = max(flexible, 16)
    identity = max(8, (flexible * 11) // 20)
    endpoint = max(8, flexible - identity)
    widths = {
        Column.IDENTITY: identity,
        Column.ENDPOINT: endpoint,
        Column.SID: sid_width,
        **_FIXED,
    }
    return [ColumnSpec(column, widths[column]) for column in Column]


def cell_text(binding: Binding, column: Column, width: int, now: datetime) -> str:
    """The text of one cell, fitted to `width` characters where shortening helps reading."""
    if column is Column.IDENTITY:
        return field_text(binding.identity)
    if column is Column.TYPE:
        return field_text(binding.binding_type)
    if column is Column.ENDPOINT:
        return clip(field_text(binding.endpoint), width)
    if column is Column.MESSAGE_TYPES:
        return short_message_types(binding.message_types)
    if column is Column.CREDENTIAL:
        if not binding.credential_sid:
            return MISSING
        return make_visible(shorten_sid(binding.credential_sid, keep=4))
    if column is Column.UPDATED:
        return relative_age(binding.date_updated or binding.date_created, now)
    sid = make_visible(binding.sid)  # a SID is server text too (it may carry escapes)
    return sid if width >= len(sid) else clip(sid, width)
