"""The main screen: header, filter bar, bindings table, detail pane, status line, footer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from bindings_tui.deletes import DeleteOutcome, DeleteResult, delete_many
from bindings_tui.diagnose_run import DiagnosisReport, rediagnose, run_diagnostics
from bindings_tui.diagnostics import Finding, findings_by_sid, severity_by_sid
from bindings_tui.errors import ApiError, AuthError, BindingsError
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.gc_policy import release_loaded, settle_loaded
from bindings_tui.models import Binding
from bindings_tui.store import BindingStore, Column, Sort
from bindings_tui.streams import stream_bindings
from bindings_tui.textsafe import clip
from bindings_tui.tui.cells import visible
from bindings_tui.tui.messages import (
    BindingDeleted,
    DeleteFailed,
    DeleteProgress,
    DiagnosisReady,
    LoadFailed,
    PagesLoaded,
    ServiceFetched,
)
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.user import DeleteRequest, UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane
from bindings_tui.tui.widgets.filter_bar import FilterBar, FilterInput, TypeToggles
from bindings_tui.tui.widgets.findings_bar import (
    ALL_FINDINGS,
    FindingChoice,
    FindingsBar,
    choice_label,
    in_all,
    kinds_in,
)
from bindings_tui.tui.widgets.key_footer import KeyFooter
from bindings_tui.tui.widgets.line import Line

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp

SORT_CYCLE: list[Column | None] = [None, *Column]


class LoadState:
    """Progress of one list request (the service's list, or an identity query)."""

    def __init__(self) -> None:
        self.pages = 0
        self.done = False
        self.error: BindingsError | None = None

    def describe(self, loaded: int, what: str) -> Text:
        if self.error is not None:
            text = Text(f"✗ {what}: stopped after {self.pages} page(s): ", style="bold red")
            text.append(error_line(self.error), style="red")
            return text
        if self.done:
            return Text(f"✓ {what}: loaded {loaded:,} binding(s) in {self.pages} page(s)")
        return Text(
            f"… {what}: loading, {self.pages} page(s), {loaded:,} binding(s) so far",
            style="italic",
        )


def error_line(error: BindingsError) -> str:
    if isinstance(error, ApiError):
        return error.user_message()
    return clip(error.user_message(), 200)


class BrowserScreen(Screen[None]):
    AUTO_FOCUS = "BindingsTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("slash", "focus_filter", "Filter", key_display="/", id="browser.filter"),
        KeyBinding("i", "focus_identity", "Identity", id="browser.identity"),
        KeyBinding("1", "toggle_type(1)", "apn", show=False, id="browser.type1"),
        KeyBinding("2", "toggle_type(2)", "gcm", show=False, id="browser.type2"),
        KeyBinding("3", "toggle_type(3)", "fcm", show=False, id="browser.type3"),
        KeyBinding("4", "toggle_type(4)", "twilsock", show=False, id="browser.type4"),
        KeyBinding("f", "cycle_findings", "Findings", id="browser.findings"),
        KeyBinding("u", "user", "User", id="browser.user"),
        KeyBinding("d,delete", "delete", "Delete", id="browser.delete"),
        KeyBinding("space", "mark", "Mark", id="browser.mark"),
        KeyBinding("v", "toggle_raw", "JSON", show=False, id="browser.raw"),
        KeyBinding("o", "cycle_sort", "Sort", show=False, id="browser.sort"),
        KeyBinding("O", "reverse_sort", "Reverse sort", show=False, id="browser.reverse"),
        KeyBinding("r", "reload", "Reload", id="browser.reload"),
        KeyBinding("c", "copy_sid", "Copy SID", show=False, id="browser.copy_sid"),
        KeyBinding("C", "copy_endpoint", "Copy endpoint", show=False, id="browser.copy_endpoint"),
        KeyBinding("p", "toggle_detail", "Detail pane", show=False, id="browser.detail"),
        KeyBinding("tab", "focus_detail", "Focus detail", show=False, id="browser.focus_detail"),
        KeyBinding("s", "switch_service", "Service", id="browser.service"),
        KeyBinding("a", "switch_api", "API", show=False, id="browser.api"),
        KeyBinding("escape", "clear", "Clear filter", show=False, id="browser.clear"),
        KeyBinding("question_mark", "help", "Help", key_display="?", id="browser.help"),
    ]

    def __init__(self, service_sid: str) -> None:
        super().__init__()
        self.service_sid = service_sid
        self.service_name: str | None = None
        self.store = BindingStore()
        self.identity_store: BindingStore | None = None
        self.identities: tuple[str, ...] = ()
        self.load_state = LoadState()
        self.identity_state = LoadState()
        self.raw = False
        self.delete_progress: str | None = None
        self._generation = 0
        self._identity_generation = 0
        self._deleted: set[str] = set()
        self._identity_timer: Timer | None = None
        # push diagnosis of what is loaded (None until the list has loaded)
        self.report: DiagnosisReport | None = None
        self.report_scope = ""
        self.findings_index: dict[str, list[Finding]] = {}
        self.finding_choice: FindingChoice = None
        self.diagnosis_status: str | None = None
        self._diagnosis_generation = 0
        self._detail_pending = False
        # List from here, not from on_mount: the first requests then overlap the screen's
        # compose and first layout (tens of ms) instead of waiting for them. Pages that
        # arrive before the mount wait in the screen's message queue.
        self._start_load()

    # ---- plumbing ------------------------------------------------------------------------

    @property
    def bt_app(self) -> BindingsApp:
        return cast("BindingsApp", self.app)

    @property
    def active_store(self) -> BindingStore:
        return self.identity_store if self.identity_store is not None else self.store

    @property
    def table(self) -> BindingsTable:
        return self.query_one(BindingsTable)

    def compose(self) -> ComposeResult:
        yield Line(id="context")
        yield FilterBar(id="filter-bar")
        yield FindingsBar(id="findings")
        yield BindingsTable(self.store, clock=self.bt_app.ctx.clock, id="bindings")
        yield DetailPane(id="detail")
        with Horizontal(id="status"):
            yield Line(id="status-left")
            yield Line(id="status-right")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter", FilterInput).on_edit = self._filter_edited
        self.table.focus()
        self._show_context()
        self._show_types()
        self._show_findings()
        self._show_status()
        self.set_interval(60, self.table.tick)

    def on_unmount(self) -> None:
        release_loaded()  # what this screen held can be collected again (gc_policy)

    # ---- header and status ---------------------------------------------------------------

    def _show_context(self) -> None:
        ctx = self.bt_app.ctx
        text = Text(no_wrap=True, end="", overflow="ellipsis")
        text.append(" bindings-tui", style="bold")
        text.append("  ·  ")
        text.append(self.bt_app.account_label())
        text.append("  ·  ")
        text.append(ctx.api.label, style="bold")
        text.append("  ·  ")
        text.append(visible(self.service_name) if self.service_name else "…", style="bold")
        text.append(f" ({self.service_sid})", style="dim")
        self.query_one("#context", Line).show_text(text)

    def _show_types(self) -> None:
        self.query_one(TypeToggles).show(self.bt_app.ctx.api.binding_types, self.store.type_filter)

    def _show_status(self) -> None:
        store = self.active_store
        if self.identity_store is not None:
            who = ",".join(self.identities)
            left = self.identity_state.describe(store.loaded_count, f"identity {who}")
            if not self.load_state.done and self.load_state.error is None:
                left.append(
                    f"  (full list still loading: {self.store.loaded_count:,})", style="dim"
                )
        else:
            left = self.load_state.describe(store.loaded_count, "service")
        if self.delete_progress:
            left = Text(self.delete_progress, style="bold yellow")
        right = Text(no_wrap=True, end="")
        hint = store.query.hint
        if hint:
            right.append(hint + "  ", style="yellow")
        if store.marks:
            right.append(f"{len(store.marks)} marked  ", style="bold")
        right.append(f"{store.shown_count:,} of {store.loaded_count:,}", style="bold")
        left.no_wrap = True
        left.overflow = "ellipsis"
        self.query_one("#status-left", Line).show_text(left)
        self.query_one("#status-right", Line).show_text(right)

    def _show_detail(self, binding: Binding | None) -> None:
        same = self.active_store.by_identity(binding.identity) if binding else []
        if binding is not None and self.identity_store is not None:
            same = _merge(same, self.store.by_identity(binding.identity))
        pane = self.query_one(DetailPane)
        findings = self.findings_index.get(binding.sid, []) if binding else []
        pane.show(
            binding,
            same,
            self.bt_app.ctx.clock(),
            raw=self.raw,
            findings=findings,
            report=self.report,
        )

    # ---- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        """Forget what was loaded and list the service again (identity query too)."""
        self._start_load()
        if self.identity_store is None:
            self.table.set_store(self.store)
        if self.identities:
            self._start_identity_query(self.identities)
        self._show_status()

    def _start_load(self) -> None:
        """A fresh store (same filter and sort) and a new listing; touches no widget."""
        self._generation += 1
        self.store = _carry_view(self.store, BindingStore())
        self.load_state = LoadState()
        self._forget_diagnosis()
        self._load(self._generation)
        if self.service_name is None:
            self._fetch_service_name()

    @work(exclusive=True, group="load", description="load bindings")
    async def _load(self, generation: int) -> None:
        await self._stream(generation, (), self._post_pages(generation))

    @work(exclusive=True, group="service-name", description="service name")
    async def _fetch_service_name(self) -> None:
        """The header's service name, fetched beside the list (never before it: the first
        rows would wait a round trip)."""
        try:
            service = await self.bt_app.client.fetch_service(self.service_sid)
        except BindingsError:
            return  # the list call reports the problem
        self.post_message(ServiceFetched(service.sid, service.friendly_name))

    def _post_pages(self, generation: int) -> _PagePoster:
        return _PagePoster(self, generation)

    async def _stream(
        self, generation: int, identities: Sequence[str], poster: _PagePoster
    ) -> None:
        """Hand each page to the UI as it arrives: rows show at once, never after the last.

        Unfiltered, the list runs as one concurrent stream per binding type (`streams`),
        so pages of different types interleave; the end is posted once every stream ends.
        """
        client = self.bt_app.client
        pages = 0
        stream = stream_bindings(
            client,
            self.service_sid,
            identities=identities,
            page_size=self.bt_app.ctx.page_size,
            split_by_type=self.bt_app.ctx.split_by_type,
        )
        try:
            async with aclosing(stream):
                async for page in stream:
                    pages += 1
                    poster.pages(page.items, pages, False)
            poster.pages([], pages, True)
        except BindingsError as exc:
            poster.failed(exc, pages)

    @on(ServiceFetched)
    def _service_fetched(self, message: ServiceFetched) -> None:
        if message.sid == self.service_sid:
            self.service_name = message.friendly_name or "(no friendly name)"
            self._show_context()

    @on(PagesLoaded)
    def _pages_loaded(self, message: PagesLoaded) -> None:
        message.stop()
        identity = message.generation < 0
        if identity:
            if -message.generation != self._identity_generation or self.identity_store is None:
                return
            store, state = self.identity_store, self.identity_state
        else:
            if message.generation != self._generation:
                return
            store, state = self.store, self.load_state
        fresh = [b for b in message.bindings if b.sid not in self._deleted]
        state.pages = message.pages
        state.done = message.done
        shown = store is self.active_store
        current = self.table.current if shown else None
        store.append(fresh)
        settle_loaded()  # keeps full GC passes short while a big list loads (gc_policy)
        if shown:
            self.table.view_changed(current.sid if current else None)
        elif current is None and self.identity_store is not None:
            self._show_detail(self.table.current)  # "other bindings" may have grown
        self._show_status()
        if message.done:
            self._diagnose_when_loaded(identity)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        message.stop()
        if message.generation < 0:
            if -message.generation != self._identity_generation:
                return
            state = self.identity_state
        else:
            if message.generation != self._generation:
                return
            state = self.load_state
        state.error = message.error
        state.pages = message.pages
        self._show_status()
        if isinstance(message.error, AuthError):
            self.bt_app.handle_auth_error(message.error)
        else:
            self.notify(error_line(message.error), title="Loading failed", severity="error")

    # ---- identity query ------------------------------------------------------------------

    def _start_identity_query(self, identities: tuple[str, ...]) -> None:
        self._identity_generation += 1
        self.identities = identities
        self.identity_store = _carry_view(self.store, BindingStore())
        self.identity_store.set_restriction(self.store.restriction)
        self.identity_state = LoadState()
        self.table.set_store(self.identity_store)
        self._query_identity(self._identity_generation, identities)
        self._show_status()

    def _stop_identity_query(self) -> None:
        self._identity_generation += 1
        self.workers.cancel_group(self, "identity")
        self.identities = ()
        if self.identity_store is not None:
            self.identity_store = None
            self.table.set_store(self.store)
            if self.report_scope == "identity":
                self._forget_diagnosis()
        self._show_status()

    @work(exclusive=True, group="identity")
    async def _query_identity(self, generation: int, identities: tuple[str, ...]) -> None:
        await self._stream(-generation, identities, _PagePoster(self, -generation))

    def _identity_changed(self, value: str) -> None:
        if self._identity_timer is not None:
            self._identity_timer.stop()
        identities = tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))
        if not identities:
            self._identity_timer = None
            self._stop_identity_query()
            return
        if identities == self.identities:
            return
        delay = self.bt_app.ctx.identity_debounce
        self._identity_timer = self.set_timer(delay, lambda: self._start_identity_query(identities))

    # ---- filter --------------------------------------------------------------------------

    def _filter_edited(self, text: str) -> None:
        """Every edit of the filter box, as it happens (FilterInput.on_edit)."""
        self._apply_filter(text, self.active_store.type_filter)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # applied already, from on_edit

    @on(Input.Changed, "#identity")
    def _identity_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._identity_changed(event.value)

    @on(FilterInput.Leave)
    def _leave_input(self, message: FilterInput.Leave) -> None:
        self.table.focus()

    def _apply_filter(self, text: str, types: TypeFilter) -> None:
        query = parse_query(text)
        current = self.table.current
        for store in (self.store, self.identity_store):
            if store is not None:
                store.set_filter(query, types)
        self.table.view_changed(current.sid if current else None)
        self._show_types()
        self._show_status()

    def action_focus_filter(self) -> None:
        # set_focus is immediate (focus() waits a frame): keys typed right after `/` land
        # in the box instead of triggering table keys.
        self.set_focus(self.query_one("#filter", Input))

    def action_focus_identity(self) -> None:
        self.set_focus(self.query_one("#identity", Input))

    def action_toggle_type(self, number: int) -> None:
        types = self.bt_app.ctx.api.binding_types
        if not 1 <= number <= len(types):
            self.notify(f"{self.bt_app.ctx.api.label} has no binding type {number}")
            return
        toggled = self.store.type_filter.toggle(types[number - 1])
        self._apply_filter(self.query_one("#filter", Input).value, toggled)

    def action_clear(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.value or not self.store.type_filter.is_empty or self.finding_choice:
            filter_input.value = ""
            self._set_finding_choice(None)
            self._apply_filter("", TypeFilter())
        elif self.active_store.marks:
            self.active_store.marks.clear()
            self.table.refresh_rows()
            self._show_status()
        elif self.identities:
            self.query_one("#identity", Input).value = ""

    # ---- table events --------------------------------------------------------------------

    @on(BindingsTable.CursorMoved)
    def _cursor_moved(self, message: BindingsTable.CursorMoved) -> None:
        # The table repaints first and the detail pane follows a frame later, once for
        # any number of moves in between: rendering and laying the pane out doubled the
        # frame of a filter keystroke at 100k rows and delayed the first rows of a load.
        if not self._detail_pending:
            self._detail_pending = True
            self.call_after_refresh(self._show_pending_detail)

    def _show_pending_detail(self) -> None:
        self._detail_pending = False
        if self.is_attached:
            self._show_detail(self.table.current)

    @on(BindingsTable.HeaderClicked)
    def _header_clicked(self, message: BindingsTable.HeaderClicked) -> None:
        sort = self.active_store.sort
        if sort.column is message.column:
            self._set_sort(Sort(message.column, not sort.descending))
        else:
            self._set_sort(Sort(message.column))

    def _set_sort(self, sort: Sort) -> None:
        current = self.table.current
        for store in (self.store, self.identity_store):
            if store is not None:
                store.set_sort(sort)
        self.table.view_changed(current.sid if current else None)
        self.table.refresh()

    def action_cycle_sort(self) -> None:
        index = SORT_CYCLE.index(self.active_store.sort.column)
        column = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self._set_sort(Sort(column))
        label = column.value if column else "load order"
        self.notify(f"Sorted by {label} (O reverses)", timeout=2)

    def action_reverse_sort(self) -> None:
        sort = self.active_store.sort
        self._set_sort(Sort(sort.column, not sort.descending))

    def action_sort(self, column: str) -> None:
        self._set_sort(Sort(Column(column)) if column else Sort())

    def action_mark(self) -> None:
        binding = self.table.current
        if binding is None:
            return
        self.active_store.toggle_mark(binding.sid)
        self.table.refresh_rows()
        self.table.action_cursor_down()
        self._show_status()

    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self._show_detail(self.table.current)

    def action_toggle_detail(self) -> None:
        pane = self.query_one(DetailPane)
        pane.display = not pane.display

    def action_focus_detail(self) -> None:
        pane = self.query_one(DetailPane)
        if pane.has_focus:
            self.table.focus()
        elif pane.display:
            pane.focus()

    def action_reload(self) -> None:
        self.reload()
        self.notify("Reloading", timeout=2)

    def action_copy_sid(self) -> None:
        binding = self.table.current
        if binding is not None:
            self.app.copy_to_clipboard(binding.sid)
            self.notify(f"Copied {binding.sid}", title="Clipboard", timeout=3)

    def action_copy_endpoint(self) -> None:
        binding = self.table.current
        if binding is not None and binding.endpoint:
            self.app.copy_to_clipboard(binding.endpoint)
            self.notify(f"Copied the endpoint of {binding.sid}", title="Clipboard", timeout=3)

    def action_switch_service(self) -> None:
        self.bt_app.pick_service(can_go_back=True)

    def action_switch_api(self) -> None:
        self.bt_app.switch_api()
        self.service_name = None
        self._show_context()
        types = self.bt_app.ctx.api.binding_types
        kept = TypeFilter(frozenset(t for t in self.store.type_filter.selected if t in types))
        self._apply_filter(self.query_one("#filter", Input).value, kept)
        self.reload()
        self.notify(f"Now on {self.bt_app.ctx.api.label}; s picks another service", timeout=4)

    def action_help(self) -> None:
        self.bt_app.show_help()

    # ---- push diagnosis ----------------------------------------------------------------

    def _diagnose_when_loaded(self, identity_query: bool) -> None:
        """Diagnose the whole list once it has loaded; an identity query that finishes first
        is diagnosed on its own meanwhile (its user's findings show at once)."""
        if not identity_query:
            self._diagnose(self.store.loaded(), "service")
        elif not self.load_state.done and self.identity_store is not None:
            self._diagnose(self.identity_store.loaded(), "identity")

    def _diagnose(self, bindings: list[Binding], scope: str) -> None:
        self._diagnosis_generation += 1
        self.diagnosis_status = "diagnosing…"
        self._show_findings()
        self._run_diagnosis(self._diagnosis_generation, bindings, scope)

    # A description, or textual's @work repr()s every argument: 100k bindings, 0.5 s, 500 MB.
    @work(exclusive=True, group="diagnose", description="push diagnosis")
    async def _run_diagnosis(self, generation: int, bindings: list[Binding], scope: str) -> None:
        ctx = self.bt_app.ctx
        report = await run_diagnostics(
            self.bt_app.client, self.service_sid, ctx.diagnostics, ctx.clock(), bindings=bindings
        )
        self.post_message(DiagnosisReady(generation, report, scope))

    @work(exclusive=True, group="diagnose", description="push diagnosis after deletes")
    async def _rediagnose(self, generation: int, report: DiagnosisReport, scope: str) -> None:
        """After deletes: the same reads, the findings of what is left (no network)."""
        store = self.identity_store if scope == "identity" else self.store
        if store is None:
            return
        bindings = store.loaded()
        fresh = await asyncio.to_thread(rediagnose, report, bindings, self.bt_app.ctx.clock())
        self.post_message(DiagnosisReady(generation, fresh, scope))

    @on(DiagnosisReady)
    def _diagnosis_ready(self, message: DiagnosisReady) -> None:
        message.stop()
        if message.generation != self._diagnosis_generation:
            return
        self.report = message.report
        self.report_scope = message.scope
        self.findings_index = findings_by_sid(message.report.findings)
        problems = message.report.problems
        if problems:
            self.diagnosis_status = f"{len(problems)} read(s) failed: {clip(problems[0], 80)}"
        elif message.scope == "identity":
            self.diagnosis_status = "this identity only; the whole list is still loading"
        else:
            self.diagnosis_status = None
        self.table.set_markers(severity_by_sid(message.report.findings))
        if self.finding_choice is not None:
            kinds = kinds_in(message.report.findings)
            if self.finding_choice != ALL_FINDINGS and self.finding_choice not in kinds:
                self.finding_choice = None
            self._apply_finding_choice()
        self._show_findings()
        self._show_detail(self.table.current)

    def _forget_diagnosis(self) -> None:
        self._diagnosis_generation += 1
        self.workers.cancel_group(self, "diagnose")
        self.report = None
        self.report_scope = ""
        self.findings_index = {}
        self.diagnosis_status = None
        if self.is_mounted:
            self.table.set_markers({})
            self._show_findings()

    def _show_findings(self) -> None:
        findings = None if self.report is None else self.report.findings
        status = self.diagnosis_status
        if self.report is None and status is None:
            status = "after the list has loaded"
        self.query_one(FindingsBar).show(findings, status, self.finding_choice)

    def action_cycle_findings(self) -> None:
        """`f`: all rows -> rows with findings -> each kind in turn -> all rows."""
        if self.report is None:
            self.notify("Findings are computed once the list has loaded", timeout=3)
            return
        kinds = kinds_in(self.report.findings)
        if not kinds:
            self.notify("No binding has a finding", timeout=3)
            return
        cycle: list[FindingChoice] = [None, *kinds]
        if any(in_all(kind) for kind in kinds):
            cycle.insert(1, ALL_FINDINGS)
        position = cycle.index(self.finding_choice) if self.finding_choice in cycle else 0
        self._set_finding_choice(cycle[(position + 1) % len(cycle)])
        self.notify(f"Showing {choice_label(self.finding_choice)} (f for the next)", timeout=2)

    def _set_finding_choice(self, choice: FindingChoice) -> None:
        self.finding_choice = choice
        self._apply_finding_choice()
        self._show_findings()

    def _apply_finding_choice(self) -> None:
        sids: set[str] | None = None
        choice = self.finding_choice
        if choice is not None and self.report is not None:
            sids = {
                sid
                for f in self.report.findings
                if f.kind == choice or (choice == ALL_FINDINGS and in_all(f.kind))
                for sid in f.binding_sids
            }
        current = self.table.current
        for store in (self.store, self.identity_store):
            if store is not None:
                store.set_restriction(sids)
        self.table.view_changed(current.sid if current else None)
        self._show_status()

    def action_user(self) -> None:
        """All devices of the identity under the cursor, with their findings."""
        binding = self.table.current
        if binding is None or not binding.identity:
            self.notify("No identity under the cursor", severity="warning")
            return
        identity = binding.identity
        devices = _merge(self.active_store.by_identity(identity), self.store.by_identity(identity))
        note = self.diagnosis_status if self.report is not None else None
        screen = UserScreen(
            identity,
            devices,
            self.findings_index,
            self.report,
            self.bt_app.ctx.clock(),
            service_label=self.service_name or self.service_sid,
            diagnosis_note=note,
        )

        def chosen(request: DeleteRequest | None) -> None:
            if request is not None and request.bindings:
                self._confirm_delete(request.bindings, reason=request.reason)

        self.app.push_screen(screen, chosen)

    # ---- delete --------------------------------------------------------------------------

    def action_delete(self) -> None:
        store = self.active_store
        if store.marks:
            self._confirm_delete(store.marked_bindings(), reason="marked")
            return
        current = self.table.current
        if current is None:
            self.notify("No binding under the cursor", severity="warning")
            return
        self._confirm_delete([current], reason="")

    def _confirm_delete(self, targets: list[Binding], *, reason: str) -> None:
        """The one confirmation every delete goes through (focus starts on Cancel)."""
        store = self.active_store
        if len(targets) > 1 or reason == "marked":
            hidden = store.hidden_count(b.sid for b in targets)
            body = Text()
            what = "marked binding(s)" if reason == "marked" else f"binding(s) {reason}".rstrip()
            body.append(f"Delete {len(targets)} {what}?\n", style="bold")
            if hidden:
                body.append(
                    f"{hidden} of them are hidden by the current filter.\n", style="bold yellow"
                )
            else:
                body.append("All of them are shown in the table.\n")
            for binding in targets[:6]:
                body.append(
                    f"  {clip(visible(binding.identity), 24):<25}"
                    f"{visible(binding.binding_type):<9}{binding.sid}\n"
                )
            if len(targets) > 6:
                body.append(f"  … and {len(targets) - 6} more\n", style="dim")
            body.append("This cannot be undone.", style="italic")
            title = f"Delete {len(targets)} bindings"
        else:
            current = targets[0]
            body = Text()
            body.append("Delete this binding? This cannot be undone.\n\n", style="bold")
            for label, value in (
                ("identity", visible(current.identity)),
                ("type", visible(current.binding_type)),
                ("endpoint", clip(visible(current.endpoint), 60)),
                ("sid", current.sid),
            ):
                body.append(f"{label:<10}", style="bold")
                body.append(value + "\n")
            body.rstrip()
            title = "Delete binding"

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._start_delete(targets)

        self.app.push_screen(ConfirmModal(title, body), confirmed)

    def _start_delete(self, targets: list[Binding]) -> None:
        for store in (self.store, self.identity_store):
            if store is not None:
                store.pending.update(b.sid for b in targets)
        self.table.refresh_rows()
        if len(targets) > 1:
            self.delete_progress = f"Deleting 0 of {len(targets)}…"
            self._show_status()
        self._delete(targets)

    @work(group="delete", description="delete bindings")
    async def _delete(self, targets: list[Binding]) -> None:
        by_sid = {b.sid: b for b in targets}
        failed = 0

        def report(result: DeleteResult, done: int, total: int) -> None:
            nonlocal failed
            binding = by_sid[result.sid]
            if result.outcome.gone:
                self.post_message(BindingDeleted(binding, result))
            else:
                failed += 1
                self.post_message(DeleteFailed(binding, result))
            self.post_message(DeleteProgress(done, total, failed, done == total))

        await delete_many(self.bt_app.client, self.service_sid, list(by_sid), report)

    @on(BindingDeleted)
    def _deleted_one(self, message: BindingDeleted) -> None:
        binding = message.binding
        self._deleted.add(binding.sid)
        current = self.table.current
        anchor = current.sid if current and current.sid != binding.sid else None
        for store in (self.store, self.identity_store):
            if store is not None:
                store.remove(binding.sid)
        self.table.view_changed(anchor)
        self._show_detail(self.table.current)
        self._show_status()
        who = f"{visible(binding.identity)}, {visible(binding.binding_type)}"
        bulk = self.delete_progress is not None  # a bulk delete ends with one summary
        result = message.result
        if result.outcome is DeleteOutcome.BINDING_NOT_FOUND:
            self.notify(
                f"{binding.sid} ({who}) was not found (deleted before?); removed from the list",
                title="Not found",
                severity="warning",
                markup=False,
            )
        elif not bulk:
            extra = f" ({result.reason})" if result.reason else ""
            self.notify(
                f"Deleted {binding.sid} ({who}){extra}", title="Binding deleted", markup=False
            )

    @on(DeleteFailed)
    def _delete_failed(self, message: DeleteFailed) -> None:
        for store in (self.store, self.identity_store):
            if store is not None:
                store.pending.discard(message.binding.sid)
        self.table.refresh_rows()
        self.notify(
            visible(message.result.line()),
            title=message.result.outcome.label.capitalize(),
            severity="error",
            timeout=10,
            markup=False,
        )
        if isinstance(message.result.error, AuthError):
            self.bt_app.handle_auth_error(message.result.error)

    @on(DeleteProgress)
    def _delete_progress(self, message: DeleteProgress) -> None:
        if message.finished and self.report is not None:
            self._diagnosis_generation += 1
            self._rediagnose(self._diagnosis_generation, self.report, self.report_scope)
        if message.total <= 1:
            return
        if message.finished:
            self.delete_progress = None
            deleted = message.done - message.failed
            self.notify(
                f"Deleted {deleted} of {message.total}"
                + (f"; {message.failed} failed" if message.failed else ""),
                title="Bulk delete",
                severity="warning" if message.failed else "information",
            )
        else:
            self.delete_progress = f"Deleting {message.done} of {message.total}…"
        self._show_status()


class _PagePoster:
    """Posts a stream's results to the screen as messages."""

    def __init__(self, screen: BrowserScreen, generation: int) -> None:
        self.screen = screen
        self.generation = generation

    def pages(self, bindings: list[Binding], pages: int, done: bool) -> None:
        self.screen.post_message(PagesLoaded(self.generation, bindings, pages, done))

    def failed(self, error: BindingsError, pages: int) -> None:
        self.screen.post_message(LoadFailed(self.generation, error, pages))


def _carry_view(old: BindingStore, new: BindingStore) -> BindingStore:
    """A new store with the old one's filter and sort."""
    new.set_sort(old.sort)
    new.set_filter(old.query, old.type_filter)
    return new


def _merge(first: list[Binding], second: list[Binding]) -> list[Binding]:
    seen = {b.sid for b in first}
    return first + [b for b in second if b.sid not in seen]
