"""CLI output: table, json, jsonl and csv renderings of bindings and services.

Every string from the API is untrusted:
- table cells go through `_cell` and csv cells through `csv_cell`: control, bidi and
  zero-width characters made visible (`textsafe.make_visible`);
- csv cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab
  or CR) get a leading `'`, as OWASP's "CSV injection" page recommends;
- json and jsonl keep the data exact: JSON's own escapes, plus `\\uXXXX` for the C1
  controls, bidi characters and lone surrogates json.dumps would write raw.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TextIO

from bindings_tui.models import Binding, JsonDict, Page, Service
from bindings_tui.raw_records import RawBinding
from bindings_tui.textsafe import clip, make_visible

if TYPE_CHECKING:
    from bindings_tui.find_identities import FoundBinding

FORMATS: Final = ("table", "json", "jsonl", "csv")

# Short forms for the table's message-types column (both APIs' vocabularies).
MESSAGE_TYPE_SHORT: Final[dict[str, str]] = {
    "new_message": "msg",
    "added_to_conversation": "add",
    "removed_from_conversation": "rm",
    "added_to_channel": "add",
    "removed_from_channel": "rm",
    "invited_to_channel": "inv",
}

# Characters json.dumps(ensure_ascii=False) would write raw but a terminal acts on.
_JSON_UNSAFE = re.compile(
    "[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# OWASP (CSV injection): a cell starting with one of these is a formula to a spreadsheet.
CSV_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# Table cells without a width of their own (SIDs) are clipped to this.
DEFAULT_CELL_WIDTH: Final = 40


def short_message_types(types: Sequence[str]) -> str:
    return ",".join(MESSAGE_TYPE_SHORT.get(t, t) for t in types) or "-"


# json.dumps(value, ensure_ascii=False) builds a new encoder on every call: the layouts the
# record writers use are made once (the same options, so the same text).
_encode_line = json.JSONEncoder(ensure_ascii=False).encode
_encode_indented = json.JSONEncoder(ensure_ascii=False, indent=2).encode


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_unsafe(text: str) -> str:
    """JSON text with every terminal-active character (`_JSON_UNSAFE`) as a `\\uXXXX`
    escape. It matches single characters only, so many records' JSON joined by newlines
    can be escaped in one pass with the same result as each record alone."""
    return _JSON_UNSAFE.sub(_escaped, text)


def json_dumps(value: Any, indent: int | None = None) -> str:
    """JSON with non-ASCII kept readable but every terminal-active character escaped."""
    if indent is None:
        text = _encode_line(value)
    elif indent == 2:
        text = _encode_indented(value)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=indent)
    return escape_unsafe(text)


def format_time(value: datetime | None, *, zone: bool = False) -> str:
    """`2026-10-10 02:41` in UTC; with `zone`, `... UTC` (where a time stands alone, as in
    `show`, it says its zone)."""
    if value is None:
        return "-"
    try:
        text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):
        # 0001-01-01T00:00:00+05:00 is a valid date whose UTC time is not representable.
        return make_visible(value.isoformat())
    return f"{text} UTC" if zone else text


def _cell(value: str | None, width: int | None = DEFAULT_CELL_WIDTH) -> str:
    shown = make_visible(value) if value else "-"
    return clip(shown, width or DEFAULT_CELL_WIDTH)


def csv_cell(value: object) -> str:
    """One csv cell: control characters visible, and never a formula (OWASP)."""
    text = make_visible(value if isinstance(value, str) else "" if value is None else str(value))
    if text.startswith(CSV_FORMULA_STARTS) or (
        isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS)
    ):
        return "'" + text
    return text


BINDING_COLUMNS: Final = (
    ("SID", None),
    ("IDENTITY", 32),
    ("TYPE", 8),
    ("ENDPOINT", 28),
    ("MESSAGE TYPES", 14),
    ("CREDENTIAL", None),
    ("UPDATED", 16),
)


def binding_row(b: Binding) -> list[str]:
    return [
        _cell(b.sid),
        _cell(b.identity, 32),
        _cell(b.binding_type, 8),
        _cell(b.endpoint, 28),
        clip(short_message_types([make_visible(t) for t in b.message_types]), 40),
        _cell(b.credential_sid),
        format_time(b.date_updated),
    ]


# The CSV columns, the one definition: the API's JSON field names, so a script reads the
# same name in `-o csv` as in `-o json` (`list`, `show`, `services`, `find`, the TUI's export).
BINDING_CSV_FIELDS: Final = (
    "sid",
    "identity",
    "binding_type",
    "endpoint",
    "message_types",
    "credential_sid",
    "date_updated",
)
SERVICE_CSV_FIELDS: Final = ("sid", "friendly_name", "date_created")
# `find`: where the binding lives (the names of its JSON wrapper, `found_json`), then the
# binding's own columns.
FOUND_CSV_FIELDS: Final = ("api", "service_sid", "service_name", *BINDING_CSV_FIELDS)
# `history`: the audit record's own field names (`audit.py`); identity, type and endpoint
# come from the binding's JSON kept in the record.
HISTORY_CSV_FIELDS: Final = (
    "time",
    "source",
    "profile",
    "account_sid",
    "api",
    "service_sid",
    "binding_sid",
    "identity",
    "binding_type",
    "endpoint",
    "outcome",
    "reason",
    "cleanup_reason",
)


def binding_csv_row(b: Binding) -> list[str]:
    """Full values for scripts (BINDING_CSV_FIELDS): nothing clipped, the API's own date
    strings; every cell through `csv_cell`."""
    values: dict[str, object] = {
        "sid": b.sid,
        "identity": b.identity,
        "binding_type": b.binding_type,
        "endpoint": b.endpoint,
        "message_types": " ".join(b.message_types),
        "credential_sid": b.credential_sid,
        "date_updated": b.raw.get("date_updated"),
    }
    return [csv_cell(values[name]) for name in BINDING_CSV_FIELDS]


SERVICE_COLUMNS: Final = (("SID", None), ("FRIENDLY NAME", 40), ("CREATED", 16))


def service_row(s: Service) -> list[str]:
    return [_cell(s.sid), _cell(s.friendly_name, 40), format_time(s.date_created)]


def service_csv_row(s: Service) -> list[str]:
    values: dict[str, object] = {
        "sid": s.sid,
        "friendly_name": s.friendly_name,
        "date_created": s.raw.get("date_created"),
    }
    return [csv_cell(values[name]) for name in SERVICE_CSV_FIELDS]


# `find`: where each binding lives, then the binding's own columns (no message types or
# credential: the row is wide already; json and csv have every field).
FOUND_COLUMNS: Final = (
    ("API", 13),
    ("SERVICE", 24),
    ("SERVICE SID", None),
    ("SID", None),
    ("IDENTITY", 32),
    ("TYPE", 8),
    ("ENDPOINT", 28),
    ("UPDATED", 16),
)


def found_row(f: FoundBinding) -> list[str]:
    b = f.binding
    return [
        f.service.api.value,
        _cell(f.service.friendly_name, 24),
        _cell(f.service.sid),
        _cell(b.sid),
        _cell(b.identity, 32),
        _cell(b.binding_type, 8),
        _cell(b.endpoint, 28),
        format_time(b.date_updated),
    ]


def found_csv_row(f: FoundBinding) -> list[str]:
    """Where it lives, then the same cells as `list -o csv` (FOUND_CSV_FIELDS)."""
    where = [csv_cell(v) for v in (f.service.api.value, f.service.sid, f.service.friendly_name)]
    return where + binding_csv_row(f.binding)


def found_json(f: FoundBinding) -> JsonDict:
    """The binding exactly as the API sent it, under `binding`, beside where it lives (a
    wrapper, so no field of the server's object can clash with ours)."""
    return {
        "api": f.service.api.value,
        "service_sid": f.service.sid,
        "service_name": f.service.friendly_name,
        "binding": f.binding.raw,
    }


class TableWriter:
    """Fixed-width columns so rows can stream out page by page."""

    def __init__(self, out: TextIO, columns: Sequence[tuple[str, int | None]]) -> None:
        self.out = out
        self.widths = [width or 34 for _, width in columns]
        self.headers = [name for name, _ in columns]
        self._header_done = False

    def write(self, rows: Iterable[list[str]]) -> None:
        if not self._header_done:
            self._line(self.headers)
            self._header_done = True
        for row in rows:
            self._line(row)

    def _line(self, cells: Sequence[str]) -> None:
        padded = [c.ljust(w) for c, w in zip(cells[:-1], self.widths[:-1], strict=True)]
        self.out.write("  ".join([*padded, cells[-1]]).rstrip() + "\n")


class RecordWriter:
    """Streams records in one of FORMATS, each page as it comes: `json` is one array
    written element by element (the same bytes as dumping the whole list at the end)."""

    def __init__(
        self,
        out: TextIO,
        fmt: str,
        columns: Sequence[tuple[str, int | None]],
        row: Any,
        csv_row: Any = None,
        json_of: Callable[[Any], Any] | None = None,
        *,
        csv_header: Sequence[str],
    ) -> None:
        self.out = out
        self.fmt = fmt
        self.row = row
        self.csv_row = csv_row or row
        # json/jsonl: the API's own object unless a command wraps it (`find`).
        self.json_of: Callable[[Any], Any] = json_of or (lambda record: record.raw)
        self.count = 0
        self._table = TableWriter(out, columns) if fmt == "table" else None
        self._csv = csv.writer(out) if fmt == "csv" else None
        self._json_started = False
        # One of the *_CSV_FIELDS above: the JSON field names, never the table's headings.
        self._csv_header = list(csv_header)

    def write(
        self,
        records: Sequence[Binding]
        | Sequence[Service]
        | Sequence[RawBinding]
        | Sequence[FoundBinding],
    ) -> None:
        """`RawBinding`s only for json and jsonl (the other formats read parsed fields)."""
        self.count += len(records)
        if self._table is not None:
            self._table.write(self.row(r) for r in records)
        elif self._csv is not None:
            if self._csv_header:
                self._csv.writerow(self._csv_header)
                self._csv_header = []
            for r in records:
                # Every cell, whatever row function made it: csv_cell is idempotent.
                self._csv.writerow([csv_cell(cell) for cell in self.csv_row(r)])
        elif self.fmt == "jsonl":
            if records:
                self.out.write(self._joined(records, "\n") + "\n")
        elif records:
            # `json.dumps(list, indent=2)` is "[\n", each element indented by two more
            # spaces, ",\n" between, "\n]": written here one page at a time.
            start = ",\n  " if self._json_started else "[\n  "
            self.out.write(start + self._joined(records, ",\n  "))
            self._json_started = True
        self.out.flush()

    def prepare(self, page: Page[RawBinding]) -> Page[RawBinding]:
        """`page` with each record's text made now (json and jsonl): for a page that
        arrives before its turn to be written (`streams.in_type_order`), so that its turn
        costs a copy, not the encoding."""
        if self.fmt not in ("json", "jsonl") or not page.items:
            return page
        # A JSON text never holds a raw NUL (JSON escapes it): a separator to split on.
        texts = self._joined(page.items, "\0").split("\0")
        items = [RawBinding(r.sid, None, t) for r, t in zip(page.items, texts, strict=True)]
        return replace(page, items=items)

    def _joined(self, records: Sequence[Any], separator: str) -> str:
        """The records as json (each its array element, indented) or jsonl (each its line)
        writes them, joined by `separator`: the texts `prepare` made, or encoded now and
        escaped in one pass (`escape_unsafe` matches no separator used here)."""
        ready = [r.text for r in records if isinstance(r, RawBinding) and r.text is not None]
        if len(ready) == len(records):
            return separator.join(ready)
        # (Escaping a text `prepare` made again changes nothing: it holds no such character.)
        texts = [
            r.text if isinstance(r, RawBinding) and r.text is not None else self._encoded(r)
            for r in records
        ]
        return escape_unsafe(separator.join(texts))

    def _encoded(self, record: Any) -> str:
        if self.fmt == "jsonl":
            return _encode_line(self.json_of(record))
        return _encode_indented(self.json_of(record)).replace("\n", "\n  ")

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self._json_started else "[]\n")
        elif self._table is not None and self.count == 0:
            self._table.write([])


def binding_writer(out: TextIO, fmt: str) -> RecordWriter:
    """Bindings in `fmt`: what `list`, `show` (but its table) and the TUI's export write."""
    return RecordWriter(
        out, fmt, BINDING_COLUMNS, binding_row, binding_csv_row, csv_header=BINDING_CSV_FIELDS
    )


def service_writer(out: TextIO, fmt: str) -> RecordWriter:
    return RecordWriter(
        out, fmt, SERVICE_COLUMNS, service_row, service_csv_row, csv_header=SERVICE_CSV_FIELDS
    )


def found_writer(out: TextIO, fmt: str) -> RecordWriter:
    """`find`'s rows: FOUND_COLUMNS in the table, the wrapper object in JSON."""
    return RecordWriter(
        out, fmt, FOUND_COLUMNS, found_row, found_csv_row, found_json, csv_header=FOUND_CSV_FIELDS
    )


def binding_detail(b: Binding) -> str:
    """`show -o table`: every field, one per line."""
    lines = io.StringIO()
    fields = [
        ("sid", b.sid),
        ("identity", b.identity),
        ("binding_type", b.binding_type),
        ("endpoint", b.endpoint),
        ("message_types", ", ".join(b.message_types) if b.message_types else None),
        ("credential_sid", b.credential_sid),
        ("service_sid", b.service_sid),
        ("account_sid", b.account_sid),
        ("date_created", format_time(b.date_created, zone=True)),
        ("date_updated", format_time(b.date_updated, zone=True)),
        ("url", b.url),
    ]
    known = {name for name, _ in fields} | {"chat_service_sid"}
    for key, value in b.raw.items():
        if key not in known:
            fields.append((key, json_dumps(value) if not isinstance(value, str) else value))
    for name, value in fields:
        # Extra keys come from the server's JSON: the name is untrusted like the value.
        lines.write(f"{make_visible(name):<16} {make_visible(value) if value else '-'}\n")
    return lines.getvalue()
