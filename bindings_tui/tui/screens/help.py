"""`?`: every key of the screen it was opened over, and the filter grammar."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bindings_tui.tui.guard import guarded
from bindings_tui.tui.inert import inert_str, title

FILTER_HELP = """\
Filter box (/): case-insensitive, over identity, endpoint, SID and type.
  alice          substring
  ^alice$        a regex (one field per line, so ^...$ matches a whole field)
  !fcm           a leading ! shows what does NOT match
  bad[regex      an invalid regex is matched literally (the status line says so)
  enter keeps the filter and returns to the table; escape clears it.
Identity box (i): asks Twilio for those identities (comma-separated), even
  while a long list is still loading; escape returns to the full list.
Type toggles 1-4: show only the selected binding types; none selected = all.
Row markers: ✗ error, ! warning, i information; * Twilio's own alerts name the
  row (f steps through rows with problems, rows the alerts name, each kind).
Copy (c, C, x, X) asks the terminal to set the clipboard (OSC 52), which it
  cannot confirm: the toast shows the value. In tmux: set -g set-clipboard on."""


def help_text(rows: Iterable[tuple[str, str]]) -> Text:
    text = Text(no_wrap=False)
    text.append("Keys\n", style="bold underline")
    for key, description in rows:
        text.append(f"  {inert_str(key):<14}", style="bold")
        text.append(inert_str(description) + "\n")
    text.append("\n")
    text.append(FILTER_HELP)
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog") as box:
            box.border_title = title("Help", "escape closes")
            yield Static(help_text(self._rows))

    @guarded
    def action_close(self) -> None:
        self.dismiss(None)
