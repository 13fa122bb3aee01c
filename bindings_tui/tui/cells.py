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


# Each column's narrowest width (short SID forms, `UPD` headers): what an 80-column
# terminal can afford.
_MIN: dict[Column, int] = {
    Column.IDENTITY: 10,
    Column.TYPE: 8,
    Column.ENDPOINT: 10,
    Column.MESSAGE_TYPES: 10,
    Column.CREDENTIAL: 7,
    Column.UPDATED: 6,
    Column.SID: 9,
}
SID_FULL = 34
SID_SHORT = 13
CREDENTIAL_SHORT = 11  # CRe8e2…c9f8
MARK_WIDTH = 3  # the mark, the finding marker, a space

# How width beyond the minimums is handed out, in order: (columns, width to grow them
# to, all-or-nothing). Identity and endpoint first (what a person reads), then the short
# SID forms, then whole SIDs (a half SID helps nobody), then a whole APN token.
_GROWTH: tuple[tuple[tuple[Column, ...], int, bool], ...] = (
    ((Column.IDENTITY, Column.ENDPOINT), 24, False),
    ((Column.CREDENTIAL,), CREDENTIAL_SHORT, False),
    ((Column.SID,), SID_SHORT, False),
    ((Column.MESSAGE_TYPES,), 11, False),
    ((Column.UPDATED,), 7, False),
    ((Column.IDENTITY, Column.ENDPOINT), 28, False),
    ((Column.SID,), SID_FULL, True),
    ((Column.CREDENTIAL,), SID_FULL, True),
    ((Column.ENDPOINT,), 64, False),
    ((Column.IDENTITY,), 40, False),
    ((Column.ENDPOINT,), 1_000, False),
)

HEADER_LABELS: dict[Column, tuple[str, str]] = {  # full, short
    Column.IDENTITY: ("IDENTITY", "IDENT"),
    Column.TYPE: ("TYPE", "TYPE"),
    Column.ENDPOINT: ("ENDPOINT", "ENDP"),
    Column.MESSAGE_TYPES: ("MESSAGES", "MSGS"),
    Column.CREDENTIAL: ("CREDENTIAL", "CRED"),
    Column.UPDATED: ("UPDATED", "UPD"),
    Column.SID: ("SID", "SID"),
}


def layout_columns(width: int) -> list[ColumnSpec]:
    """Column widths for a table `width` cells wide (one space after each column).

    Every column starts at its minimum; what is left goes out by `_GROWTH`: identity
    and endpoint first, whole SIDs only when they fit, the rest to the endpoint.
    """
    widths = dict(_MIN)
    left = max(width - MARK_WIDTH - len(Column), 0) - sum(widths.values())
    for columns, target, whole in _GROWTH:
        if left <= 0:
            break
        need = sum(max(target - widths[c], 0) for c in columns)
        if need == 0 or (whole and need > left):
            continue
        while left > 0 and any(widths[c] < target for c in columns):
            for column in columns:  # shared growth: one cell each in turn
                if left > 0 and widths[column] < target:
                    widths[column] += 1
                    left -= 1
    return [ColumnSpec(column, widths[column]) for column in Column]


def header_label(column: Column, width: int, arrow: str = "") -> str:
    """A header cell: the full label, else the short one, else cut with `…`; the sort
    `arrow` is always whole at the end."""
    suffix = f" {arrow}" if arrow else ""
    for label in HEADER_LABELS[column]:
        if len(label) + len(suffix) <= width:
            return label + suffix
    if len(suffix) >= width:
        return arrow[:width]
    room = width - len(suffix)
    short = HEADER_LABELS[column][1]
    return (short[: room - 1] + "…" if room > 1 else "…") + suffix


def fit_sid(sid: str, width: int) -> str:
    """A SID in `width` characters: whole, else its prefix and last 4 around `…`."""
    if len(sid) <= width:
        return sid
    if width < 7:
        return clip(sid, width)
    return f"{sid[: width - 5]}…{sid[-4:]}"


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
        return make_visible(fit_sid(binding.credential_sid, width))
    if column is Column.UPDATED:
        return relative_age(binding.date_updated or binding.date_created, now)
    sid = make_visible(binding.sid)  # a SID is server text too (it may carry escapes)
    return sid if width >= len(sid) else clip(sid, width)
