"""The main screen: header, filter bar, findings, bindings table, detail pane, status line.

It composes widgets, maps keys to calls on its `BrowseSession` (bindings_tui.browse) and
renders what the session says changed. The rows, load states, diagnosis and delete
bookkeeping live in the session; the I/O runs in `browser_work`; the lines' text is built
in `browser_text`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input

from bindings_tui.browse import BrowseSession, Change, Ticket, error_line
from bindings_tui.browse import parse_identities as parse_identity_box
from bindings_tui.copy_commands import curl_command, twilio_cli_command
from bindings_tui.errors import AuthError
from bindings_tui.export import ExportFormat, default_file_name, selection_of
from bindings_tui.filtering import parse_query
from bindings_tui.gc_policy import release_loaded, settle_loaded
from bindings_tui.models import Binding
from bindings_tui.rows import Column, Origin, Sort
from bindings_tui.tui.context import Session, other_api
from bindings_tui.tui.guard import guarded, guarded_callback
from bindings_tui.tui.messages import (
    BindingDeleted,
    DeleteFailed,
    DeleteProgress,
    DiagnosisFailed,
    DiagnosisReady,
    LoadFailed,
    PagesLoaded,
    ServiceFetched,
    WatchEnded,
    WatchNoticed,
    WatchRefreshed,
)
from bindings_tui.tui.screens import browser_text
from bindings_tui.tui.screens.browser_keys import BROWSER_KEYS
from bindings_tui.tui.screens.browser_view import BrowserView
from bindings_tui.tui.screens.browser_work import BrowseWorkers
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.export import ExportDone, ExportModal, done_line
from bindings_tui.tui.screens.user import DeleteRequest
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane
from bindings_tui.tui.widgets.filter_bar import FilterBar, FilterInput
from bindings_tui.tui.widgets.findings_bar import FindingsBar, choice_label
from bindings_tui.tui.widgets.key_footer import KeyFooter, NarrowFooterKeys
from bindings_tui.tui.widgets.line import Line

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp


# Rows of a page stored in one turn of the event loop (see `_pages_loaded`).
PAGE_PART_ROWS = 250


class BrowserScreen(NarrowFooterKeys):
    AUTO_FOCUS = "BindingsTable"
    BINDINGS: ClassVar[list[BindingType]] = BROWSER_KEYS
    FOOTER_NARROW_HIDDEN = frozenset({"mark", "reload", "switch_service"})  # layout: 80 columns

    def __init__(
        self,
        origin: Origin,
        *,
        carry_from: BrowserScreen | None = None,
        identities: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        previous = None if carry_from is None else carry_from.browse
        self.browse: BrowseSession = BrowseSession(origin, carry_from=previous)
        self.work = BrowseWorkers(self, self.browse)
        self.view = BrowserView(self, self.browse)
        self._identity_timer: Timer | None = None
        # List from here, not from on_mount: the first requests then overlap the screen's
        # compose and first layout (tens of ms) instead of waiting for them. Pages that
        # arrive before the mount wait in the screen's message queue.
        tickets = [self.browse.start_load()]
        if identities:  # opened from the find screen: that user's bindings at once
            tickets.append(self.browse.start_identity_query(identities))
        self._start(tickets)

    @property
    def bt_app(self) -> BindingsApp:
        return cast("BindingsApp", self.app)

    @property
    def table(self) -> BindingsTable:
        return self.query_one(BindingsTable)

    def compose(self) -> ComposeResult:
        yield Line(id="context")
        yield FilterBar(id="filter-bar")
        yield FindingsBar(id="findings")
        yield BindingsTable(self.browse.rows, clock=self.bt_app.ctx.clock, id="bindings")
        yield DetailPane(id="detail")
        with Horizontal(id="status"):
            yield Line(id="status-left")
            yield Line(id="status-right")
        yield KeyFooter()

    def _in_own_turn(self, step: Callable[[], object]) -> None:
        """`step` in a turn of the event loop of its own, if this screen is still there."""

        def run() -> None:
            if self.is_mounted:
                step()

        asyncio.get_running_loop().call_soon(run)

    @guarded
    def on_mount(self) -> None:
        filter_input = self.query_one("#filter", FilterInput)
        if self.browse.rows.query.text:
            filter_input.value = self.browse.rows.query.text
        filter_input.on_edit = guarded_callback(self, self._filter_edited)
        # A long filter's slices each wait for a frame, so a keystroke's answer shows first,
        # and then for a turn of the event loop of their own: run from the screen's message
        # queue, every slice queued behind that frame ran in one go (43 slices, 600-840 ms
        # at 1M, while keys waited unread).
        self.browse.slice_turn = lambda step: self.call_after_refresh(
            self._in_own_turn, guarded_callback(self, step)
        )
        if self.browse.identities:  # the box shows the query already running
            self.query_one("#identity", Input).value = ",".join(self.browse.identities)
        self.table.focus()
        self.view.ready = True
        self.browse.subscribe(self.view.render)
        self.view.render(Change.CONTEXT | Change.FILTER | Change.FINDINGS | Change.STATUS)
        self.set_interval(60, guarded_callback(self, self.table.tick))
        self.watch(self.app, "session", self._session_changed, init=False)

    @guarded
    def on_unmount(self) -> None:
        self.browse.unsubscribe(self.view.render)
        release_loaded()  # what this screen held can be collected again (gc_policy)

    @guarded
    def _session_changed(self, old: Session, new: Session) -> None:
        """New credentials (a login): list again with them. Other changes (another API or
        service chosen) open another screen and leave this one as it is."""
        if new.credentials != old.credentials and new.credentials is not None:
            self.reload()
        if new.guard != old.guard:
            self.refresh_bindings()  # read-only hides the delete keys (check_action)
            self.view.render(Change.CONTEXT)

    # ---- read-only: the delete keys are hidden and refused --------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Under read-only, `delete` is not in force: footer, help and palette drop it."""
        return not (action == "delete" and self.bt_app.read_only_refusal() is not None)

    @guarded
    def on_key(self, event: events.Key) -> None:
        """A hidden delete key still says why nothing happens (and goes no further)."""
        refusal = self.bt_app.read_only_refusal()
        if refusal is not None and event.key in self.bt_app.delete_keys():
            event.stop()
            event.prevent_default()
            self.notify(refusal, title="Read-only", severity="warning", timeout=4)

    # ---- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        """List the service again (the identity query too); what is shown stays meanwhile."""
        self._start(self.browse.reload())

    def _start(self, tickets: list[Ticket]) -> None:
        for ticket in tickets:
            self.work.load(ticket)
        if self.browse.report is None:
            self.work.cancel("diagnose")  # findings of a list that is gone
        if self.browse.service_name is None:
            self.work.service_name()

    @on(ServiceFetched)
    @guarded
    def _service_fetched(self, message: ServiceFetched) -> None:
        self.browse.service_fetched(message.sid, message.friendly_name)

    @on(PagesLoaded)
    @guarded
    async def _pages_loaded(self, message: PagesLoaded) -> None:
        """A page is stored in parts, a turn of the loop each: a 1000-row page at 1M held
        the loop 15-20 ms, and pages queued here were stored back to back in one turn.
        (A list's first rows come ahead of the rest of their page: the client hands a big
        first page on as a head and its rest, `Page.head`.)"""
        message.stop()
        items = message.bindings
        for start in range(0, max(len(items), 1), PAGE_PART_ROWS):
            last = start + PAGE_PART_ROWS >= len(items)
            due = self.browse.pages_arrived(
                message.ticket,
                items[start : start + PAGE_PART_ROWS],
                message.pages,
                message.done and last,
            )
            settle_loaded()  # keeps full GC passes short while a big list loads (gc_policy)
            self.work.diagnose(due)
            await asyncio.sleep(0)

    @on(LoadFailed)
    @guarded
    def _load_failed(self, message: LoadFailed) -> None:
        message.stop()
        self._report_failure(message)

    def _report_failure(self, message: LoadFailed) -> None:
        if not self.browse.load_failed(message.ticket, message.error, message.pages):
            return
        if isinstance(message.error, AuthError):
            self.bt_app.handle_auth_error(message.error)
        else:
            self.notify(error_line(message.error), title="Loading failed", severity="error")

    # ---- identity query and filter -----------------------------------------------------------

    @on(Input.Changed, "#identity")
    @guarded
    def _identity_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._identity_timer is not None:
            self._identity_timer.stop()
        identities = parse_identity_box(event.value)
        if not identities:
            self._identity_timer = None
            self.work.cancel("identity")
            self.browse.stop_identity_query()
            if self.browse.watching is None:
                self.work.cancel("watch")
            if self.browse.report is None:
                self.work.cancel("diagnose")
            return
        if identities == self.browse.identities:
            return

        def start() -> None:
            self.work.load(self.browse.start_identity_query(identities))
            if self.browse.watching is None:
                self.work.cancel("watch")

        delay = self.bt_app.ctx.identity_debounce
        self._identity_timer = self.set_timer(delay, guarded_callback(self, start))

    def _filter_edited(self, text: str) -> None:
        """Every edit of the filter box, as it happens (FilterInput.on_edit)."""
        self.browse.set_filter(parse_query(text), self.browse.active_rows.type_filter)

    @on(Input.Changed, "#filter")
    @guarded
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # applied already, from on_edit

    @on(FilterInput.Leave)
    @guarded
    def _leave_input(self, message: FilterInput.Leave) -> None:
        self.table.focus()

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
        toggled = self.browse.toggle_type(number)
        if toggled is None:
            self.notify(f"{self.browse.origin.api.label} has no binding type {number}")
            return
        self.browse.set_filter(parse_query(self.query_one("#filter", Input).value), toggled)

    @guarded
    def action_clear(self) -> None:
        filter_input = self.query_one("#filter", Input)
        browse = self.browse
        if filter_input.value or not browse.rows.type_filter.is_empty or browse.finding_choice:
            browse.clear_filters()  # first: emptying the box then changes nothing more
            filter_input.value = ""
        elif browse.active_rows.marks:
            browse.clear_marks()
        elif browse.identities:
            self.query_one("#identity", Input).value = ""

    # ---- table, sort, marks, detail --------------------------------------------------------

    @on(BindingsTable.CursorMoved)
    @guarded
    def _cursor_moved(self, message: BindingsTable.CursorMoved) -> None:
        self.view.show_detail_soon()

    @on(BindingsTable.HeaderClicked)
    @guarded
    def _header_clicked(self, message: BindingsTable.HeaderClicked) -> None:
        self.browse.sort_by(message.column)

    @guarded
    def action_cycle_sort(self) -> None:
        column = self.browse.cycle_sort()
        label = column.value if column else "load order"
        self.notify(f"Sorted by {label} (O reverses)", timeout=2)

    @guarded
    def action_reverse_sort(self) -> None:
        self.browse.reverse_sort()

    @guarded
    def action_sort(self, column: str) -> None:
        self.browse.set_sort(Sort(Column(column)) if column else Sort())

    @guarded
    def action_mark(self) -> None:
        binding = self.table.current
        if binding is None:
            return
        self.browse.toggle_mark(binding.sid)
        self.table.action_cursor_down()

    @guarded
    def action_toggle_raw(self) -> None:
        self.view.raw = not self.view.raw
        self.view.show_detail(self.table.current)

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

    # ---- watching (`w`) ---------------------------------------------------------------------

    @guarded
    def action_toggle_watch(self) -> None:
        """`w`: watch the identity query (or a small service), or stop watching."""
        browse = self.browse
        if browse.watching is not None:
            self.work.cancel("watch")
            browse.stop_watch()
            self.notify("Stopped watching", timeout=2)
            return
        refusal = browse.watch_refusal()
        if refusal is not None:
            self.notify(refusal, severity="warning", timeout=6)
            return
        self.work.watch(browse.start_watch(self.bt_app.ctx.clock()))
        seconds = self.bt_app.ctx.watch_interval
        self.notify(f"Watching: listed again every {seconds:g} s (w stops)", timeout=3)

    @on(WatchRefreshed)
    @guarded
    def _watch_refreshed(self, message: WatchRefreshed) -> None:
        message.stop()
        self.browse.watch_refreshed(message.state, message.bindings, message.at)

    @on(WatchNoticed)
    @guarded
    def _watch_noticed(self, message: WatchNoticed) -> None:
        message.stop()
        self.browse.watch_notice(message.state, message.notice)

    @on(WatchEnded)
    @guarded
    def _watch_ended(self, message: WatchEnded) -> None:
        message.stop()
        if message.state is not self.browse.watching:
            return
        self.browse.stop_watch()
        if isinstance(message.error, AuthError):
            self.bt_app.handle_auth_error(message.error)
        else:
            self.notify(error_line(message.error), title="Watch stopped", severity="error")

    @guarded
    def action_copy_sid(self) -> None:
        binding = self.table.current
        if binding is not None:
            self.view.copy(binding.sid, f"Copied {binding.sid}")

    @guarded
    def action_copy_endpoint(self) -> None:
        binding = self.table.current
        if binding is not None and binding.endpoint:
            self.view.copy(binding.endpoint, f"Copied the endpoint of {binding.sid}")

    # ---- export and copy as command (tui/screens/export.py, bindings_tui.export) -----------

    @guarded
    def action_export(self) -> None:
        """`e`: the marked rows, or every row in view, to a file the user names."""
        selection = selection_of(self.browse.active_rows)
        if not selection.bindings:
            self.notify("Nothing to export: no binding in view", severity="warning")
            return
        now = self.bt_app.ctx.clock()
        name = default_file_name(self.browse.origin.service_sid, now, ExportFormat.CSV)

        def written(result: ExportDone | None) -> None:
            if result is not None:
                self.notify(done_line(result), title="Export", timeout=8)

        self.app.push_screen(ExportModal(selection, name), guarded_callback(self, written))

    @guarded
    def action_copy_curl(self) -> None:
        self._copy_command("curl")

    @guarded
    def action_copy_twilio(self) -> None:
        self._copy_command("twilio")

    def _copy_command(self, kind: str) -> None:
        """A command fetching the binding under the cursor; the secret stays in the
        environment (copy_commands). The toast shows it: OSC 52 cannot be confirmed."""
        binding = self.table.current
        credentials = self.bt_app.session.credentials
        if binding is None or credentials is None:
            self.notify("No binding under the cursor", severity="warning")
            return
        origin, ctx = self.browse.origin, self.bt_app.ctx
        note = ""
        if kind == "curl":
            command = curl_command(
                credentials,
                origin.api,
                origin.service_sid,
                binding.sid,
                base_url=ctx.backend.base_url,
                local_names=ctx.backend.transport_factory is not None,
            )
            if ctx.demo:
                note = " (the demo's fake Twilio is in-process: nothing answers at that URL)"
        else:
            command = twilio_cli_command(credentials, origin.api, origin.service_sid, binding.sid)
        self.view.copy(command, f"Copied: {command}{note}", timeout=10)

    @guarded
    def action_switch_service(self) -> None:
        self.bt_app.pick_service(can_go_back=True)

    @guarded
    def action_switch_api(self) -> None:
        """The same service SID on the other API: another screen, bound to that API."""
        api = other_api(self.browse.origin.api)
        self.bt_app.open_service(self.browse.origin.service_sid, api, carry_from=self)
        self.app.notify(f"Now on {api.label}; s picks another service", timeout=4)

    @guarded
    def action_help(self) -> None:
        self.bt_app.show_help()

    # ---- push diagnosis ------------------------------------------------------------------

    @on(DiagnosisFailed)
    @guarded
    def _diagnosis_failed(self, message: DiagnosisFailed) -> None:
        message.stop()
        self.browse.diagnosis_failed(message.generation, message.error)

    @on(DiagnosisReady)
    @guarded
    def _diagnosis_ready(self, message: DiagnosisReady) -> None:
        message.stop()
        self.browse.diagnosis_ready(
            message.generation, message.report, message.scope, message.index
        )
        # The report lives as long as the list: out of the collector's full passes too
        # (at 1M they walked it for 146-162 ms each, while the user typed a filter).
        settle_loaded()

    @guarded
    def action_cycle_findings(self) -> None:
        """`f`: all rows -> rows with findings -> each kind in turn -> all rows."""
        report = self.browse.report
        if report is None:
            self.notify("Findings are computed once the list has loaded", timeout=3)
            return
        if not any(count.naming for count in self.browse.report_index.kinds):
            self.notify("No binding has a finding", timeout=3)
            return
        choice = self.browse.cycle_findings()
        self.notify(f"Showing {choice_label(choice)} (f for the next)", timeout=2)

    @guarded
    def action_user(self) -> None:
        """All devices of the identity under the cursor, with their findings."""
        binding = self.table.current
        if binding is None or not binding.identity:
            self.notify("No identity under the cursor", severity="warning")
            return
        self._open_user(binding.identity)

    def _open_user(self, identity: str, start_at: str | None = None) -> None:
        """The user view; a delete chosen there is confirmed over this screen (its detail
        pane showing what goes), then the user view comes back, updated."""
        screen = self.view.user_screen(identity, start_at)

        def chosen(request: DeleteRequest | None) -> None:
            self.view.user_open = None
            if request is None or not request.bindings:
                self.view.show_detail(self.table.current)
                return
            self.view.show_detail(request.bindings[0])
            self._confirm_delete(
                request.bindings,
                reason=request.reason,
                after=lambda: self._open_user(identity, screen.chosen_key),
            )

        self.app.push_screen(screen, guarded_callback(self, chosen))

    # ---- delete --------------------------------------------------------------------------

    @guarded
    def action_delete(self) -> None:
        rows = self.browse.active_rows
        if rows.marks:
            self._confirm_delete(rows.marked_bindings(), reason="marked")
            return
        current = self.table.current
        if current is None:
            self.notify("No binding under the cursor", severity="warning")
            return
        self._confirm_delete([current], reason="")

    def _confirm_delete(
        self, targets: list[Binding], *, reason: str, after: Callable[[], None] | None = None
    ) -> None:
        """The one confirmation every delete goes through (focus starts on Cancel)."""
        refusal = self.bt_app.read_only_refusal()
        if refusal is not None:  # no path to a delete under read-only, said in one line
            self.notify(refusal, title="Read-only", severity="warning", timeout=4)
            return
        origin = self.browse.origin  # every row of this session is of this origin
        hidden = self.browse.hidden_count(b.sid for b in targets)
        title, body = browser_text.delete_question(
            targets,
            reason=reason,
            origin=origin,
            hidden=hidden,
            account=self.bt_app.delete_account_line(),
            body_width=browser_text.dialog_body_width(self.size.width),
        )

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.browse.begin_delete(targets)
                self.work.delete(origin, targets, reason=reason)
            if after is not None:  # confirmed or not: back where the delete was chosen
                after()

        self.app.push_screen(ConfirmModal(title, body), guarded_callback(self, confirmed))

    @on(BindingDeleted)
    @guarded
    def _deleted_one(self, message: BindingDeleted) -> None:
        bulk = self.browse.delete_progress is not None  # a bulk delete ends with one summary
        self.browse.binding_gone(message.binding.sid)
        self.view.toast_gone(message.binding, message.result, bulk=bulk)

    @on(DeleteFailed)
    @guarded
    def _delete_failed(self, message: DeleteFailed) -> None:
        self.browse.delete_failed(message.binding.sid)
        self.view.toast_failed(message.result)
        if isinstance(message.result.error, AuthError):
            self.bt_app.handle_auth_error(message.result.error)

    @on(DeleteProgress)
    @guarded
    def _delete_progress(self, message: DeleteProgress) -> None:
        done, total, failed, finished = (
            message.done,
            message.total,
            message.failed,
            message.finished,
        )
        self.work.diagnose(self.browse.delete_progressed(done, total, failed, finished))
        if total > 1 and finished:
            self.view.toast_bulk(done - failed, total, failed)
