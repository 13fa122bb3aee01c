"""An Input that respects the app's `cursor_blink` switch (off in tests and snapshots)."""

from __future__ import annotations

from textual.widgets import Input

from bindings_tui.tui.guard import guarded


class AppInput(Input):
    @guarded
    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False
