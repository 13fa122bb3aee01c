"""`bindings-tui history`'s logic: which audit records match, and how a record is shown.

The audit log is a file on disk, so its records are untrusted like a server's answer (a
binding's JSON came from the server, and anyone could edit the file): every table and CSV
cell is made inert (`textsafe.make_visible`, `output.csv_cell`), JSON goes through
`output.json_dumps`, and a field of the wrong type reads as empty, never as an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bindings_tui.errors import InputError
from bindings_tui.output import HISTORY_CSV_FIELDS, csv_cell, format_time
from bindings_tui.textsafe import clip, make_visible

_RELATIVE: Final = re.compile(r"([0-9]{1,6})([mhdw])")
_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

HISTORY_COLUMNS: Final = (
    ("TIME (UTC)", 16),
    ("SOURCE", 6),
    ("PROFILE", 14),
    ("SERVICE", None),
    ("BINDING", None),
    ("IDENTITY", 24),
    ("TYPE", 8),
    ("OUTCOME", 40),
)
# The CSV columns are defined with the other commands' (output.py).
CSV_FIELDS: Final = HISTORY_CSV_FIELDS


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `24h`, `30m`, `2w` before `now`, or an ISO date or date-time (UTC when no
    offset is given). Anything else is one InputError line."""
    value = text.strip()
    relative = _RELATIVE.fullmatch(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--since {clip(make_visible(text), 40)} is not understood: use 7d, 24h, 30m, 2w, "
            "or a date like 2025-01-31 or 2025-01-31T12:00"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Empty `services` and None mean: no filter on that field."""

    services: frozenset[str] = frozenset()
    identity: str | None = None
    since: datetime | None = None

    def matches(self, record: Mapping[str, Any]) -> bool:
        if self.services and text_of(record, "service_sid") not in self.services:
            return False
        if self.identity is not None and binding_field(record, "identity") != self.identity:
            return False
        if self.since is not None:
            moment = record_time(record)
            if moment is None or moment < self.since:
                return False
        return True

    def select(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        return (r for r in records if self.matches(r))


def text_of(record: Mapping[str, Any], key: str) -> str:
    """A string field of the record, or "" when it is missing or not a string."""
    value = record.get(key)
    return value if isinstance(value, str) else ""


def binding_field(record: Mapping[str, Any], key: str) -> str:
    """A string field of the binding's JSON in the record ("" when there is none)."""
    binding = record.get("binding")
    if not isinstance(binding, dict):
        return ""
    value = binding.get(key)
    return value if isinstance(value, str) else ""


def record_time(record: Mapping[str, Any]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text_of(record, "time"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def outcome_words(record: Mapping[str, Any]) -> str:
    """`deleted`, `not deleted (HTTP 500 ...)`, with the clean-up it came from."""
    text = text_of(record, "outcome_label") or text_of(record, "outcome") or "?"
    reason = text_of(record, "reason")
    if reason:
        text += f" ({reason})"
    cleanup = text_of(record, "cleanup_reason")
    if cleanup:
        text += f" [clean-up: {cleanup}]"
    return text


def _cell(value: str, width: int) -> str:
    return clip(make_visible(value), width) if value else "-"


def history_row(record: Mapping[str, Any]) -> list[str]:
    """One table row; every cell inert and clipped to its column."""
    moment = record_time(record)
    return [
        format_time(moment) if moment else _cell(text_of(record, "time"), 16),
        _cell(text_of(record, "source"), 6),
        _cell(text_of(record, "profile"), 14),
        _cell(text_of(record, "service_sid"), 34),
        _cell(text_of(record, "binding_sid"), 34),
        _cell(binding_field(record, "identity"), 24),
        _cell(binding_field(record, "binding_type"), 8),
        _cell(outcome_words(record), 200),
    ]


def history_csv_row(record: Mapping[str, Any]) -> list[str]:
    """Full values (CSV_FIELDS) for scripts, every cell through `csv_cell`."""
    values = {key: text_of(record, key) for key in CSV_FIELDS}
    for key in ("identity", "binding_type", "endpoint"):
        values[key] = binding_field(record, key)
    return [csv_cell(values[key]) for key in CSV_FIELDS]


__all__ = [
    "CSV_FIELDS",
    "HISTORY_COLUMNS",
    "HistoryFilter",
    "binding_field",
    "history_csv_row",
    "history_row",
    "outcome_words",
    "parse_since",
    "record_time",
    "text_of",
]
