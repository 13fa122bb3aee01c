"""A yes/no modal: `y` confirms, `n`/`escape` cancels, focus starts on Cancel."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from bindings_tui.tui.guard import guarded
from bindings_tui.tui.inert import title


class ConfirmModal(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("y", "confirm", "Yes, delete", id="confirm.yes"),
        KeyBinding("n,escape", "cancel", "No, cancel", id="confirm.no"),
        KeyBinding("left,right", "switch_button", "Switch", show=False, id="confirm.switch"),
    ]

    def __init__(self, title: str, body: Text, confirm_label: str = "Delete (y)") -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog") as dialog:
            dialog.border_title = title(self._title)
            yield Static(self._body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel (n)", id="cancel", variant="primary")
                yield Button(self._confirm_label, id="confirm", variant="error")

    @guarded
    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    @guarded
    def action_confirm(self) -> None:
        self.dismiss(True)

    @guarded
    def action_cancel(self) -> None:
        self.dismiss(False)

    @guarded
    def action_switch_button(self) -> None:
        self.focus_next(Button)
