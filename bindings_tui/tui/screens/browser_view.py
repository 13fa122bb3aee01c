"""The main screen's widgets following its browse session: `render` is the session's
observer, the one place a change to the session reaches the widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.notifications import SeverityLevel

from bindings_tui.browse import BrowseSession, Change
from bindings_tui.deletes import DeleteOutcome, DeleteResult
from bindings_tui.models import Binding
from bindings_tui.tui.cells import field_text
from bindings_tui.tui.guard import guarded_callback
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.screens import browser_text
from bindings_tui.tui.screens.user import UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane
from bindings_tui.tui.widgets.filter_bar import TypeToggles
from bindings_tui.tui.widgets.findings_bar import FindingsBar
from bindings_tui.tui.widgets.line import Line

if TYPE_CHECKING:
    from bindings_tui.tui.screens.browser import BrowserScreen


# OSC 52 has no answer: whether the text reached the clipboard is unknown.
COPY_TITLE = "Clipboard via OSC 52, unconfirmed (tmux: set -g set-clipboard on)"


class BrowserView:
    """Renders a `BrowseSession` into a browser screen's widgets."""

    def __init__(self, screen: BrowserScreen, browse: BrowseSession) -> None:
        self.screen = screen
        self.browse = browse
        self.raw = False  # the detail pane shows the binding's JSON
        self.ready = False  # the screen's widgets are there (set in its on_mount)
        self._detail_pending = False
        self.user_open: UserScreen | None = None  # `u`'s screen, while it is open
        # The report whose row markers the table shows: they change with the report only
        # (at 1M, 50k findings naming 450k bindings, they took 0.3-0.5 s on each `f`).
        self._marked: object | None = None

    def render(self, change: Change) -> None:
        """Show what changed in the session."""
        screen, browse = self.screen, self.browse
        if not self.ready:
            return
        table = screen.query_one(BindingsTable)
        if change & Change.NEW_VIEW:
            table.show_rows(browse.active_rows)
        elif change & Change.TO_FIRST_MATCH:  # a new filter: its first match, scrolled to
            first = browse.active_rows.binding_at(0)
            table.show_rows(browse.active_rows, None if first is None else first.sid)
        elif change & Change.ROWS:
            table.show_rows(browse.active_rows, table.cursor_sid)
        elif change & Change.MARKS:
            table.refresh_rows()
        if change & Change.WATCH:
            watching = browse.watching
            if watching is None:
                table.set_watch_marks(frozenset(), frozenset(), frozenset())
            else:
                table.set_watch_marks(watching.new, watching.changed, watching.gone)
        if change & Change.CONTEXT:
            line = browser_text.context_line(browse, screen.bt_app.account_label())
            screen.query_one("#context", Line).show_text(line)
        if change & Change.FILTER:
            types = browse.origin.api.binding_types
            screen.query_one(TypeToggles).show(types, browse.rows.type_filter)
        if change & Change.FINDINGS:
            report = browse.report
            kinds = None if report is None else browse.report_index.kinds
            status = browse.diagnosis_status
            if report is None and status is None:
                status = "after the list has loaded"
            screen.query_one(FindingsBar).show(kinds, status, browse.finding_choice)
            if report is not self._marked:
                self._marked = report
                if report is None:
                    table.set_markers({})
                else:
                    index = browse.report_index
                    table.set_markers(index.severity, index.alerted)
        if change & (Change.STATUS | Change.ROWS | Change.NEW_VIEW):
            table.show_empty_text(browser_text.empty_line(browse))
        if change & (Change.STATUS | Change.MARKS):
            screen.query_one("#status-left", Line).show_text(browser_text.status_left(browse))
            screen.query_one("#status-right", Line).show_text(browser_text.status_right(browse))
        if change & Change.DETAIL:
            self.show_detail(table.current)
        if change & (Change.ROWS | Change.NEW_VIEW | Change.MARKS | Change.FINDINGS):
            self._follow_user_screen()

    def show_detail(self, binding: Binding | None) -> None:
        """The detail pane: the binding, the identity's other devices, its findings."""
        browse = self.browse
        self.screen.query_one(DetailPane).show(
            binding,
            browse.devices_of(binding.identity) if binding else [],
            self.screen.bt_app.ctx.clock(),
            raw=self.raw,
            findings=browse.findings_index.get(binding.sid, []) if binding else [],
            report=browse.report,
        )

    def show_detail_soon(self) -> None:
        """The cursor moved. The table repaints first and the detail pane follows a frame
        later, once for any number of moves in between: rendering and laying the pane out
        doubled the frame of a filter keystroke at 100k rows and delayed the first rows of
        a load."""
        if not self._detail_pending:
            self._detail_pending = True
            self.screen.call_after_refresh(guarded_callback(self.screen, self._pending_detail))

    def _pending_detail(self) -> None:
        self._detail_pending = False
        if self.screen.is_attached:
            self.show_detail(self.screen.query_one(BindingsTable).current)

    def user_screen(self, identity: str, start_at: str | None = None) -> UserScreen:
        """`u`: every device of `identity` this session knows, with their findings (the
        ones being deleted left out). It follows the session while it is open."""
        browse = self.browse
        self.user_open = UserScreen(
            identity,
            self._user_devices(identity),
            browse.findings_index,
            browse.report,
            self.screen.bt_app.ctx.clock(),
            service_label=browse.service_name or browse.origin.service_sid,
            diagnosis_note=self._diagnosis_note(),
            read_only=self.screen.bt_app.read_only_refusal(),
            start_at=start_at,
        )
        return self.user_open

    def _user_devices(self, identity: str) -> list[Binding]:
        pending = self.browse.active_rows.pending
        return [b for b in self.browse.devices_of(identity) if b.sid not in pending]

    def _diagnosis_note(self) -> str | None:
        return self.browse.diagnosis_status if self.browse.report is not None else None

    def _follow_user_screen(self) -> None:
        """The user view opened from here shows the session's rows as they are now."""
        user = self.user_open
        if user is None or not user.is_attached:
            return
        browse = self.browse
        user.show_devices(
            self._user_devices(user.identity),
            browse.findings_index,
            browse.report,
            self._diagnosis_note(),
        )

    def copy(self, value: str, done: str, timeout: float = 3) -> None:
        """The clipboard gets the visible form: a pasted control character could run
        something in the shell it is pasted into. The terminal never confirms an OSC 52
        copy, so the toast shows the value (and how to make tmux pass it on)."""
        shown = inert_str(value)
        self.screen.app.copy_to_clipboard(shown)
        note = "" if shown == value else " (control characters as escapes)"
        if shown not in done:
            note += f": {shown}"
        self.screen.notify(done + note, title=COPY_TITLE, timeout=max(timeout, 6))

    # ---- delete toasts (inert: `BindingsApp.notify`) ---------------------------------------

    def toast_gone(self, binding: Binding, result: DeleteResult, *, bulk: bool) -> None:
        """A binding left the list; in a bulk delete only "not found" is worth a toast."""
        line = browser_text.gone_line(binding, result)
        if result.outcome is DeleteOutcome.BINDING_NOT_FOUND:
            self.screen.notify(line, title="Not found", severity="warning", markup=False)
        elif not bulk:
            self.screen.notify(line, title="Binding deleted", markup=False)

    def toast_failed(self, result: DeleteResult) -> None:
        title = result.outcome.label.capitalize()
        line = field_text(result.line())
        self.screen.notify(line, title=title, severity="error", timeout=10, markup=False)

    def toast_bulk(self, deleted: int, total: int, failed: int) -> None:
        line = f"Deleted {deleted} of {total}" + (f"; {failed} failed" if failed else "")
        severity: SeverityLevel = "warning" if failed else "information"
        self.screen.notify(line, title="Bulk delete", severity=severity)
