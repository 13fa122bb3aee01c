"""The main screen's widgets following its browse session: `render` is the session's
observer, the one place a change to the session reaches the widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bindings_tui.browse import BrowseSession, Change
from bindings_tui.diagnostics import severity_by_sid
from bindings_tui.models import Binding
from bindings_tui.tui.screens import browser_text
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane
from bindings_tui.tui.widgets.filter_bar import TypeToggles
from bindings_tui.tui.widgets.findings_bar import FindingsBar
from bindings_tui.tui.widgets.line import Line

if TYPE_CHECKING:
    from bindings_tui.tui.screens.browser import BrowserScreen


class BrowserView:
    """Renders a `BrowseSession` into a browser screen's widgets."""

    def __init__(self, screen: BrowserScreen, browse: BrowseSession) -> None:
        self.screen = screen
        self.browse = browse
        self.raw = False  # the detail pane shows the binding's JSON
        self.ready = False  # the screen's widgets are there (set in its on_mount)

    def render(self, change: Change) -> None:
        """Show what changed in the session."""
        screen, browse = self.screen, self.browse
        if not self.ready:
            return
        table = screen.query_one(BindingsTable)
        if change & Change.NEW_VIEW:
            table.set_store(browse.active_rows)
        elif change & Change.ROWS:
            table.set_store(browse.active_rows, table.cursor_sid)
        elif change & Change.MARKS:
            table.refresh_rows()
        if change & Change.CONTEXT:
            line = browser_text.context_line(browse, screen.bt_app.account_label())
            screen.query_one("#context", Line).show_text(line)
        if change & Change.FILTER:
            types = browse.origin.api.binding_types
            screen.query_one(TypeToggles).show(types, browse.rows.type_filter)
        if change & Change.FINDINGS:
            report = browse.report
            findings = None if report is None else report.findings
            status = browse.diagnosis_status
            if report is None and status is None:
                status = "after the list has loaded"
            screen.query_one(FindingsBar).show(findings, status, browse.finding_choice)
            table.set_markers({} if report is None else severity_by_sid(report.findings))
        if change & (Change.STATUS | Change.MARKS):
            screen.query_one("#status-left", Line).show_text(browser_text.status_left(browse))
            screen.query_one("#status-right", Line).show_text(browser_text.status_right(browse))
        if change & Change.DETAIL:
            self.show_detail(table.current)

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
