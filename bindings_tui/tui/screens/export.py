"""`e`: write the current view (or the marked rows) to a file the user names.

The file name box starts with a name in the current directory; enter writes. An existing
file is never replaced silently: the first enter says it exists, a second enter on the
same name overwrites it. Every problem is one inert line in the modal; the write runs in
a thread so a big list does not freeze the screen.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from bindings_tui.export import (
    ExportError,
    FileExistsExportError,
    Selection,
    resolve_path,
    write_export,
)
from bindings_tui.tui.guard import background, guarded
from bindings_tui.tui.inert import inert, title
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.line import Line

NAMES = "A name ending in .csv, .json or .jsonl: in the current folder, or ~/... or /..."
HINT = "enter writes · escape cancels"


@dataclass(frozen=True, slots=True)
class ExportDone:
    """What was written, for the browser's notification."""

    path: Path
    count: int


class ExportModal(ModalScreen[ExportDone | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, selection: Selection, default_name: str, cwd: Path | None = None) -> None:
        super().__init__()
        self.selection = selection
        self._default_name = default_name
        self._cwd = cwd
        self._confirmed: Path | None = None  # the existing file a second enter replaces
        self.writing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = title("Export", self.selection.describe())
            yield Static(inert(f"Write {self.selection.describe()} to:"), id="export-what")
            yield AppInput(value=self._default_name, id="export-path")
            yield Static(NAMES, id="export-names", markup=False)
            yield Line(id="export-status")

    @guarded
    def on_mount(self) -> None:
        self._status(HINT)
        self.query_one("#export-path", Input).focus()

    def _status(self, line: str, kind: str = "") -> None:
        """The one line under the box: the hint, progress, or a problem (`kind`: the
        class that colours it, `error` or `warning`)."""
        status = self.query_one("#export-status", Line)
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "warning", "-warning")
        status.show_text(inert(line))

    @on(Input.Changed, "#export-path")
    @guarded
    def _name_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._confirmed is not None:  # another name: ask again before replacing
            self._confirmed = None
            self._status(HINT)

    @on(Input.Submitted, "#export-path")
    @guarded
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.writing:
            return
        try:
            path = resolve_path(event.value, self._cwd)
        except ExportError as error:
            self._status(error.user_message(), "error")
            return
        self.writing = True
        self._status(f"Writing {self.selection.describe()}…")
        self.write_file(path, overwrite=path == self._confirmed)

    @background(group="export", description="export to a file")
    async def write_file(self, path: Path, *, overwrite: bool) -> None:
        try:
            written = await asyncio.to_thread(
                write_export, path, self.selection.bindings, overwrite=overwrite
            )
        except FileExistsExportError as error:
            self._confirmed = path
            self._status(f"{error.user_message()}: enter again to replace it", "warning")
            return
        except ExportError as error:
            self._status(error.user_message(), "error")
            return
        finally:
            self.writing = False
        self.dismiss(ExportDone(written, len(self.selection.bindings)))

    @guarded
    def action_cancel(self) -> None:
        if self.writing:  # the thread cannot be stopped: stay until it says how it went
            self._status(f"Writing {self.selection.describe()}… (escape once it is done)")
            return
        self.dismiss(None)


def done_line(result: ExportDone) -> str:
    """`Wrote 340 bindings to /abs/path.csv` (the toast makes it inert)."""
    noun = "binding" if result.count == 1 else "bindings"
    return f"Wrote {result.count:,} {noun} to {result.path}"


__all__ = ["ExportDone", "ExportModal", "done_line"]
