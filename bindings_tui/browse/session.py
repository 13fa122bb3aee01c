"""The browse session: everything the main screen shows, without the screen.

One session per (API, service) `Origin`. It holds the service listing and an optional
identity overlay (an identity query run beside it), their load states, which request a
page belongs to (`Ticket`), when to diagnose, and the delete bookkeeping. Every change
to the rows goes through here, to every row set at once, so the two views always agree
(a deleted binding leaves both; a filter or sort applies to both). Observers (the screen)
are told what changed and render; the I/O itself runs elsewhere (the screen's workers)
and reports back through these methods.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bindings_tui.browse.findings_choice import (
    ALL_FINDINGS,
    FindingChoice,
    choices,
    chosen_sids,
    next_in,
)
from bindings_tui.browse.listing import Listing, LoadState
from bindings_tui.browse.report_index import NO_REPORT, ReportIndex
from bindings_tui.browse.screen_first import ScreenFirst
from bindings_tui.browse.watching import WatchState, watch_refusal
from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.diagnostics import Finding
from bindings_tui.errors import BindingsError
from bindings_tui.filtering import Query, TypeFilter, parse_query
from bindings_tui.models import Binding
from bindings_tui.rows import BindingRows, Column, Origin, Sort
from bindings_tui.textsafe import clip, make_visible
from bindings_tui.watch import EventKind, NoticeKind, WatchNotice, diff_listings

SORT_CYCLE: list[Column | None] = [None, *Column]
_UNSEEN = object()  # no report worked out yet (None is "no report")


class Scope(enum.StrEnum):
    """Which list a page, a failure or a diagnosis is about."""

    SERVICE = "service"
    IDENTITY = "identity"


@dataclass(frozen=True, slots=True)
class Ticket:
    """One list request: results of an older ticket of the same scope are dropped."""

    scope: Scope
    generation: int


@dataclass(frozen=True, slots=True)
class DiagnosisRequest:
    """Diagnose `bindings` (the scope's rows); `report` set: again, without the network."""

    generation: int
    bindings: Sequence[Binding]
    scope: Scope
    report: DiagnosisReport | None = None


class Change(enum.Flag):
    """What an observer should render again."""

    ROWS = enum.auto()  # the view of the active rows changed (keep the cursor's binding)
    NEW_VIEW = enum.auto()  # the active rows are another list (cursor to the top)
    MARKS = enum.auto()  # marks or pending deletes changed
    STATUS = enum.auto()  # load states, counts, delete progress
    FINDINGS = enum.auto()  # the diagnosis, its status or `f`'s choice
    CONTEXT = enum.auto()  # the service's name
    FILTER = enum.auto()  # the filter or type toggles
    DETAIL = enum.auto()  # what the detail pane shows beside the row under the cursor
    WATCH = enum.auto()  # the watch: on or off, new / changed / gone rows, last refresh
    # A new filter's first match is known: the cursor goes to it (the view's top), so
    # `space` and `d` act on a row the user sees. Comes with ROWS.
    TO_FIRST_MATCH = enum.auto()


Observer = Callable[[Change], None]


def error_line(error: BindingsError) -> str:
    """One printable line for an error (its text may come from the server)."""
    return clip(make_visible(error.user_message()), 300)


def parse_identities(text: str) -> tuple[str, ...]:
    """The identity box: comma-separated, blanks and repeats dropped."""
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


class BrowseSession:
    """The service's bindings and an optional identity overlay, kept in step."""

    def __init__(self, origin: Origin, *, carry_from: BrowseSession | None = None) -> None:
        # Everything this session lists and deletes is of exactly this API and service;
        # another API or service is another session.
        self.origin = origin
        self.service_name: str | None = None
        rows = BindingRows(origin)
        if carry_from is not None:  # the same filter and sort on the other API
            old = carry_from.rows
            kept = frozenset(t for t in old.type_filter.selected if t in origin.api.binding_types)
            rows.set_sort(old.sort)
            rows.set_filter(old.query, TypeFilter(kept))
        self.listing = Listing(rows)
        self.identity_listing: Listing | None = None
        self.identities: tuple[str, ...] = ()
        self.delete_progress: str | None = None
        self._tickets = {Scope.SERVICE: Ticket(Scope.SERVICE, 0)}
        self._tickets[Scope.IDENTITY] = Ticket(Scope.IDENTITY, 0)
        self._deleted: set[str] = set()
        # push diagnosis of what is loaded (None until the list has loaded)
        self.report: DiagnosisReport | None = None
        self.report_scope: Scope | None = None
        # The report's per-binding lookups (built off the loop by the TUI's worker).
        self.report_index: ReportIndex = NO_REPORT
        self.finding_choice: FindingChoice = None
        # `f`'s cycle and each choice's SIDs, worked out once per report (at a million
        # bindings, 50k findings naming 450k SIDs: 0.1-0.2 s each time).
        self._choices_of: object = _UNSEEN  # the report they were worked out for
        self._cycle: list[FindingChoice] = [None]
        self._chosen: dict[FindingChoice, frozenset[str] | None] = {}
        self.diagnosis_status: str | None = None
        self._diagnosis_generation = 0
        self.watching: WatchState | None = None  # `w`: re-listed every few seconds
        self._observers: list[Observer] = []
        self._slice_due = False  # the next slice of a long filter or sort is scheduled
        # The view changed (a key, a sort) after that slice was scheduled: it waits for
        # the frame that shows the change instead of delaying it.
        self._slice_overtaken = False
        # How that slice gets its turn (see `_continue_work`); None: the loop's next.
        self.slice_turn: Callable[[Callable[[], None]], object] | None = None
        # The diagnosis reads the rows in a thread; it gives way while the user types.
        self.screen_first = ScreenFirst()
        # A new filter was set and the cursor goes to its first match once one is known
        # (a long filter may find none in its first slice).
        self._to_first_match = False

    # ---- observing ----------------------------------------------------------------------

    def subscribe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        if observer in self._observers:
            self._observers.remove(observer)

    def _changed(self, change: Change) -> None:
        if self._to_first_match and change & Change.ROWS and self._first_match_known():
            self._to_first_match = False
            change |= Change.TO_FIRST_MATCH
        for observer in list(self._observers):
            observer(change)

    def _first_match_known(self) -> bool:
        """The view's first row is the filter's first match (or the filter matched none)."""
        rows = self.active_rows
        return rows.shown_count > 0 or not rows.filtering

    def _pause(self) -> None:
        """Where the diagnosis's reads of the rows give way to the screen."""
        self.screen_first.wait()

    def _filter_was_set(self) -> None:
        """The user chose a filter (text, types, findings); clearing every filter keeps the
        row under the cursor instead (it is still there, now with its neighbours)."""
        rows = self.active_rows
        self._to_first_match = not (
            rows.query.is_empty and rows.type_filter.is_empty and rows.restriction is None
        )

    # ---- reading ------------------------------------------------------------------------

    @property
    def rows(self) -> BindingRows:
        """The service's bindings shown (an older list while a reload runs)."""
        return self.listing.shown

    @property
    def load_state(self) -> LoadState:
        """The latest listing of the service (a reload's, while it runs)."""
        return self.listing.state

    @property
    def identity_rows(self) -> BindingRows | None:
        return None if self.identity_listing is None else self.identity_listing.shown

    @property
    def identity_state(self) -> LoadState:
        return LoadState() if self.identity_listing is None else self.identity_listing.state

    @property
    def active_rows(self) -> BindingRows:
        """What the table shows: the identity overlay when there is one."""
        overlay = self.identity_rows
        return overlay if overlay is not None else self.rows

    def row_sets(self) -> list[BindingRows]:
        """Every row set: shown, reloading, identity query. Changes go to all of them."""
        sets = self.listing.row_sets()
        if self.identity_listing is not None:
            sets += self.identity_listing.row_sets()
        return sets

    def devices_of(self, identity: str | None) -> list[Binding]:
        """Every binding of `identity` this session knows (the overlay's first)."""
        first = self.active_rows.by_identity(identity)
        if self.identity_rows is None:
            return first
        seen = {b.sid for b in first}
        return first + [b for b in self.rows.by_identity(identity) if b.sid not in seen]

    @property
    def diagnosis_generation(self) -> int:
        """The diagnosis a result must be for (older results are dropped)."""
        return self._diagnosis_generation

    def is_current(self, ticket: Ticket) -> bool:
        return self._tickets[ticket.scope] == ticket

    # ---- loading ------------------------------------------------------------------------

    def _next_ticket(self, scope: Scope) -> Ticket:
        ticket = Ticket(scope, self._tickets[scope].generation + 1)
        self._tickets[scope] = ticket
        return ticket

    def start_load(self) -> Ticket:
        """A new listing of the service (same filter and sort)."""
        ticket = self._next_ticket(Scope.SERVICE)
        had_rows = self.listing.shown.loaded_count > 0
        self.listing.restart()
        if had_rows and self.report is not None:
            self.diagnosis_status = "of the list loaded before this reload"
        else:
            self.forget_diagnosis()
        change = Change.STATUS | Change.FINDINGS
        self._changed(change if self.identity_listing is not None else change | Change.ROWS)
        return ticket

    def reload(self) -> list[Ticket]:
        """List the service again (the identity query too). What is shown stays until the
        new list has arrived; if the reload fails it stays, marked stale. A watch goes on
        from what the reload brings (its gone rows leave now)."""
        if self.watching is not None:
            self._drop_rows(self.watching.forget_marks())
            self._changed(Change.WATCH | Change.ROWS | Change.STATUS)
        tickets = [self.start_load()]
        if self.identities:
            tickets.append(self.start_identity_query(self.identities))
        return tickets

    def start_identity_query(self, identities: tuple[str, ...]) -> Ticket:
        if identities != self.identities:
            self.stop_watch()  # it watched another list
        ticket = self._next_ticket(Scope.IDENTITY)
        same = self.identity_listing is not None and identities == self.identities
        self.identities = identities
        if same and self.identity_listing is not None:
            self.identity_listing.restart()  # a reload: keep what is shown meanwhile
            self._changed(Change.ROWS | Change.STATUS)
        else:
            overlay = self.rows.successor()
            overlay.set_restriction(self.rows.restriction)
            self.identity_listing = Listing(overlay)
            self._changed(Change.NEW_VIEW | Change.STATUS)
        return ticket

    def stop_identity_query(self) -> None:
        if self.identities:
            self.stop_watch()  # it watched the identity query
        self._next_ticket(Scope.IDENTITY)
        self.identities = ()
        change = Change.STATUS
        if self.identity_listing is not None:
            self.identity_listing = None
            change |= Change.NEW_VIEW
            if self.report_scope is Scope.IDENTITY:
                self.forget_diagnosis()
                change |= Change.FINDINGS
        self._changed(change)

    def _listing_for(self, ticket: Ticket) -> Listing | None:
        if not self.is_current(ticket):
            return None  # a superseded request
        return self.listing if ticket.scope is Scope.SERVICE else self.identity_listing

    def pages_arrived(
        self, ticket: Ticket, bindings: list[Binding], pages: int, done: bool
    ) -> DiagnosisRequest | None:
        """Pages of `ticket`'s request. Returns the diagnosis to run, if one is due now."""
        listing = self._listing_for(ticket)
        if listing is None:
            return None
        listing.state.pages = pages
        listing.state.done = done
        target = listing.target
        shown = target is self.active_rows
        target.append(b for b in bindings if b.sid not in self._deleted)
        swapped = done and listing.complete()
        change = Change.STATUS
        if shown or (swapped and listing.shown is self.active_rows):
            change |= Change.ROWS
        elif self.identity_rows is not None:
            change |= Change.DETAIL  # "other bindings" of the row under the cursor may grow
        self._changed(change)
        return self._diagnosis_due(ticket.scope) if done else None

    def load_failed(self, ticket: Ticket, error: BindingsError, pages: int) -> bool:
        """`ticket`'s request failed (False: it was superseded; nothing changed)."""
        listing = self._listing_for(ticket)
        if listing is None:
            return False
        listing.fail(error, pages)
        change = Change.STATUS
        if ticket.scope is Scope.SERVICE:
            # The findings line never waits for a list that will not come.
            if self.report is not None:
                self.diagnosis_status = "of the list loaded before; the reload failed"
            else:
                self._diagnosis_generation += 1
                self.diagnosis_status = "not available: the list did not load completely"
            change |= Change.FINDINGS
        self._changed(change)
        return True

    def service_fetched(self, sid: str, friendly_name: str | None) -> None:
        if sid == self.origin.service_sid:
            self.service_name = friendly_name or "(no friendly name)"
            self._changed(Change.CONTEXT)

    # ---- push diagnosis ----------------------------------------------------------------

    def _diagnosis_due(self, scope: Scope) -> DiagnosisRequest | None:
        """The whole list once it has loaded; an identity query that finishes first is
        diagnosed on its own meanwhile (its user's findings show at once)."""
        if scope is Scope.SERVICE:
            return self._request_diagnosis(self.rows.loaded(self._pause), Scope.SERVICE)
        if not self.load_state.done and self.identity_rows is not None:
            return self._request_diagnosis(self.identity_rows.loaded(self._pause), Scope.IDENTITY)
        return None

    def _request_diagnosis(
        self, bindings: Sequence[Binding], scope: Scope, report: DiagnosisReport | None = None
    ) -> DiagnosisRequest:
        self._diagnosis_generation += 1
        if report is None:
            self.diagnosis_status = "diagnosing…"
            self._changed(Change.FINDINGS)
        return DiagnosisRequest(self._diagnosis_generation, bindings, scope, report)

    def forget_diagnosis(self) -> None:
        self._diagnosis_generation += 1
        self.report = None
        self.report_scope = None
        self.report_index = NO_REPORT
        self.diagnosis_status = None

    @property
    def findings_index(self) -> Mapping[str, Sequence[Finding]]:
        """Binding SID -> the findings naming it (`report_index.findings`)."""
        return self.report_index.findings

    def diagnosis_failed(self, generation: int, error: BindingsError) -> None:
        if generation != self._diagnosis_generation:
            return
        self.diagnosis_status = f"not available: {error_line(error)}"
        self._changed(Change.FINDINGS)

    def diagnosis_ready(
        self,
        generation: int,
        report: DiagnosisReport,
        scope: Scope,
        index: ReportIndex | None = None,
    ) -> None:
        """`index`: the report's lookups when the caller built them (off the loop); else
        they are built here."""
        if generation != self._diagnosis_generation:
            return
        self.report = report
        self.report_scope = scope
        self.report_index = index if index is not None else ReportIndex.of(report.findings)
        problems = report.problems
        if problems:
            shown = clip(make_visible(problems[0]), 80)
            self.diagnosis_status = f"{len(problems)} read(s) failed: {shown}"
        elif scope is Scope.IDENTITY:
            who = "this identity" if len(self.identities) < 2 else "these identities"
            self.diagnosis_status = f"{who} only; the whole list is still loading"
        else:
            self.diagnosis_status = None
        change = Change.FINDINGS | Change.DETAIL
        choice = self.finding_choice
        if choice is not None:
            if choice != ALL_FINDINGS and choice not in self._choices():
                self.finding_choice = None
            self._restrict_to_choice()
            change |= Change.ROWS | Change.STATUS
        self._changed(change)

    def cycle_findings(self) -> FindingChoice:
        """`f`: the next choice (callers check `report` and its kinds first)."""
        self.set_finding_choice(next_in(self._choices(), self.finding_choice))
        return self.finding_choice

    def _choices(self) -> list[FindingChoice]:
        """`f`'s cycle for the report (see `findings_choice.choices`)."""
        self._know_report()
        return self._cycle

    def _chosen_sids(self, choice: FindingChoice) -> frozenset[str] | None:
        self._know_report()
        if choice not in self._chosen:
            report = self.report
            sids = None if report is None else chosen_sids(report.findings, choice)
            self._chosen[choice] = None if sids is None else frozenset(sids)
        return self._chosen[choice]

    def _know_report(self) -> None:
        report = self.report
        if report is self._choices_of:
            return
        self._choices_of = report
        index = self.report_index
        self._cycle = choices(index.kinds, bool(index.alerted)) if report is not None else [None]
        self._chosen = {}

    def set_finding_choice(self, choice: FindingChoice) -> None:
        self.screen_first.busy()
        self.finding_choice = choice
        self._restrict_to_choice()
        self._filter_was_set()
        self._changed(Change.ROWS | Change.STATUS | Change.FINDINGS)

    def _restrict_to_choice(self) -> None:
        sids = self._chosen_sids(self.finding_choice)
        for rows in self.row_sets():
            rows.set_restriction(sids)
        self._continue_work()

    # ---- the view: filter, sort, marks ---------------------------------------------------

    def set_filter(self, query: Query, types: TypeFilter) -> None:
        self.screen_first.busy()
        for rows in self.row_sets():
            rows.set_filter(query, types)
        self._filter_was_set()
        self._changed(Change.ROWS | Change.FILTER | Change.STATUS)
        self._continue_work()

    def _continue_work(self) -> None:
        """A filter over many rows showed its first screenful, or a sort over many rows
        began (the view keeps its order meanwhile); the rest is done one slice per turn
        (the screen stays live; a newer filter or sort replaces the pass). A screen sets
        `slice_turn` to run each slice after its next frame: slices run back to back on
        the loop delayed the frame that shows a keystroke's first answer by one or more
        20 ms slices. Without a running loop (a script, a test) it is finished here."""
        if self._slice_due:
            self._slice_overtaken = True
            return
        if not any(r.busy for r in self.row_sets()):
            return
        if self.slice_turn is not None:
            self._slice_due = True
            self.slice_turn(self._next_slice)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            while any(r.busy for r in self.row_sets()):
                self._work_slice()
            return
        self._slice_due = True
        loop.call_soon(self._next_slice)

    def _next_slice(self) -> None:
        self._slice_due = False
        if self._slice_overtaken and self.slice_turn is not None:
            # Scheduled before a keystroke's new filter: run after the frame showing its
            # first answer (typed at 120 ms a key at 1M, a slice ran between 6-7 of 60
            # edits and their frames; none now, as-typed p95 about 10 ms less).
            self._slice_overtaken = False
            self._continue_work()
            return
        self._slice_overtaken = False
        self._work_slice()
        self._continue_work()

    def _work_slice(self) -> None:
        """One slice of one row set's work, the table's own first: one ~20 ms slice a
        turn, however many row sets have work."""
        self.screen_first.busy()
        busy = [r for r in self.row_sets() if r.busy]
        if not busy:
            return
        rows = self.active_rows if self.active_rows in busy else busy[0]
        was_sorting = rows.sorting
        rows.work_step()
        if rows is not self.active_rows:
            change = Change.STATUS
        elif was_sorting and rows.sorting:
            change = Change.STATUS  # the view is as it was: the sort has not landed
        else:
            change = Change.ROWS | Change.STATUS
        self._changed(change)

    def clear_filters(self) -> None:
        """`escape`: no text, type or findings filter; the cursor stays on its row."""
        self.screen_first.busy()
        self.finding_choice = None
        for rows in self.row_sets():
            rows.set_restriction(None)
            rows.set_filter(parse_query(""), TypeFilter())
        self._to_first_match = False
        self._changed(Change.ROWS | Change.FILTER | Change.STATUS | Change.FINDINGS)
        self._continue_work()

    def toggle_type(self, number: int) -> TypeFilter | None:
        """Binding type `number` (1-based) in or out of the filter; None: no such type."""
        types = self.origin.api.binding_types
        if not 1 <= number <= len(types):
            return None
        return self.rows.type_filter.toggle(types[number - 1])

    def set_sort(self, sort: Sort) -> None:
        self.screen_first.busy()
        for rows in self.row_sets():
            rows.set_sort(sort)
        self._changed(Change.ROWS | Change.STATUS)  # the status line says a long sort runs
        self._continue_work()

    def cycle_sort(self) -> Column | None:
        index = SORT_CYCLE.index(self.active_rows.sort.column)
        column = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self.set_sort(Sort(column))
        return column

    def reverse_sort(self) -> None:
        sort = self.active_rows.sort
        self.set_sort(Sort(sort.column, not sort.descending))

    def sort_by(self, column: Column) -> None:
        """A header click: that column, or the other direction when it is the sort."""
        sort = self.active_rows.sort
        self.set_sort(Sort(column, not sort.descending) if sort.column is column else Sort(column))

    def toggle_mark(self, sid: str) -> None:
        self.active_rows.toggle_mark(sid)
        self._changed(Change.MARKS | Change.STATUS)

    def clear_marks(self) -> None:
        self.active_rows.marks.clear()
        self._changed(Change.MARKS | Change.STATUS)

    # ---- deletes --------------------------------------------------------------------------

    def begin_delete(self, targets: list[Binding]) -> None:
        """The rows dim while their delete runs (in every row set)."""
        for rows in self.row_sets():
            rows.pending.update(b.sid for b in targets)
        change = Change.MARKS
        if len(targets) > 1:
            self.delete_progress = f"Deleting 0 of {len(targets)}…"
            change |= Change.STATUS
        self._changed(change)

    def binding_gone(self, sid: str) -> None:
        """Deleted (or found missing): out of every row set, and of any later page."""
        self._deleted.add(sid)
        for rows in self.row_sets():
            rows.remove(sid)
        self._changed(Change.ROWS | Change.DETAIL | Change.STATUS)

    def delete_failed(self, sid: str) -> None:
        """The binding is (or may be) still there: it stops dimming."""
        for rows in self.row_sets():
            rows.pending.discard(sid)
        self._changed(Change.MARKS)

    def delete_progressed(
        self, done: int, total: int, failed: int, finished: bool
    ) -> DiagnosisRequest | None:
        """Returns the findings to recompute (no network) once every delete has ended."""
        request = None
        if finished and self.report is not None:
            scope = self.report_scope or Scope.SERVICE
            rows = self.identity_rows if scope is Scope.IDENTITY else self.rows
            if rows is not None:
                request = self._request_diagnosis(rows.loaded(self._pause), scope, self.report)
            else:
                self._diagnosis_generation += 1
        if total > 1:
            self.delete_progress = None if finished else f"Deleting {done} of {total}…"
            self._changed(Change.STATUS)
        return request

    def hidden_count(self, sids: Iterable[str]) -> int:
        """How many of `sids` the current filter hides."""
        return self.active_rows.hidden_count(sids)

    # ---- watching (`w`) ---------------------------------------------------------------------

    def watch_refusal(self) -> str | None:
        """Why a watch cannot start now (one line), or None."""
        return watch_refusal(self.identities, self.rows, self.load_state)

    def start_watch(self, now: datetime) -> WatchState:
        """Watch the identity query, or (small services) the service. Callers check
        `watch_refusal` first."""
        self.stop_watch()
        self.watching = WatchState(self.identities, now)
        self._changed(Change.WATCH | Change.STATUS)
        return self.watching

    def stop_watch(self) -> None:
        """The watch ends; rows marked gone leave the table."""
        state = self.watching
        if state is None:
            return
        self.watching = None
        self._drop_rows(state.forget_marks())
        self._changed(Change.WATCH | Change.ROWS | Change.STATUS | Change.DETAIL)

    def _drop_rows(self, sids: Iterable[str]) -> None:
        for sid in sids:
            for rows in self.row_sets():
                rows.remove(sid)

    def _watched_rows(self, state: WatchState) -> BindingRows:
        if state.identities and self.identity_rows is not None:
            return self.identity_rows
        return self.rows

    def watch_refreshed(self, state: WatchState, bindings: Sequence[Binding], at: datetime) -> bool:
        """A listing of the watched list arrived: compare it with the rows shown (so a
        change since the first load shows too), keep gone rows marked, add new ones to
        every row set. False: `state` is not the current watch (dropped)."""
        if state is not self.watching:
            return False
        shown = [b for b in self._watched_rows(state).loaded() if b.sid not in state.gone]
        events = diff_listings(shown, bindings, at)
        arrived: list[Binding] = []
        for event in events:
            sid = event.binding.sid
            if event.kind is EventKind.REMOVED:
                state.gone.add(sid)
                continue
            arrived.append(event.binding)
            if event.kind is EventKind.ADDED:
                state.gone.discard(sid)  # it came back
                state.new.add(sid)
            elif sid not in state.new:
                state.changed.add(sid)
        for rows in self.row_sets():
            rows.append(b for b in arrived if b.sid not in self._deleted)
        state.last_refresh = at
        state.paused = False
        state.notice = None
        change = Change.WATCH | Change.STATUS
        self._changed(change | Change.ROWS | Change.DETAIL if events else change)
        return True

    def watch_notice(self, state: WatchState, notice: WatchNotice) -> None:
        """Paused (a dialog is open), rate limited, or a refresh that failed."""
        if state is not self.watching:
            return
        if notice.kind is NoticeKind.PAUSED:
            state.paused = True
        else:
            state.notice = clip(make_visible(notice.text), 200)
        self._changed(Change.WATCH | Change.STATUS)
