"""The binding rows: rows in load order, indexes, and a view (filter + sort).

The bindings themselves are columns (`binding_store`); a `Binding` is built for a row
when one is asked for. Rows are appended page by page and never move: a row index
stays valid for the rows' life (a deleted row is only marked dead). The view is a list of row
indices, kept in ascending sort order; a descending sort reads it backwards.
When a page arrives only the new rows are filtered and merged into the view;
when the filter changes while the user keeps typing, only the previous result
is re-filtered. A filter over many rows answers a screenful at once and finishes in
`filter_step`s (`filter_pass`); `filtering` says one is under way. A sort over many rows
is done in slices too (`sort_pass`): the view keeps its old order until the new one has
landed (`sorting`, `pending_sort`); `work_step` runs the next slice of either.

No textual import here: this module is core and unit/property tested on its own.
"""

from __future__ import annotations

import enum
import math
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress

from bindings_tui.binding_store import BindingStore, BindingsView
from bindings_tui.filter_pass import FilterPass
from bindings_tui.filtering import EMPTY_QUERY, NO_TYPE_FILTER, Query, TypeFilter
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.restriction_rows import RestrictionRows
from bindings_tui.sort_pass import SortKey, SortPass, merge_in, sort_rows


class Column(enum.Enum):
    """Table columns, in display order. The value is the header label."""

    IDENTITY = "identity"
    TYPE = "type"
    ENDPOINT = "endpoint"
    MESSAGE_TYPES = "messages"
    CREDENTIAL = "credential"
    UPDATED = "updated"
    SID = "sid"


def _updated_key(binding: Binding) -> float:
    moment = binding.date_updated or binding.date_created
    return moment.timestamp() if moment is not None else -math.inf


SORT_KEYS: dict[Column, Callable[[Binding], SortKey]] = {
    Column.IDENTITY: lambda b: (b.identity or "").lower(),
    Column.TYPE: lambda b: (b.binding_type or "").lower(),
    Column.ENDPOINT: lambda b: (b.endpoint or "").lower(),
    Column.MESSAGE_TYPES: lambda b: ",".join(b.message_types),
    Column.CREDENTIAL: lambda b: b.credential_sid or "",
    Column.UPDATED: _updated_key,
    Column.SID: lambda b: b.sid,
}


@dataclass(frozen=True, slots=True)
class Sort:
    """`column` None means load order (the server's order)."""

    column: Column | None = None
    descending: bool = False


LOAD_ORDER = Sort()

# Views remembered per filter while the rows stay the same: deleting what was typed
# (backspace widens the filter, so the narrowing shortcut does not apply) returns to a
# filter seen a moment ago, and at 100k rows recomputing it costs 15-30 ms a keystroke.
RESULTS_KEPT = 8

_ResultKey = tuple[Query, TypeFilter, frozenset[str] | None]

# A filter over at most this many rows is finished at once; over more, it answers a
# screenful first and the caller runs `filter_step` until done.
_SYNC_ROWS = 4_000

# A sort over at most this many rows is done at once (by endpoint, the slowest key, ~4 us
# a row at 1M: ~40 ms); over more, it runs in `work_step`s while the view keeps the order
# it had. The demo's 5,000 rows sort at once.
SYNC_SORT_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class Origin:
    """Where these rows came from. A delete of one of them goes to exactly this
    API and service, whatever the app shows or talks to meanwhile."""

    api: ApiFlavor
    service_sid: str


def _key_of(store: BindingStore, sort: Sort) -> Callable[[int], SortKey] | None:
    return None if sort.column is None else _row_keys(store, sort.column)


def _row_keys(store: BindingStore, column: Column) -> Callable[[int], SortKey]:
    """SORT_KEYS[column] of a row, read from the store's columns (the same values)."""
    if column is Column.IDENTITY:
        return lambda row: (store.identity(row) or "").lower()
    if column is Column.TYPE:
        return store.type_lower
    if column is Column.ENDPOINT:
        return lambda row: (store.endpoint(row) or "").lower()
    if column is Column.MESSAGE_TYPES:
        joined: dict[tuple[str, ...], str] = {}

        def message_types(row: int) -> str:
            kinds = store.kind(row)[1]
            text = joined.get(kinds)
            if text is None:
                text = joined[kinds] = ",".join(kinds)
            return text

        return message_types
    if column is Column.CREDENTIAL:
        return lambda row: store.kind(row)[2] or ""
    if column is Column.UPDATED:
        return store.updated_key
    return store.sid


# Columns whose keys are long strings (see sort_pass.sort_by_long_keys).
_LONG_KEYS = frozenset({Column.IDENTITY, Column.ENDPOINT, Column.SID})


class BindingRows:
    """Bindings of one service (or one identity query), with a filtered, sorted view."""

    def __init__(self, origin: Origin | None = None) -> None:
        self.origin = origin
        self._store = BindingStore()
        self._alive = bytearray()
        self._alive_count = 0
        # The sort column's key of a row, read from the store when asked (a list of a
        # million identity keys was ~70 MB kept for as long as the sort stood).
        self._key: Callable[[int], SortKey] | None = None
        self._base: list[int] = []  # alive rows in ascending sort order
        self._view: list[int] = []  # the filtered base, same order
        self._query: Query = EMPTY_QUERY
        self._type_filter: TypeFilter = NO_TYPE_FILTER
        self._sort: Sort = LOAD_ORDER
        self._restriction: frozenset[str] | None = None  # only these SIDs (e.g. findings)
        self._allowed: set[int] | None = None  # the restriction's rows
        self._pass: FilterPass | None = None  # a filter still under way
        # A sort still under way, and the order it is for (the view shows `_sort` meanwhile).
        self._sorting: SortPass | None = None
        self._target: Sort = LOAD_ORDER
        self.marks: set[str] = set()
        self.pending: set[str] = set()
        self.revision = 0  # bumps when a row's content changes in place
        self._results: OrderedDict[_ResultKey, list[int]] = OrderedDict()

    def successor(self) -> BindingRows:
        """Empty rows for a new listing of the same origin, with this one's filter,
        sort and restriction (what the user set up survives a reload)."""
        new = BindingRows(self.origin)
        new.set_sort(self.sort)
        new.set_filter(self._query, self._type_filter)
        if self._restriction is not None:
            new.set_restriction(self._restriction)
        return new

    def adopt_marks(self, previous: BindingRows) -> None:
        """Keep the marks and pending deletes of `previous` that name rows here."""
        self.marks |= {s for s in previous.marks if s in self}
        self.pending |= {s for s in previous.pending if s in self}

    # ---- reading ------------------------------------------------------------------------

    @property
    def loaded_count(self) -> int:
        return self._alive_count

    @property
    def shown_count(self) -> int:
        """Rows the filter shows (so far, while `filtering`)."""
        return len(self._view)

    @property
    def filtering(self) -> bool:
        """A filter pass is still under way: the view holds the matches found so far."""
        return self._pass is not None

    @property
    def sorting(self) -> bool:
        """A sort pass is under way: the view still shows the order it had (`shown_sort`)."""
        return self._sorting is not None

    @property
    def pending_sort(self) -> Sort | None:
        """The sort being done while `sorting`, else None."""
        return self._target if self._sorting is not None else None

    @property
    def busy(self) -> bool:
        """A sort or a filter is under way (see `work_step`)."""
        return self._sorting is not None or self._pass is not None

    @property
    def query(self) -> Query:
        return self._query

    @property
    def type_filter(self) -> TypeFilter:
        return self._type_filter

    @property
    def sort(self) -> Sort:
        """The sort chosen (while `sorting`, the one under way: the header shows it)."""
        return self._target if self._sorting is not None else self._sort

    @property
    def shown_sort(self) -> Sort:
        """The order the view is in now (`row_at`, `position_of`)."""
        return self._sort

    @property
    def restriction(self) -> frozenset[str] | None:
        return self._restriction

    def __len__(self) -> int:
        return len(self._view)

    def row_at(self, position: int) -> int:
        """Row index shown at `position` (0-based) of the view."""
        if self._sort.descending:
            return self._view[len(self._view) - 1 - position]
        return self._view[position]

    def binding_at(self, position: int) -> Binding | None:
        if not 0 <= position < len(self._view):
            return None
        return self._store.binding(self.row_at(position))

    def binding(self, row: int) -> Binding:
        return self._store.binding(row)

    def sid_of(self, row: int) -> str:
        """The row's SID, without building its Binding."""
        return self._store.sid(row)

    def _row_of(self, sid: str) -> int | None:
        row = self._store.row_of(sid)
        return row if row is not None and self._alive[row] else None

    def get(self, sid: str) -> Binding | None:
        row = self._row_of(sid)
        return None if row is None else self._store.binding(row)

    def __contains__(self, sid: object) -> bool:
        return isinstance(sid, str) and self._row_of(sid) is not None

    def position_of(self, sid: str) -> int | None:
        """Where the binding `sid` is in the view, or None when it is hidden or absent."""
        row = self._row_of(sid)
        if row is None:
            return None
        view = self._view
        # The view is in (sort key, row) order, so a bisection finds the row: a scan of
        # a million rows for the cursor's binding (list.index) cost 10 ms a page or keystroke.
        key = self._key
        if key is None:
            index = bisect_left(view, row)
        else:
            index = bisect_left(view, (key(row), row), key=lambda r: (key(r), r))
        if index == len(view) or view[index] != row:
            return None
        return len(view) - 1 - index if self._sort.descending else index

    def in_view(self) -> Iterator[Binding]:
        """The bindings the filter shows, in display order."""
        for position in range(len(self._view)):
            yield self._store.binding(self.row_at(position))

    def loaded(self, pause: Callable[[], object] | None = None) -> Sequence[Binding]:
        """Every binding still here (deleted ones left out), in load order; built as
        they are read (see BindingsView, and its `pause`). Nothing deleted: every row, as
        a `range` (a million row numbers in a Python loop stalled the screen 80 ms as a
        list ended)."""
        if self._alive_count == len(self._alive):
            return BindingsView(self._store, range(len(self._alive)), pause)
        return BindingsView(self._store, array("i", self._alive_rows()), pause)

    def _alive_rows(self) -> Iterator[int]:
        """Row numbers still alive, in row order (itertools.compress: C speed)."""
        return compress(range(len(self._alive)), self._alive)

    def by_identity(self, identity: str | None) -> list[Binding]:
        if identity is None:
            return []
        alive, binding = self._alive, self._store.binding
        return [binding(i) for i in self._store.rows_of_identity(identity) if alive[i]]

    # ---- loading ------------------------------------------------------------------------

    def append(self, bindings: Iterable[Binding]) -> int:
        """Add a page (or a batch of pages). Returns how many new rows were added.

        A SID already present replaces its row in place (a list can shift while it
        is paged); that is rare, so the view is then rebuilt from scratch.
        """
        # A filter pass under way over load order takes the new rows at its end (the
        # rest of the view is what it finds); any other pass is finished first.
        ongoing = self._pass if self._sort == LOAD_ORDER else None
        if ongoing is None:
            self._finish_filter()
        self._results.clear()
        store = self._store
        first_new = len(store)
        fresh: list[Binding] = []
        fresh_at: dict[str, int] = {}
        replaced = False
        for binding in bindings:
            existing = self._row_of(binding.sid)
            if existing is not None:
                store.replace(existing, binding)
                replaced = True
                continue
            at = fresh_at.get(binding.sid)
            if at is not None:  # twice in one batch: the later copy, in the first's place
                fresh[at] = binding
                replaced = True
                continue
            fresh_at[binding.sid] = len(fresh)
            fresh.append(binding)
        store.append(fresh)
        self._alive += b"\x01" * len(fresh)
        self._alive_count += len(fresh)
        new_rows = list(range(first_new, len(store)))
        if self._allowed is not None and self._restriction is not None:
            only = self._restriction
            self._allowed.update(row for row in new_rows if store.sid(row) in only)
        if replaced:
            self._rebuild_base()
            self._refilter(from_scratch=True)
            self._finish_filter()
            if self._sorting is not None:  # a row's key may have changed: sort again
                self._start_sort()
            self.revision += 1
            return len(new_rows)
        if not new_rows:
            return 0
        if self._sorting is not None:  # shown now, and in the sort when it lands
            self._sorting.extend(new_rows)
        if ongoing is not None and ongoing is self._pass:
            self._base.extend(new_rows)
            ongoing.extend(new_rows)
            self._show_pass()
            return len(new_rows)
        matched = self._select(new_rows)
        if self._sort.column is None:
            self._base.extend(new_rows)
            self._view.extend(matched)
        else:
            key = self._key
            assert key is not None
            self._base = merge_in(self._base, new_rows, key)
            self._view = merge_in(self._view, matched, key)
        return len(new_rows)

    def remove(self, sid: str) -> Binding | None:
        """Forget a deleted binding. Returns it, or None when it was not here."""
        row = self._row_of(sid)
        if row is None:
            return None
        self._finish_filter()
        binding = self._store.binding(row)
        self._alive[row] = 0
        self._alive_count -= 1
        self._store.forget_sid(row)
        self._results.clear()
        if self._sorting is not None:
            self._sorting.discard(row)
        self._base.remove(row)
        if row in self._view:
            self._view.remove(row)
        self.marks.discard(sid)
        self.pending.discard(sid)
        return binding

    # ---- view -----------------------------------------------------------------------------

    def set_filter(self, query: Query, type_filter: TypeFilter | None = None) -> None:
        """Apply a filter; re-filters only the current result when the new one is narrower.

        Over many rows only the first screenful is found here; `filter_step` finds the
        rest (see `filtering`)."""
        types = self._type_filter if type_filter is None else type_filter
        narrower = query.narrows(self._query) and types.narrows(self._type_filter)
        self._query = query
        self._type_filter = types
        self._refilter(from_scratch=not narrower)

    def filter_step(self) -> bool:
        """Run one slice of the filter under way; True when there is none left."""
        if self._pass is None:
            return True
        done = self._pass.run()
        self._show_pass()
        return done

    def _finish_filter(self) -> None:
        if self._pass is not None:
            self._pass.finish()
            self._show_pass()

    def set_restriction(self, sids: Iterable[str] | None) -> None:
        """Show only the bindings whose SID is in `sids` (None lifts the restriction).
        Over many rows, the restriction's rows are found in the filter's slices."""
        self._finish_filter()
        self._restriction = None if sids is None else frozenset(sids)
        self._allowed = None
        self._refilter(from_scratch=True)

    def _restriction_rows(self) -> set[int] | None:
        """The restriction's rows, found now if they are not known yet."""
        if self._restriction is None:
            return None
        if self._allowed is None:
            self._allowed = RestrictionRows(self._store, self._restriction).finish()
        return self._allowed

    def _restriction_for_pass(self) -> set[int] | RestrictionRows | None:
        """What a new filter pass restricts to: the rows when known, else a finder the
        pass runs a slice at a time (`_show_pass` keeps its rows once whole)."""
        if self._restriction is None or self._allowed is not None:
            return self._allowed
        return RestrictionRows(self._store, self._restriction)

    def set_sort(self, sort: Sort) -> None:
        """Sort the view. Over many rows by another column, the sort runs in `work_step`s
        (`sorting`); the view keeps its order until it lands."""
        if self._sorting is not None:
            if sort.column == self._target.column:  # the same pass, the other direction
                self._target = sort
                return
            self._sorting = None  # replaced (or back to the order shown)
        if sort == self._sort:
            return
        if sort.column == self._sort.column:  # only the direction: the view reads backwards
            self._finish_filter()
            self._sort = sort
            self._results.clear()
            return
        self._target = sort
        if sort.column is not None and self._alive_count > SYNC_SORT_ROWS:
            self._start_sort()
            return
        self._land_sort(self._sorted_now())  # filters again: a filter under way is replaced

    def work_step(self) -> bool:
        """One slice of what is under way, a sort before a filter (a sort that lands
        filters again); True when nothing is left."""
        if self._sorting is not None:
            if self._sorting.run():
                self._land_sort(self._sorting.result)
        elif self._pass is not None:
            self.filter_step()
        return not self.busy

    def _start_sort(self) -> None:
        """A pass from every row alive in row order, so that equal keys keep load order."""
        column = self._target.column
        assert column is not None
        self._sorting = SortPass(list(self._alive_rows()), _row_keys(self._store, column))

    def _land_sort(self, base: list[int]) -> None:
        """`base` (every row alive, sorted by `_target`) becomes what the view shows."""
        self._sorting = None
        self._sort = self._target
        self._key = _key_of(self._store, self._sort)
        self._base = base
        self._results.clear()
        self._refilter(from_scratch=True)

    def _sorted_now(self) -> list[int]:
        """Every row alive sorted by `_target`, at once (a few rows, or load order)."""
        rows = list(self._alive_rows())
        column = self._target.column
        if column is not None:
            sort_rows(rows, _row_keys(self._store, column), long_keys=column in _LONG_KEYS)
        return rows

    def _rebuild_base(self) -> None:
        rows = list(self._alive_rows())
        if self._key is not None:
            sort_rows(rows, self._key, long_keys=self._sort.column in _LONG_KEYS)
        self._base = rows

    def _refilter(self, *, from_scratch: bool) -> None:
        fresh = False  # `candidates` is a list of its own (the pass may keep it, uncopied)
        if from_scratch:
            candidates: list[int] = self._base
        elif self._pass is not None:  # narrowing a pass under way: what it has not ruled out
            candidates = self._in_display_order(self._pass.untested())
            fresh = True
        else:
            candidates = self._view
        self._pass = None
        if self._query.is_empty and self._type_filter.is_empty and self._restriction is None:
            self._view = list(candidates)
            return
        key: _ResultKey = (self._query, self._type_filter, self._restriction)
        kept = self._results.get(key)
        if kept is not None:
            self._results.move_to_end(key)
            self._view = list(kept)  # a copy: appends extend the view in place
            return
        wider = self._cached_superset() if from_scratch else None
        if wider is not None:
            candidates, fresh = wider, True
        self._pass = FilterPass(
            self._store,
            self._in_display_order(candidates),
            self._query,
            self._type_filter,
            self._restriction_for_pass(),
            owned=fresh,
        )
        self._pass.run(first=True)
        self._show_pass()
        if self._pass is not None and len(candidates) <= _SYNC_ROWS:
            self._finish_filter()

    def _in_display_order(self, rows: list[int]) -> list[int]:
        """Ascending view order <-> display order (a descending sort reads backwards)."""
        return rows[::-1] if self._sort.descending else rows

    def _show_pass(self) -> None:
        """The view is what the pass has matched; once done, it is remembered."""
        current = self._pass
        if current is None:
            return
        if self._allowed is None and self._restriction is not None:
            # Whole now: kept (pages appended from here on add their rows to it).
            found = current.allowed_rows
            if isinstance(found, set):
                self._allowed = found  # the pass's own set: rows added to it count there too
        self._view = self._in_display_order(current.matched)
        if not current.done:
            return
        self._pass = None
        key: _ResultKey = (self._query, self._type_filter, self._restriction)
        self._results[key] = list(self._view)
        if len(self._results) > RESULTS_KEPT:
            self._results.popitem(last=False)

    def _cached_superset(self) -> list[int] | None:
        """The smallest remembered result that holds every row the current filter can
        match (typing `acme.t` after `acme`: the regex only looks at the `acme` rows)."""
        best: list[int] | None = None
        for (query, types, only), view in self._results.items():
            if query.is_empty or not self._query.narrows(query):
                continue
            if not self._type_filter.narrows(types):
                continue
            if only is not None and only != self._restriction:
                continue
            if best is None or len(view) < len(best):
                best = view
        return None if best is None else list(best)

    def _select(self, candidates: list[int]) -> list[int]:
        """The candidates the filter shows, tested where they are (a page's new rows)."""
        if self._query.is_empty and self._type_filter.is_empty and self._restriction is None:
            return candidates
        check = FilterPass(
            self._store, candidates, self._query, self._type_filter, self._restriction_rows()
        )
        return check.finish()

    # ---- marks ----------------------------------------------------------------------------

    def toggle_mark(self, sid: str) -> bool:
        """Mark or unmark a binding; returns whether it is marked now."""
        if sid not in self:
            return False
        if sid in self.marks:
            self.marks.discard(sid)
            return False
        self.marks.add(sid)
        return True

    def marked_bindings(self) -> list[Binding]:
        """Marked bindings in load order."""
        found = (self._row_of(s) for s in self.marks)
        return [self._store.binding(i) for i in sorted(r for r in found if r is not None)]

    def hidden_count(self, sids: Iterable[str]) -> int:
        """How many of `sids` the current filter hides (absent ones count as hidden)."""
        wanted = list(sids)
        if not wanted:
            return 0
        shown = bytearray(len(self._store))
        for row in self._view:
            shown[row] = 1
        hidden = 0
        for sid in wanted:
            found = self._row_of(sid)
            if found is None or not shown[found]:
                hidden += 1
        return hidden
