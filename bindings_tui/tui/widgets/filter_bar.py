"""The filter bar: `/` live filter, `i` identity query, binding-type toggles."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Static

from bindings_tui.filtering import TypeFilter
from bindings_tui.tui.guard import guarded
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.line import Line


class FilterInput(AppInput):
    """An Input where `escape` clears and hands focus back, `enter` keeps and hands back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape", "clear_and_leave", "Clear", show=True, id="filter.clear"),
        KeyBinding("enter", "leave", "Keep", show=True, id="filter.keep"),
    ]

    # The text's width, kept by Input on every edit; assigning it asked for a layout of
    # the whole screen each keystroke (8-20 ms on the main screen). The box's own size
    # never depends on it (`width: 1fr`): a repaint is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    # Called with the new text on every edit, in the same turn as the keystroke, so the
    # table repaints in the same frame as the box. Waiting for Input.Changed to bubble up
    # to the screen lands the table a frame later (Textual's update timer: 17-33 ms).
    on_edit: Callable[[str], None] | None = None

    @guarded
    def watch_value(self, value: str) -> None:
        if self.on_edit is not None:
            self.on_edit(value)

    class Leave(Message):
        def __init__(self, input: FilterInput, cleared: bool) -> None:
            super().__init__()
            self.input = input
            self.cleared = cleared

    @guarded
    def action_clear_and_leave(self) -> None:
        self.value = ""
        self.post_message(self.Leave(self, cleared=True))

    @guarded
    def action_leave(self) -> None:
        self.post_message(self.Leave(self, cleared=False))


class TypeToggles(Line):
    """`1 apn  2 gcm  3 fcm  4 twilsock`, the selected ones highlighted."""

    def show(self, types: tuple[str, ...], selected: TypeFilter) -> None:
        text = Text(no_wrap=True, end="")
        for number, name in enumerate(types, start=1):
            on = name in selected.selected
            text.append(f" {number}", style="bold")
            text.append(f" {inert_str(name)} ", style="reverse bold" if on else "dim")
        self.show_text(text)


class FilterBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static(Text("/", style="bold"), classes="filter-key")
        yield FilterInput(placeholder="filter (text, regex, !inverts)", id="filter", compact=True)
        yield Static(Text("i", style="bold"), classes="filter-key")
        yield FilterInput(placeholder="identity (asks Twilio; a,b,c)", id="identity", compact=True)
        yield TypeToggles(id="types")
