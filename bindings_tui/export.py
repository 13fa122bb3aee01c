"""Export bindings to a file: what the TUI's `e` writes.

The file holds exactly what `bindings-tui list -o json|jsonl|csv` prints for the same
bindings (it is rendered by `output.RecordWriter`, the CLI's own writer): JSON and JSONL
keep the data exact, CSV cells go through `output.csv_cell` (no formulas, controls
visible). The format comes from the file's extension.

Files are never silently replaced: an existing file is refused unless the caller says
`overwrite`, and the write is atomic (a temp file beside it, fsync, then a no-clobber
hard link or, when overwriting, os.replace), mode 0600 (identities are personal data).
"""

from __future__ import annotations

import contextlib
import enum
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from bindings_tui.errors import InputError
from bindings_tui.hosts import shown
from bindings_tui.models import Binding
from bindings_tui.output import binding_writer
from bindings_tui.rows import BindingRows

FILE_MODE: Final = 0o600
MAX_PATH_CHARS: Final = 4096


class ExportFormat(enum.StrEnum):
    """The file formats, named by their extension (and `list -o`'s format name)."""

    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"


class ExportError(InputError):
    """The export cannot be written (bad name, unknown extension, OS error): one line."""


class FileExistsExportError(ExportError):
    """The file is there already and the caller did not ask to overwrite it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{shown(str(path), 200)} exists already")


def format_of(path: Path) -> ExportFormat:
    """The format the file's extension names; anything else is one clear line."""
    suffix = path.suffix.lower().lstrip(".")
    for fmt in ExportFormat:
        if suffix == fmt.value:
            return fmt
    names = ".csv, .json or .jsonl"
    what = f"extension {shown(path.suffix)}" if path.suffix else "no extension"
    raise ExportError(f"{shown(path.name)} has {what}: end the name with {names}")


def resolve_path(text: str, cwd: Path | None = None) -> Path:
    """The file a user typed: `~` expanded, relative names under `cwd` (default: the
    current directory). Blanks around the name are dropped; control characters and
    empty names are refused."""
    name = text.strip()
    if not name:
        raise ExportError("give a file name (ending in .csv, .json or .jsonl)")
    if len(name) > MAX_PATH_CHARS or not name.isprintable():
        raise ExportError(f"{shown(name)} is not a usable file name")
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = (cwd if cwd is not None else Path.cwd()) / path
    return Path(os.path.normpath(path))


def default_file_name(service_sid: str, now: datetime, fmt: ExportFormat) -> str:
    """`bindings-IS...-20250102-030405.csv`: unique enough not to clash by accident."""
    return f"bindings-{service_sid}-{now.strftime('%Y%m%d-%H%M%S')}.{fmt.value}"


@dataclass(frozen=True, slots=True)
class Selection:
    """What an export writes: the marked rows when there are marks, else the view."""

    bindings: list[Binding]
    marked: bool
    hidden: int = 0  # marked rows the current filter hides (exported after the shown ones)

    def describe(self) -> str:
        """`12 marked bindings` / `340 bindings in view`, as the dialog says it."""
        count = len(self.bindings)
        noun = "binding" if count == 1 else "bindings"
        if not self.marked:
            return f"{count:,} {noun} in view"
        note = f" ({self.hidden:,} hidden by the filter)" if self.hidden else ""
        return f"{count:,} marked {noun}{note}"


def selection_of(rows: BindingRows) -> Selection:
    """Marks respected: the marked rows in view order (marked rows the filter hides
    follow, in load order, as a delete of the marks would take them too); without
    marks, every row of the current view (filter and sort)."""
    if not rows.marks:
        return Selection(list(rows.in_view()), marked=False)
    marks = rows.marks
    shown_marked = [b for b in rows.in_view() if b.sid in marks]
    seen = {b.sid for b in shown_marked}
    hidden = [b for b in rows.marked_bindings() if b.sid not in seen]
    return Selection(shown_marked + hidden, marked=True, hidden=len(hidden))


def render(bindings: Sequence[Binding], fmt: ExportFormat) -> str:
    """The file's text: the CLI's `list -o FORMAT` output for these bindings."""
    out = io.StringIO()
    writer = binding_writer(out, fmt.value)
    writer.write(list(bindings))
    writer.close()
    return out.getvalue()


def write_export(path: Path, bindings: Sequence[Binding], *, overwrite: bool = False) -> Path:
    """Write `bindings` to `path` (absolute, see `resolve_path`) in the format of its
    extension. Returns the path written. An existing file raises FileExistsExportError
    unless `overwrite`; every OS error is an ExportError naming the file."""
    fmt = format_of(path)
    if not overwrite and path.exists():
        raise FileExistsExportError(path)
    text = render(bindings, fmt)
    directory = path.parent
    if not directory.is_dir():
        raise ExportError(f"folder {shown(str(directory), 200)} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".bindings-export-", suffix=".tmp", dir=directory)
    except OSError as error:
        raise _os_error(path, error) from None
    try:
        try:
            os.fchmod(fd, FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            _put_in_place(tmp, path, overwrite=overwrite)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except FileExistsError:
        raise FileExistsExportError(path) from None
    except OSError as error:
        raise _os_error(path, error) from None
    return path


def _put_in_place(tmp: str, path: Path, *, overwrite: bool) -> None:
    """os.replace when overwriting; otherwise a hard link, which fails if the name was
    taken meanwhile (no check-then-write race). Without hard links: check, then replace."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.replace(tmp, path)


def _os_error(path: Path, error: OSError) -> ExportError:
    reason = error.strerror or type(error).__name__
    return ExportError(f"cannot write {shown(str(path), 200)}: {reason}")


__all__ = [
    "ExportError",
    "ExportFormat",
    "FileExistsExportError",
    "Selection",
    "default_file_name",
    "format_of",
    "render",
    "resolve_path",
    "selection_of",
    "write_export",
]
