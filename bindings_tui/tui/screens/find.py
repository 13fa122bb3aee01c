"""Find users everywhere: one or more identities searched in every service of both APIs
(`find_identities`), the results grouped by service; enter opens that service with the
identity query applied."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from bindings_tui.errors import BindingsError
from bindings_tui.find_identities import (
    FindReport,
    ServiceRef,
    ServiceResult,
    find_identities,
    parse_identity_text,
)
from bindings_tui.models import ApiFlavor
from bindings_tui.output import format_time
from bindings_tui.sids import shorten_sid
from bindings_tui.tui.guard import as_bindings_error, background, guarded
from bindings_tui.tui.inert import inert, inert_str
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp

ENDPOINT_WIDTH = 24
NAME_WIDTH = 40


@dataclass(frozen=True, slots=True)
class FindChoice:
    """Open this service of this API with these identities in its identity query."""

    api: ApiFlavor
    service_sid: str
    identities: tuple[str, ...]


class FindScreen(Screen[FindChoice | None]):
    """Type identities, enter searches; a row (a service or one of its bindings) opens."""

    AUTO_FOCUS = "#find-input"
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape", "back", "Back", id="find.back"),
        KeyBinding("slash,i", "focus_input", "Identities", id="find.edit"),
        KeyBinding("question_mark", "help", "Help", key_display="?", id="find.help"),
    ]

    def __init__(self, identities: str = "") -> None:
        super().__init__()
        self.initial = identities
        self.report: FindReport | None = None
        self._generation = 0
        self._searched = 0
        # Row key -> what enter on that row opens.
        self._choices: dict[str, FindChoice] = {}

    @property
    def bt_app(self) -> BindingsApp:
        return cast("BindingsApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(self._context_line(), id="context")
        with Horizontal(id="find-row"):
            yield Static(Text("identities ", style="bold"), classes="filter-key")
            yield AppInput(
                self.initial,
                placeholder="alice, bob (commas or spaces); enter searches every service",
                id="find-input",
                compact=True,
            )
        yield Static(Text("Type one or more identities and press enter."), id="find-status")
        yield DataTable(id="find-results", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    @guarded
    def on_mount(self) -> None:
        table = self.query_one("#find-results", DataTable)
        table.add_columns("Service · binding", "Identity", "Type", "Endpoint", "Updated")
        if self.initial.strip():
            self.search(self.initial)

    def _context_line(self) -> Text:
        text = Text(no_wrap=True, end="", overflow="ellipsis")
        text.append(" Find users everywhere", style="bold")
        text.append("  ·  every service, Conversations v1 and Chat v2  ·  ")
        text.append(self.bt_app.account_label())
        return text

    def _status(self, text: Text) -> None:
        self.query_one("#find-status", Static).update(text)

    # ---- searching -------------------------------------------------------------------------

    @on(Input.Submitted, "#find-input")
    @guarded
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search(event.value)

    def search(self, text: str) -> None:
        try:
            identities = parse_identity_text(text)
        except BindingsError as exc:
            self._status(inert(exc.user_message(), "bold red"))
            return
        if not identities:
            self._status(Text("Type one or more identities first.", style="yellow"))
            return
        self._generation += 1
        self._searched = 0
        self._status(inert(f"Searching every service for {', '.join(identities)}…", "italic"))
        self._run(self._generation, identities)

    @background(exclusive=True, group="find", description="find identities everywhere")
    async def _run(self, generation: int, identities: tuple[str, ...]) -> None:
        def heard(result: ServiceResult) -> None:
            if generation == self._generation:
                self._searched += 1
                self._status(
                    Text(f"Searching… {self._searched} service(s) searched", style="italic")
                )

        try:
            report = await find_identities(self.bt_app.client_for, identities, on_result=heard)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one line; the screen stays usable
            if generation == self._generation:
                error = as_bindings_error(exc, "finding identities")
                self._status(inert(f"Could not search: {error.user_message()}", "bold red"))
            return
        if generation != self._generation:
            return
        self.show(report)
        auth = report.auth_error()
        if auth is not None:
            self.bt_app.handle_auth_error(auth)

    # ---- results ---------------------------------------------------------------------------

    def show(self, report: FindReport) -> None:
        """One header row per service (API, name, count or error), then its bindings."""
        self.report = report
        table = self.query_one("#find-results", DataTable)
        table.clear()
        self._choices = {}
        for failure in report.api_failures:
            key = f"api-{failure.api.value}"
            table.add_row(
                inert(failure.api.label, "bold"),
                inert(f"services not listed: {failure.error.user_message()}", "red", 120),
                "",
                "",
                "",
                key=key,
            )
        shown = [r for r in report.results if r.bindings or r.error is not None]
        for index, result in enumerate(shown):
            service = result.service
            present = {b.identity for b in result.bindings}
            # The identities found there, in the order they were typed.
            found = tuple(i for i in report.identities if i in present)
            key = f"s{index}"
            self._choices[key] = FindChoice(service.api, service.sid, found or report.identities)
            table.add_row(*self._header_cells(result), key=key)
            for number, binding in enumerate(result.bindings):
                row_key = f"s{index}b{number}"
                identity = (binding.identity,) if binding.identity else report.identities
                self._choices[row_key] = FindChoice(service.api, service.sid, identity)
                table.add_row(
                    inert(binding.sid),
                    inert(binding.identity or "-", width=40),
                    inert(binding.binding_type or "-"),
                    inert(binding.endpoint or "-", width=ENDPOINT_WIDTH),
                    inert(format_time(binding.date_updated)),
                    key=row_key,
                )
        self._status(self._summary(report))
        if shown:
            table.focus()

    @staticmethod
    def _header_cells(result: ServiceResult) -> list[Text | str]:
        service = result.service
        head = _service_label(service)
        if result.error is not None:
            detail = inert(f"not searched: {result.error.user_message()}", "bold red", 120)
        else:
            count = len(result.bindings)
            detail = Text(f"{count} binding{'s' if count != 1 else ''}", style="bold")
        return [head, detail, "", inert(shorten_sid(service.sid), "dim"), ""]

    @staticmethod
    def _summary(report: FindReport) -> Text:
        count = len(report.found)
        services = len(report.with_bindings)
        apis = "both APIs" if len(report.apis) > 1 else report.apis[0].label
        text = Text(no_wrap=True, end="", overflow="ellipsis")
        if count:
            text.append(
                f"{count} binding{'s' if count != 1 else ''} in {services} "
                f"service{'s' if services != 1 else ''}",
                style="bold",
            )
        else:
            text.append("No binding of ", style="bold")
            text.append(inert_str(", ".join(report.identities), 60), style="bold")
            text.append(" anywhere", style="bold")
        text.append(f"  ·  {len(report.results)} searched on {apis}")
        failed = len(report.failed) + len(report.api_failures)
        if failed:
            text.append(f"  ·  {failed} could not be searched", style="bold red")
        if count:
            text.append("  ·  enter opens one with the identity query")
        return text

    @on(DataTable.RowSelected, "#find-results")
    @guarded
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        choice = self._choices.get(key) if key else None
        if choice is not None:
            self.dismiss(choice)

    # ---- keys ------------------------------------------------------------------------------

    @guarded
    def action_back(self) -> None:
        self.dismiss(None)

    @guarded
    def action_focus_input(self) -> None:
        self.set_focus(self.query_one("#find-input", Input))

    @guarded
    def action_help(self) -> None:
        self.bt_app.show_help()


def _service_label(service: ServiceRef) -> Text:
    """`▸ Chat v2 · Acme Chat (staging)`: one style for the whole cell."""
    name = inert_str(service.friendly_name or service.sid, NAME_WIDTH)
    return Text(f"▸ {service.api.label} · {name}", style="bold", no_wrap=True, end="")


__all__ = ["FindChoice", "FindScreen"]
