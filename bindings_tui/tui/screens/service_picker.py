"""Pick a service: the account's services for the chosen API, or type a SID."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from bindings_tui.ages import relative_age
from bindings_tui.errors import AuthError, BindingsError
from bindings_tui.models import Service
from bindings_tui.sids import is_sid
from bindings_tui.tui.cells import visible
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp


class ServicePickerScreen(Screen[str | None]):
    """Dismisses with the chosen service SID, or None (escape) when something is open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape", "back", "Back", id="picker.back"),
        KeyBinding("slash,e", "focus_sid", "Enter a SID", id="picker.enter_sid"),
        KeyBinding("a", "switch_api", "Switch API", id="picker.switch_api"),
        KeyBinding("r", "reload", "Reload", id="picker.reload"),
    ]

    def __init__(self, *, can_go_back: bool) -> None:
        super().__init__()
        self.can_go_back = can_go_back
        self._services: list[Service] = []

    @property
    def bt_app(self) -> BindingsApp:
        return cast("BindingsApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="context")
        with Vertical(id="picker"):
            yield Static(id="picker-status")
            yield DataTable(id="services", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="sid-row"):
                yield Static(Text("or enter a service SID ", style="bold"), classes="filter-key")
                yield AppInput(placeholder="IS + 32 hex digits", id="sid-input", compact=True)
            yield Static(id="sid-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#services", DataTable)
        table.add_columns("Friendly name", "Service SID", "Created")
        self._show_context()
        self.action_reload()
        table.focus()

    def _show_context(self) -> None:
        ctx = self.bt_app.ctx
        text = Text(no_wrap=True, end="")
        text.append(" Pick a service", style="bold")
        text.append(f"  ·  {ctx.api.label}  ·  ")
        text.append(self.bt_app.account_label())
        self.query_one("#context", Static).update(text)

    def action_reload(self) -> None:
        self.query_one("#picker-status", Static).update(
            Text(f"Loading {self.bt_app.ctx.api.label} services…", style="italic")
        )
        self._load()

    @work(exclusive=True, group="services")
    async def _load(self) -> None:
        try:
            services = await self.bt_app.client.list_services()
        except AuthError as exc:
            self.bt_app.handle_auth_error(exc)
            return
        except BindingsError as exc:
            self.query_one("#picker-status", Static).update(
                Text(f"Could not list services: {exc.user_message()}", style="bold red")
            )
            return
        self._services = services
        table = self.query_one("#services", DataTable)
        table.clear()
        now = self.bt_app.ctx.clock()
        for service in services:
            created = relative_age(service.date_created, now)
            stamp = service.date_created.strftime("%Y-%m-%d") if service.date_created else "-"
            table.add_row(
                Text(visible(service.friendly_name)),
                Text(service.sid),
                Text(f"{stamp} ({created})"),
                key=service.sid,
            )
        count = len(services)
        message = (
            f"{count} {self.bt_app.ctx.api.label} service{'s' if count != 1 else ''}: "
            "enter opens one"
            if count
            else "This account has no services for this API: enter a SID below, or press a."
        )
        self.query_one("#picker-status", Static).update(Text(message))

    @on(DataTable.RowSelected, "#services")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.dismiss(event.row_key.value)

    @on(Input.Changed, "#sid-input")
    def _sid_changed(self, event: Input.Changed) -> None:
        self.query_one("#sid-hint", Static).update(self._sid_hint(event.value))

    @on(Input.Submitted, "#sid-input")
    def _sid_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if is_sid("IS", value):
            self.dismiss(value)
        else:
            self.query_one("#sid-hint", Static).update(self._sid_hint(value, submitted=True))

    @staticmethod
    def _sid_hint(value: str, submitted: bool = False) -> Text:
        value = value.strip()
        if not value:
            return Text("")
        if is_sid("IS", value):
            return Text("✓ valid service SID: enter opens it", style="green")
        if not value.upper().startswith("IS"):
            problem = "a service SID starts with IS"
        elif len(value) != 34:
            problem = f"a service SID is 34 characters (this is {len(value)})"
        else:
            problem = "after IS come 32 hex digits (0-9, a-f)"
        return Text(("✗ " if submitted else "") + problem, style="red" if submitted else "yellow")

    def action_focus_sid(self) -> None:
        self.query_one("#sid-input", Input).focus()

    def action_back(self) -> None:
        if self.can_go_back:
            self.dismiss(None)
        elif self.focused is self.query_one("#sid-input", Input):
            self.query_one("#services", DataTable).focus()

    def action_switch_api(self) -> None:
        self.bt_app.switch_api()
        self._show_context()
        self.query_one("#services", DataTable).clear()
        self.action_reload()
