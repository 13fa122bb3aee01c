"""The main screen: header, filter bar, bindings table, detail pane, status line, footer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from bindings_tui.client import TwilioClient
from bindings_tui.deletes import DeleteOutcome, DeleteResult, delete_many
from bindings_tui.diagnose_run import DiagnosisReport, rediagnose, run_diagnostics
from bindings_tui.diagnostics import Finding, findings_by_sid, severity_by_sid
from bindings_tui.errors import AuthError, BindingsError
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.gc_policy import release_loaded, settle_loaded
from bindings_tui.models import Binding
from bindings_tui.store import BindingStore, Column, Origin, Sort
from bindings_tui.streams import stream_bindings
from bindings_tui.textsafe import clip
from bindings_tui.tui.cells import visible
from bindings_tui.tui.context import Session, other_api
from bindings_tui.tui.guard import as_bindings_error, background, guarded, guarded_callback
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.messages import (
    BindingDeleted,
    DeleteFailed,
    DeleteProgress,
    DiagnosisFailed,
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

    def describe(self, loaded: int, what: str, *, kept: int | None = None) -> Text:
        """`kept`: a reload is under way (or failed) and the table still shows the
        `kept` bindings of the previous list."""
        if self.error is not None:
            if kept is not None:
                text = Text(f"✗ {what}: reload failed after {self.pages} page(s): ", "bold red")
                text.append(error_line(self.error), style="red")
                text.append(f"; showing the {kept:,} binding(s) loaded before (stale)", "bold")
                return text
            text = Text(f"✗ {what}: stopped after {self.pages} page(s): ", style="bold red")
            text.append(error_line(self.error), style="red")
            return text
        if self.done:
            return Text(f"✓ {what}: loaded {loaded:,} binding(s) in {self.pages} page(s)")
        if kept is not None:
            return Text(
                f"… {what}: reloading, {self.pages} page(s), {loaded:,} binding(s) so far; "
                f"showing the {kept:,} loaded before",
                style="italic",
            )
        return Text(
            f"… {what}: loading, {self.pages} page(s), {loaded:,} binding(s) so far",
            style="italic",
        )


def error_line(error: BindingsError) -> str:
    """One printable line for an error (its text may come from the server)."""
    return inert_str(error.user_message(), 300)


class Listing:
    """The rows of one list request on screen. A reload lists into `incoming` while
    `shown` stays on screen; `incoming` replaces it only once complete, so a reload that
    fails keeps every row already loaded (and the status line says they are stale)."""

    def __init__(self, store: BindingStore) -> None:
        self.shown = store
        self.incoming: BindingStore | None = None
        self.state = LoadState()
        self.stale = False  # the last reload failed: `shown` is the list from before

    def restart(self) -> None:
        fresh = self.shown.successor()
        if self.shown.loaded_count:
            self.incoming = fresh
        else:
            self.shown, self.incoming = fresh, None
        self.state = LoadState()
        self.stale = False

    @property
    def target(self) -> BindingStore:
        """Where arriving pages go."""
        return self.incoming if self.incoming is not None else self.shown

    @property
    def reloading(self) -> bool:
        return self.incoming is not None

    def complete(self) -> bool:
        """The listing finished: the new list replaces the shown one. True if swapped."""
        if self.incoming is None:
            return False
        self.incoming.adopt_marks(self.shown)
        self.shown, self.incoming = self.incoming, None
        return True

    def fail(self, error: BindingsError, pages: int) -> None:
        self.state.error = error
        self.state.pages = pages
        if self.incoming is not None:
            self.incoming = None
            self.stale = True

    def kept(self) -> int | None:
        """How many rows of an older list are on screen, when that is the case."""
        return self.shown.loaded_count if (self.reloading or self.stale) else None

    def stores(self) -> list[BindingStore]:
        return [self.shown] if self.incoming is None else [self.shown, self.incoming]


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

    def __init__(self, origin: Origin, *, carry_from: BrowserScreen | None = None) -> None:
        super().__init__()
        # Everything this screen shows, lists and deletes is of exactly this API and
        # service; another API or service is another BrowserScreen.
        self.origin = origin
        self.service_name: str | None = None
        store = BindingStore(origin)
        if carry_from is not None:
            kept = frozenset(
                t for t in carry_from.store.type_filter.selected if t in origin.api.binding_types
            )
            store.set_sort(carry_from.store.sort)
            store.set_filter(carry_from.store.query, TypeFilter(kept))
        self.listing = Listing(store)
        self.identity_listing: Listing | None = None
        self.identities: tuple[str, ...] = ()
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
    def service_sid(self) -> str:
        return self.origin.service_sid

    @property
    def client(self) -> TwilioClient:
        """The client for this screen's API (never the picker's or another screen's)."""
        return self.bt_app.client_for(self.origin.api)

    @property
    def store(self) -> BindingStore:
        """The service's bindings on screen (an older list while a reload runs)."""
        return self.listing.shown

    @property
    def load_state(self) -> LoadState:
        """The latest listing of the service (a reload's, while it runs)."""
        return self.listing.state

    @property
    def identity_store(self) -> BindingStore | None:
        return None if self.identity_listing is None else self.identity_listing.shown

    @property
    def identity_state(self) -> LoadState:
        return LoadState() if self.identity_listing is None else self.identity_listing.state

    @property
    def active_store(self) -> BindingStore:
        return self.identity_store if self.identity_store is not None else self.store

    def all_stores(self) -> list[BindingStore]:
        """Every store of this screen: shown, reloading, identity query."""
        stores = self.listing.stores()
        if self.identity_listing is not None:
            stores += self.identity_listing.stores()
        return stores

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

    @guarded
    def on_mount(self) -> None:
        filter_input = self.query_one("#filter", FilterInput)
        if self.store.query.text:
            filter_input.value = self.store.query.text
        filter_input.on_edit = guarded_callback(self, self._filter_edited)
        self.table.focus()
        self._show_context()
        self._show_types()
        self._show_findings()
        self._show_status()
        self.set_interval(60, guarded_callback(self, self.table.tick))
        self.watch(self.app, "session", self._session_changed, init=False)

    @guarded
    def on_unmount(self) -> None:
        release_loaded()  # what this screen held can be collected again (gc_policy)

    @guarded
    def _session_changed(self, old: Session, new: Session) -> None:
        """New credentials (a login): list again with them. Other changes (another API or
        service chosen) open another screen and leave this one as it is."""
        if new.credentials != old.credentials and new.credentials is not None:
            self.reload()

    # ---- header and status ---------------------------------------------------------------

    def _show_context(self) -> None:
        text = Text(no_wrap=True, end="", overflow="ellipsis")
        text.append(" bindings-tui", style="bold")
        text.append("  ·  ")
        text.append(self.bt_app.account_label())
        text.append("  ·  ")
        text.append(self.origin.api.label, style="bold")
        text.append("  ·  ")
        text.append(visible(self.service_name) if self.service_name else "…", style="bold")
        text.append(f" ({inert_str(self.service_sid)})", style="dim")
        self.query_one("#context", Line).show_text(text)

    def _show_types(self) -> None:
        self.query_one(TypeToggles).show(self.origin.api.binding_types, self.store.type_filter)

    def _show_status(self) -> None:
        store = self.active_store
        identity = self.identity_listing
        if identity is not None:
            who = inert_str(",".join(self.identities), 60)
            left = identity.state.describe(
                identity.target.loaded_count, f"identity {who}", kept=identity.kept()
            )
            if not self.load_state.done and self.load_state.error is None:
                left.append(
                    f"  (full list still loading: {self.listing.target.loaded_count:,})",
                    style="dim",
                )
        else:
            listing = self.listing
            left = listing.state.describe(
                listing.target.loaded_count, "service", kept=listing.kept()
            )
        if self.delete_progress:
            left = Text(self.delete_progress, style="bold yellow")
        right = Text(no_wrap=True, end="")
        hint = store.query.hint
        if hint:
            right.append(inert_str(hint) + "  ", style="yellow")
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
        """List the service again (the identity query too). What is on screen stays until
        the new list has arrived; if the reload fails it stays, marked stale."""
        self._start_load()
        if self.identities:
            self._start_identity_query(self.identities)
        if self.is_mounted:
            self._show_findings()
            self._show_status()

    def _start_load(self) -> None:
        """A new listing (same filter and sort); touches no widget that is not mounted."""
        self._generation += 1
        had_rows = self.listing.shown.loaded_count > 0
        self.listing.restart()
        if had_rows and self.report is not None:
            self.diagnosis_status = "of the list loaded before this reload"
        else:
            self._forget_diagnosis()
        if self.is_mounted and self.identity_listing is None:
            self.table.set_store(self.store, self._current_sid())
        self._load(self._generation)
        if self.service_name is None:
            self._fetch_service_name()

    def _current_sid(self) -> str | None:
        if not self.is_mounted:
            return None
        current = self.table.current
        return None if current is None else current.sid

    @background(exclusive=True, group="load", description="load bindings")
    async def _load(self, generation: int) -> None:
        await self._stream(generation, (), self._post_pages(generation))

    @background(exclusive=True, group="service-name", description="service name")
    async def _fetch_service_name(self) -> None:
        """The header's service name, fetched beside the list (never before it: the first
        rows would wait a round trip)."""
        try:
            service = await self.client.fetch_service(self.service_sid)
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
        Any failure, expected or not, ends as one LoadFailed (the status line says it).
        """
        pages = 0
        try:
            stream = stream_bindings(
                self.client,
                self.service_sid,
                identities=identities,
                page_size=self.bt_app.ctx.page_size,
                split_by_type=self.bt_app.ctx.split_by_type,
            )
            async with aclosing(stream):
                async for page in stream:
                    pages += 1
                    poster.pages(page.items, pages, False)
            poster.pages([], pages, True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure is one line on screen
            poster.failed(as_bindings_error(exc, "listing the bindings"), pages)

    @on(ServiceFetched)
    @guarded
    def _service_fetched(self, message: ServiceFetched) -> None:
        if message.sid == self.service_sid:
            self.service_name = message.friendly_name or "(no friendly name)"
            self._show_context()

    def _listing_for(self, generation: int) -> Listing | None:
        """The listing a message of `generation` is for (None: a superseded request)."""
        if generation < 0:
            if -generation != self._identity_generation:
                return None
            return self.identity_listing
        return self.listing if generation == self._generation else None

    @on(PagesLoaded)
    @guarded
    def _pages_loaded(self, message: PagesLoaded) -> None:
        message.stop()
        listing = self._listing_for(message.generation)
        if listing is None:
            return
        identity = message.generation < 0
        state = listing.state
        fresh = [b for b in message.bindings if b.sid not in self._deleted]
        state.pages = message.pages
        state.done = message.done
        store = listing.target
        shown = store is self.active_store
        current = self.table.current if shown or message.done else None
        store.append(fresh)
        settle_loaded()  # keeps full GC passes short while a big list loads (gc_policy)
        swapped = message.done and listing.complete()
        if swapped and listing.shown is self.active_store:
            self.table.set_store(listing.shown, current.sid if current else None)
        elif shown:
            self.table.view_changed(current.sid if current else None)
        elif current is None and self.identity_store is not None:
            self._show_detail(self.table.current)  # "other bindings" may have grown
        self._show_status()
        if message.done:
            self._diagnose_when_loaded(identity)

    @on(LoadFailed)
    @guarded
    def _load_failed(self, message: LoadFailed) -> None:
        message.stop()
        listing = self._listing_for(message.generation)
        if listing is None:
            return
        listing.fail(message.error, message.pages)
        if message.generation > 0:
            # The findings line never waits for a list that will not come.
            if self.report is not None:
                self.diagnosis_status = "of the list loaded before; the reload failed"
            else:
                self._diagnosis_generation += 1
                self.diagnosis_status = "not available: the list did not load completely"
            self._show_findings()
        self._show_status()
        if isinstance(message.error, AuthError):
            self.bt_app.handle_auth_error(message.error)
        else:
            self.notify(error_line(message.error), title="Loading failed", severity="error")

    # ---- identity query ------------------------------------------------------------------

    def _start_identity_query(self, identities: tuple[str, ...]) -> None:
        self._identity_generation += 1
        same = self.identity_listing is not None and identities == self.identities
        self.identities = identities
        if same and self.identity_listing is not None:
            self.identity_listing.restart()  # a reload: keep what is shown meanwhile
        else:
            store = self.store.successor()
            store.set_restriction(self.store.restriction)
            self.identity_listing = Listing(store)
        if self.is_mounted:
            self.table.set_store(self.active_store, self._current_sid() if same else None)
        self._query_identity(self._identity_generation, identities)
        if self.is_mounted:
            self._show_status()

    def _stop_identity_query(self) -> None:
        self._identity_generation += 1
        self.workers.cancel_group(self, "identity")
        self.identities = ()
        if self.identity_listing is not None:
            self.identity_listing = None
            self.table.set_store(self.store)
            if self.report_scope == "identity":
                self._forget_diagnosis()
        self._show_status()

    @background(exclusive=True, group="identity", description="identity query")
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
        self._identity_timer = self.set_timer(
            delay, guarded_callback(self, lambda: self._start_identity_query(identities))
        )

    # ---- filter --------------------------------------------------------------------------

    def _filter_edited(self, text: str) -> None:
        """Every edit of the filter box, as it happens (FilterInput.on_edit)."""
        self._apply_filter(text, self.active_store.type_filter)

    @on(Input.Changed, "#filter")
    @guarded
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # applied already, from on_edit

    @on(Input.Changed, "#identity")
    @guarded
    def _identity_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._identity_changed(event.value)

    @on(FilterInput.Leave)
    @guarded
    def _leave_input(self, message: FilterInput.Leave) -> None:
        self.table.focus()

    def _apply_filter(self, text: str, types: TypeFilter) -> None:
        query = parse_query(text)
        current = self.table.current
        for store in self.all_stores():
            store.set_filter(query, types)
        self.table.view_changed(current.sid if current else None)
        self._show_types()
        self._show_status()

    @guarded
    def action_focus_filter(self) -> None:
        # set_focus is immediate (focus() waits a frame): keys typed right after `/` land
        # in the box instead of triggering table keys.
        self.set_focus(self.query_one("#filter", Input))

    @guarded
    def action_focus_identity(self) -> None:
        self.set_focus(self.query_one("#identity", Input))

    @guarded
    def action_toggle_type(self, number: int) -> None:
        types = self.origin.api.binding_types
        if not 1 <= number <= len(types):
            self.notify(f"{self.origin.api.label} has no binding type {number}")
            return
        toggled = self.store.type_filter.toggle(types[number - 1])
        self._apply_filter(self.query_one("#filter", Input).value, toggled)

    @guarded
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
    @guarded
    def _cursor_moved(self, message: BindingsTable.CursorMoved) -> None:
        # The table repaints first and the detail pane follows a frame later, once for
        # any number of moves in between: rendering and laying the pane out doubled the
        # frame of a filter keystroke at 100k rows and delayed the first rows of a load.
        if not self._detail_pending:
            self._detail_pending = True
            self.call_after_refresh(guarded_callback(self, self._show_pending_detail))

    def _show_pending_detail(self) -> None:
        self._detail_pending = False
        if self.is_attached:
            self._show_detail(self.table.current)

    @on(BindingsTable.HeaderClicked)
    @guarded
    def _header_clicked(self, message: BindingsTable.HeaderClicked) -> None:
        sort = self.active_store.sort
        if sort.column is message.column:
            self._set_sort(Sort(message.column, not sort.descending))
        else:
            self._set_sort(Sort(message.column))

    def _set_sort(self, sort: Sort) -> None:
        current = self.table.current
        for store in self.all_stores():
            store.set_sort(sort)
        self.table.view_changed(current.sid if current else None)
        self.table.refresh()

    @guarded
    def action_cycle_sort(self) -> None:
        index = SORT_CYCLE.index(self.active_store.sort.column)
        column = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self._set_sort(Sort(column))
        label = column.value if column else "load order"
        self.notify(f"Sorted by {label} (O reverses)", timeout=2)

    @guarded
    def action_reverse_sort(self) -> None:
        sort = self.active_store.sort
        self._set_sort(Sort(sort.column, not sort.descending))

    @guarded
    def action_sort(self, column: str) -> None:
        self._set_sort(Sort(Column(column)) if column else Sort())

    @guarded
    def action_mark(self) -> None:
        binding = self.table.current
        if binding is None:
            return
        self.active_store.toggle_mark(binding.sid)
        self.table.refresh_rows()
        self.table.action_cursor_down()
        self._show_status()

    @guarded
    def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        self._show_detail(self.table.current)

    @guarded
    def action_toggle_detail(self) -> None:
        pane = self.query_one(DetailPane)
        pane.display = not pane.display

    @guarded
    def action_focus_detail(self) -> None:
        pane = self.query_one(DetailPane)
        if pane.has_focus:
            self.table.focus()
        elif pane.display:
            pane.focus()

    @guarded
    def action_reload(self) -> None:
        self.reload()
        self.notify("Reloading", timeout=2)

    @guarded
    def action_copy_sid(self) -> None:
        binding = self.table.current
        if binding is not None:
            self._copy(binding.sid, f"Copied {binding.sid}")

    @guarded
    def action_copy_endpoint(self) -> None:
        binding = self.table.current
        if binding is not None and binding.endpoint:
            self._copy(binding.endpoint, f"Copied the endpoint of {binding.sid}")

    def _copy(self, value: str, done: str) -> None:
        """The clipboard gets the visible form: a pasted control character could run
        something in the shell it is pasted into."""
        shown = inert_str(value)
        self.app.copy_to_clipboard(shown)
        note = "" if shown == value else " (control characters as escapes)"
        self.notify(done + note, title="Clipboard", timeout=3)

    @guarded
    def action_switch_service(self) -> None:
        self.bt_app.pick_service(can_go_back=True)

    @guarded
    def action_switch_api(self) -> None:
        """The same service SID on the other API: another screen, bound to that API."""
        api = other_api(self.origin.api)
        self.bt_app.open_service(self.service_sid, api, carry_from=self)
        self.app.notify(f"Now on {api.label}; s picks another service", timeout=4)

    @guarded
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
    @background(exclusive=True, group="diagnose", description="push diagnosis")
    async def _run_diagnosis(self, generation: int, bindings: list[Binding], scope: str) -> None:
        ctx = self.bt_app.ctx
        try:
            report = await run_diagnostics(
                self.client, self.service_sid, ctx.diagnostics, ctx.clock(), bindings=bindings
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the findings line says it, one line
            self.post_message(DiagnosisFailed(generation, as_bindings_error(exc, "diagnosis")))
            return
        self.post_message(DiagnosisReady(generation, report, scope))

    @background(exclusive=True, group="diagnose", description="push diagnosis after deletes")
    async def _rediagnose(self, generation: int, report: DiagnosisReport, scope: str) -> None:
        """After deletes: the same reads, the findings of what is left (no network)."""
        store = self.identity_store if scope == "identity" else self.store
        if store is None:
            return
        bindings = store.loaded()
        try:
            fresh = await asyncio.to_thread(rediagnose, report, bindings, self.bt_app.ctx.clock())
        except Exception as exc:  # the findings line says it, one line
            self.post_message(DiagnosisFailed(generation, as_bindings_error(exc, "diagnosis")))
            return
        self.post_message(DiagnosisReady(generation, fresh, scope))

    @on(DiagnosisFailed)
    @guarded
    def _diagnosis_failed(self, message: DiagnosisFailed) -> None:
        message.stop()
        if message.generation != self._diagnosis_generation:
            return
        self.diagnosis_status = f"not available: {error_line(message.error)}"
        self._show_findings()

    @on(DiagnosisReady)
    @guarded
    def _diagnosis_ready(self, message: DiagnosisReady) -> None:
        message.stop()
        if message.generation != self._diagnosis_generation:
            return
        self.report = message.report
        self.report_scope = message.scope
        self.findings_index = findings_by_sid(message.report.findings)
        problems = message.report.problems
        if problems:
            self.diagnosis_status = f"{len(problems)} read(s) failed: {inert_str(problems[0], 80)}"
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

    @guarded
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
        for store in self.all_stores():
            store.set_restriction(sids)
        self.table.view_changed(current.sid if current else None)
        self._show_status()

    @guarded
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

        self.app.push_screen(screen, guarded_callback(self, chosen))

    # ---- delete --------------------------------------------------------------------------

    @guarded
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
        origin = self.origin  # every store of this screen is of this origin
        if len(targets) > 1 or reason == "marked":
            hidden = store.hidden_count(b.sid for b in targets)
            body = Text()
            what = "marked binding(s)" if reason == "marked" else f"binding(s) {reason}".rstrip()
            body.append(f"Delete {len(targets)} {inert_str(what)}?\n", style="bold")
            if hidden:
                body.append(
                    f"{hidden} of them are hidden by the current filter.\n", style="bold yellow"
                )
            else:
                body.append("All of them are shown in the table.\n")
            for binding in targets[:6]:
                body.append(
                    f"  {clip(visible(binding.identity), 24):<25}"
                    f"{visible(binding.binding_type):<9}{inert_str(binding.sid)}\n"
                )
            if len(targets) > 6:
                body.append(f"  … and {len(targets) - 6} more\n", style="dim")
            body.append(f"From {origin.api.label} service {inert_str(origin.service_sid)}.\n")
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
                ("sid", inert_str(current.sid)),
            ):
                body.append(f"{label:<10}", style="bold")
                body.append(value + "\n")
            body.rstrip()
            title = "Delete binding"

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._start_delete(origin, targets)

        self.app.push_screen(ConfirmModal(title, body), guarded_callback(self, confirmed))

    def _start_delete(self, origin: Origin, targets: list[Binding]) -> None:
        for store in self.all_stores():
            store.pending.update(b.sid for b in targets)
        self.table.refresh_rows()
        if len(targets) > 1:
            self.delete_progress = f"Deleting 0 of {len(targets)}…"
            self._show_status()
        self._delete(origin, targets)

    @background(group="delete", description="delete bindings")
    async def _delete(self, origin: Origin, targets: list[Binding]) -> None:
        """Deletes go to `origin` (where the rows came from), with that API's client,
        through the one delete routine (bindings_tui.deletes)."""
        client = self.bt_app.client_for(origin.api)
        by_sid = {b.sid: b for b in targets}
        reported: set[str] = set()
        failed = 0

        def report(result: DeleteResult, done: int, total: int) -> None:
            nonlocal failed
            reported.add(result.sid)
            binding = by_sid[result.sid]
            if result.outcome.gone:
                self.post_message(BindingDeleted(binding, result))
            else:
                failed += 1
                self.post_message(DeleteFailed(binding, result))
            self.post_message(DeleteProgress(done, total, failed, done == total))

        try:
            await delete_many(client, origin.service_sid, list(by_sid), report)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug, not an answer: say so for every binding left
            error = as_bindings_error(exc, "the delete (its outcome is unknown)")
            rest = [sid for sid in by_sid if sid not in reported]
            for sid in rest:
                failed += 1
                unknown = DeleteResult(sid, DeleteOutcome.UNKNOWN, error.user_message(), error)
                self.post_message(DeleteFailed(by_sid[sid], unknown))
            self.post_message(DeleteProgress(len(by_sid), len(by_sid), failed, True))

    @on(BindingDeleted)
    @guarded
    def _deleted_one(self, message: BindingDeleted) -> None:
        binding = message.binding
        self._deleted.add(binding.sid)
        current = self.table.current
        anchor = current.sid if current and current.sid != binding.sid else None
        for store in self.all_stores():
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
    @guarded
    def _delete_failed(self, message: DeleteFailed) -> None:
        for store in self.all_stores():
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
    @guarded
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


def _merge(first: list[Binding], second: list[Binding]) -> list[Binding]:
    seen = {b.sid for b in first}
    return first + [b for b in second if b.sid not in seen]
