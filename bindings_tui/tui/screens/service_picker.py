"""Pick a service: the account's services for the chosen API, or type a SID."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from bindings_tui.ages import relative_age
from bindings_tui.errors import AuthError
from bindings_tui.models import ApiFlavor, Service
from bindings_tui.rows import Origin
from bindings_tui.sids import is_sid
from bindings_tui.tui.context import Session, other_api
from bindings_tui.tui.guard import as_bindings_error, background, guarded
from bindings_tui.tui.inert import inert
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp

# The list's own keys (down, enter, ...) -> their actions: pressed while the services are
# still loading, they wait and then apply in order (`s`, down, enter opens the second one).
LIST_ACTIONS: dict[str, str] = {
    binding.key: binding.action for binding in KeyBinding.make_bindings(DataTable.BINDINGS)
}


class ServicePickerScreen(Screen[Origin | None]):
    """Dismisses with the chosen service and its API, or None (escape) when something is
    open. `a` switches the API of THIS list only: nothing outside the picker changes until
    a service is chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape", "back", "Back", id="picker.back"),
        KeyBinding("slash,e", "focus_sid", "Enter a SID", id="picker.enter_sid"),
        KeyBinding("a", "switch_api", "Switch API", id="picker.switch_api"),
        KeyBinding("r", "reload", "Reload", id="picker.reload"),
    ]

    def __init__(self, api: ApiFlavor, *, can_go_back: bool) -> None:
        super().__init__()
        self.api = api
        self.can_go_back = can_go_back
        self._generation = 0
        self._loading = False
        self._typed_ahead: list[str] = []  # list actions pressed while it loads

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

    @guarded
    def on_mount(self) -> None:
        table = self.query_one("#services", DataTable)
        table.add_columns("Friendly name", "Service SID", "Created")
        self._show_context()
        self.action_reload()
        table.focus()
        self.watch(self.app, "session", self._session_changed, init=False)

    @guarded
    def _session_changed(self, old: Session, new: Session) -> None:
        if new.credentials != old.credentials:
            self._show_context()
            self.action_reload()

    def _show_context(self) -> None:
        text = Text(no_wrap=True, end="")
        text.append(" Pick a service", style="bold")
        text.append(f"  ·  {self.api.label}  ·  ")
        text.append(self.bt_app.account_label())
        self.query_one("#context", Static).update(text)

    def _status(self, text: Text) -> None:
        self.query_one("#picker-status", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`escape` is offered only when it goes somewhere: back to an open service, or
        from the SID box back to the list."""
        if action != "back" or self.can_go_back:
            return True
        return self.focused is not None and self.focused.id == "sid-input"

    @guarded
    def on_key(self, event: events.Key) -> None:
        """While the list loads, its keys wait (they would act on an empty list)."""
        action = LIST_ACTIONS.get(event.key)
        if self._loading and action is not None and self.focused is self._table:
            event.stop()
            event.prevent_default()
            self._typed_ahead.append(action)

    @property
    def _table(self) -> DataTable[Text]:
        return self.query_one("#services", DataTable)

    async def _apply_typed_ahead(self) -> None:
        """The keys pressed while the list loaded, in order, up to a choice (enter)."""
        actions, self._typed_ahead = self._typed_ahead, []
        for action in actions:
            await self._table.run_action(action)
            if action == "select_cursor":
                break

    @guarded
    def action_reload(self) -> None:
        self._typed_ahead = []  # they were meant for the list being replaced
        self._loading = True
        self._status(Text(f"Loading {self.api.label} services…", style="italic"))
        self._generation += 1
        self._load(self._generation, self.api)

    @background(exclusive=True, group="services", description="list services")
    async def _load(self, generation: int, api: ApiFlavor) -> None:
        try:
            services = await self.bt_app.client_for(api).list_services()
        except asyncio.CancelledError:
            raise
        except AuthError as exc:
            self._loading = False
            self._typed_ahead = []
            self.bt_app.handle_auth_error(exc)
            return
        except Exception as exc:  # one line, the picker stays usable
            if generation == self._generation:
                self._loading = False
                self._typed_ahead = []
                error = as_bindings_error(exc, "listing the services")
                self._status(inert(f"Could not list services: {error.user_message()}", "bold red"))
            return
        if generation != self._generation:
            return  # the API was switched meanwhile
        table = self.query_one("#services", DataTable)
        table.clear()
        now = self.bt_app.ctx.clock()
        for service in services:
            table.add_row(
                inert(service.friendly_name if service.friendly_name else "-"),
                inert(service.sid),
                inert(_created(service, now)),
                key=service.sid,
            )
        count = len(services)
        message = (
            f"{count} {api.label} service{'s' if count != 1 else ''}: enter opens one"
            if count
            else f"This account has no {api.label} services: enter a SID below, or press a."
        )
        self._status(Text(message))
        self._loading = False
        await self._apply_typed_ahead()

    @on(DataTable.RowSelected, "#services")
    @guarded
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        sid = event.row_key.value
        if sid and is_sid("IS", sid):
            self.dismiss(Origin(self.api, sid))
        elif sid:
            self._status(inert(f"Not a service SID: {sid}", "bold red"))

    @on(Input.Changed, "#sid-input")
    @guarded
    def _sid_changed(self, event: Input.Changed) -> None:
        self.query_one("#sid-hint", Static).update(self._sid_hint(event.value))

    @on(Input.Submitted, "#sid-input")
    @guarded
    def _sid_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if is_sid("IS", value):
            self.dismiss(Origin(self.api, value))
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

    @guarded
    def action_focus_sid(self) -> None:
        self._typed_ahead = []  # the keys after this one go to the SID box
        self.query_one("#sid-input", Input).focus()

    @guarded
    def action_back(self) -> None:
        if self.can_go_back:
            self.dismiss(None)
        elif self.focused is self.query_one("#sid-input", Input):
            self.query_one("#services", DataTable).focus()

    @guarded
    def action_switch_api(self) -> None:
        """Only this list changes API; the app's session changes when a service is chosen."""
        self.api = other_api(self.api)
        self._show_context()
        self.query_one("#services", DataTable).clear()
        self.action_reload()


def _created(service: Service, now: datetime) -> str:
    try:
        stamp = service.date_created.strftime("%Y-%m-%d") if service.date_created else "-"
        return f"{stamp} ({relative_age(service.date_created, now)})"
    except (OverflowError, ValueError):  # a date at the edge of what datetime holds
        return "-"
