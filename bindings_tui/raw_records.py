"""A binding as the server sent it, for output that writes the JSON as it is.

The CLI's `list -o json|jsonl` writes each record's own object: it needs neither the
parsed dates nor the compact form `models.Binding` builds for a TUI holding 100k rows
(that parsing was most of the CLI's time above its round trips). A record is checked
as `Binding.from_json` checks it, an object with a well-formed `sid`, and is written
through `output.json_dumps` like any other. No textual import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bindings_tui.errors import ResponseFormatError
from bindings_tui.models import JsonDict
from bindings_tui.sids import is_sid
from bindings_tui.textsafe import clip, make_visible


@dataclass(frozen=True, slots=True)
class RawBinding:
    """`sid` (checked) and the server's JSON object, untouched; or, once the CLI encoded
    it ahead of its turn (`output.RecordWriter.prepare`), `text`, the record as it will be
    written, instead of the object (a page waiting in memory keeps a third of the bytes)."""

    sid: str
    raw: JsonDict | None = field(repr=False, compare=False)
    text: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> RawBinding:
        if not isinstance(raw, dict):
            raise ResponseFormatError(
                f"a binding record must be an object, got {type(raw).__name__}"
            )
        sid = raw.get("sid")
        if not isinstance(sid, str) or not is_sid("BS", sid):
            shown = make_visible(clip(repr(sid), 60))
            raise ResponseFormatError(
                f"a binding record has no valid sid (expected BS + 32 hex digits, got {shown})"
            )
        return cls(sid, raw)
