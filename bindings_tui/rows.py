"""The binding rows: rows in load order, indexes, and a view (filter + sort).

Rows are appended page by page and never move: a row index stays valid for the
rows' life (a deleted row is only marked dead). The view is a list of row
indices, kept in ascending sort order; a descending sort reads it backwards.
When a page arrives only the new rows are filtered and merged into the view;
when the filter changes while the user keeps typing, only the previous result
is re-filtered.

No textual import here: this module is core and unit/property tested on its own.
"""

from __future__ import annotations

import enum
import math
from bisect import insort_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bindings_tui.filtering import EMPTY_QUERY, NO_TYPE_FILTER, Query, TypeFilter, haystack
from bindings_tui.models import ApiFlavor, Binding

SortKey = str | float


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


@dataclass(frozen=True, slots=True)
class Origin:
    """Where these rows came from. A delete of one of them goes to exactly this
    API and service, whatever the app shows or talks to meanwhile."""

    api: ApiFlavor
    service_sid: str


class BindingRows:
    """Bindings of one service (or one identity query), with a filtered, sorted view."""

    def __init__(self, origin: Origin | None = None) -> None:
        self.origin = origin
        self._rows: list[Binding] = []
        self._alive: list[bool] = []
        self._haystacks: list[str] = []
        self._types: list[str] = []
        self._by_sid: dict[str, int] = {}
        self._by_identity: dict[str, list[int]] = {}
        self._keys: list[SortKey] = []
        self._base: list[int] = []  # alive rows in ascending sort order
        self._view: list[int] = []  # the filtered base, same order
        self._query: Query = EMPTY_QUERY
        self._type_filter: TypeFilter = NO_TYPE_FILTER
        self._sort: Sort = LOAD_ORDER
        self._restriction: frozenset[str] | None = None  # only these SIDs (e.g. findings)
        self.marks: set[str] = set()
        self.pending: set[str] = set()
        self.revision = 0  # bumps when a row's content changes in place
        self._results: OrderedDict[_ResultKey, list[int]] = OrderedDict()

    def successor(self) -> BindingRows:
        """Empty rows for a new listing of the same origin, with this one's filter,
        sort and restriction (what the user set up survives a reload)."""
        new = BindingRows(self.origin)
        new.set_sort(self._sort)
        new.set_filter(self._query, self._type_filter)
        if self._restriction is not None:
            new.set_restriction(self._restriction)
        return new

    def adopt_marks(self, previous: BindingRows) -> None:
        """Keep the marks and pending deletes of `previous` that name rows here."""
        self.marks |= {s for s in previous.marks if s in self._by_sid}
        self.pending |= {s for s in previous.pending if s in self._by_sid}

    # ---- reading ------------------------------------------------------------------------

    @property
    def loaded_count(self) -> int:
        return len(self._base)

    @property
    def shown_count(self) -> int:
        return len(self._view)

    @property
    def query(self) -> Query:
        return self._query

    @property
    def type_filter(self) -> TypeFilter:
        return self._type_filter

    @property
    def sort(self) -> Sort:
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
        return self._rows[self.row_at(position)]

    def binding(self, row: int) -> Binding:
        return self._rows[row]

    def get(self, sid: str) -> Binding | None:
        row = self._by_sid.get(sid)
        return None if row is None else self._rows[row]

    def __contains__(self, sid: object) -> bool:
        return sid in self._by_sid

    def position_of(self, sid: str) -> int | None:
        """Where the binding `sid` is in the view, or None when it is hidden or absent."""
        row = self._by_sid.get(sid)
        if row is None:
            return None
        try:
            index = self._view.index(row)
        except ValueError:
            return None
        return len(self._view) - 1 - index if self._sort.descending else index

    def in_view(self) -> Iterator[Binding]:
        """The bindings the filter shows, in display order."""
        for position in range(len(self._view)):
            yield self._rows[self.row_at(position)]

    def loaded(self) -> list[Binding]:
        """Every binding still here (deleted ones left out), in load order."""
        alive = self._alive
        return [b for i, b in enumerate(self._rows) if alive[i]]

    def by_identity(self, identity: str | None) -> list[Binding]:
        if identity is None:
            return []
        return [self._rows[i] for i in self._by_identity.get(identity, ())]

    # ---- loading ------------------------------------------------------------------------

    def append(self, bindings: Iterable[Binding]) -> int:
        """Add a page (or a batch of pages). Returns how many new rows were added.

        A SID already present replaces its row in place (a list can shift while it
        is paged); that is rare, so the view is then rebuilt from scratch.
        """
        new_rows: list[int] = []
        replaced = False
        self._results.clear()
        for binding in bindings:
            existing = self._by_sid.get(binding.sid)
            if existing is not None:
                self._replace(existing, binding)
                replaced = True
                continue
            row = len(self._rows)
            self._rows.append(binding)
            self._alive.append(True)
            self._haystacks.append(haystack(binding))
            self._types.append((binding.binding_type or "").lower())
            self._by_sid[binding.sid] = row
            if binding.identity is not None:
                self._by_identity.setdefault(binding.identity, []).append(row)
            if self._sort.column is not None:
                self._keys.append(SORT_KEYS[self._sort.column](binding))
            new_rows.append(row)
        if replaced:
            self._rebuild_base()
            self._refilter(from_scratch=True)
            self.revision += 1
            return len(new_rows)
        if not new_rows:
            return 0
        matched = self._select(new_rows)
        if self._sort.column is None:
            self._base.extend(new_rows)
            self._view.extend(matched)
        else:
            key = self._keys.__getitem__
            for row in new_rows:
                insort_right(self._base, row, key=key)
            for row in matched:
                insort_right(self._view, row, key=key)
        return len(new_rows)

    def _replace(self, row: int, binding: Binding) -> None:
        old = self._rows[row]
        if old.identity != binding.identity:
            if old.identity is not None:
                self._by_identity[old.identity].remove(row)
            if binding.identity is not None:
                self._by_identity.setdefault(binding.identity, []).append(row)
                self._by_identity[binding.identity].sort()
        self._rows[row] = binding
        self._haystacks[row] = haystack(binding)
        self._types[row] = (binding.binding_type or "").lower()
        if self._sort.column is not None:
            self._keys[row] = SORT_KEYS[self._sort.column](binding)

    def remove(self, sid: str) -> Binding | None:
        """Forget a deleted binding. Returns it, or None when it was not here."""
        row = self._by_sid.pop(sid, None)
        if row is None:
            return None
        binding = self._rows[row]
        self._alive[row] = False
        self._results.clear()
        if binding.identity is not None:
            same = self._by_identity.get(binding.identity, [])
            if row in same:
                same.remove(row)
            if not same:
                self._by_identity.pop(binding.identity, None)
        self._base.remove(row)
        if row in self._view:
            self._view.remove(row)
        self.marks.discard(sid)
        self.pending.discard(sid)
        return binding

    # ---- view -----------------------------------------------------------------------------

    def set_filter(self, query: Query, type_filter: TypeFilter | None = None) -> None:
        """Apply a filter; re-filters only the current result when the new one is narrower."""
        types = self._type_filter if type_filter is None else type_filter
        narrower = query.narrows(self._query) and types.narrows(self._type_filter)
        self._query = query
        self._type_filter = types
        self._refilter(from_scratch=not narrower)

    def set_restriction(self, sids: Iterable[str] | None) -> None:
        """Show only the bindings whose SID is in `sids` (None lifts the restriction)."""
        self._restriction = None if sids is None else frozenset(sids)
        self._refilter(from_scratch=True)

    def set_sort(self, sort: Sort) -> None:
        if sort == self._sort:
            return
        same_column = sort.column == self._sort.column
        self._sort = sort
        self._results.clear()
        if same_column:  # only the direction changed: the view reads backwards
            return
        if sort.column is None:
            self._keys = []
        else:
            key_of = SORT_KEYS[sort.column]
            self._keys = [key_of(b) for b in self._rows]
        self._rebuild_base()
        self._refilter(from_scratch=True)

    def _rebuild_base(self) -> None:
        alive = self._alive
        rows = [i for i in range(len(self._rows)) if alive[i]]
        if self._sort.column is not None:
            rows.sort(key=self._keys.__getitem__)
        self._base = rows

    def _refilter(self, *, from_scratch: bool) -> None:
        candidates = self._base if from_scratch else self._view
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
        self._view = self._select(wider) if wider is not None else self._filtered(candidates)
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

    def _filtered(self, candidates: list[int]) -> list[int]:
        if self._sort.column is None or len(candidates) < 2048:
            return self._select(candidates)
        # Sorted order visits haystacks at random (slow on big lists): test every row in
        # memory order first, then walk the sorted candidates keeping the matches.
        matched = self._select([i for i in range(len(self._rows)) if self._alive[i]])
        mask = bytearray(len(self._rows))
        for i in matched:
            mask[i] = 1
        return [i for i in candidates if mask[i]]

    def _select(self, candidates: list[int]) -> list[int]:
        if self._restriction is not None:
            allowed, rows = self._restriction, self._rows
            candidates = [i for i in candidates if rows[i].sid in allowed]
        if not self._type_filter.is_empty:
            selected = self._type_filter.selected
            types = self._types
            candidates = [i for i in candidates if types[i] in selected]
        return self._query.select(candidates, self._haystacks)

    # ---- marks ----------------------------------------------------------------------------

    def toggle_mark(self, sid: str) -> bool:
        """Mark or unmark a binding; returns whether it is marked now."""
        if sid not in self._by_sid:
            return False
        if sid in self.marks:
            self.marks.discard(sid)
            return False
        self.marks.add(sid)
        return True

    def marked_bindings(self) -> list[Binding]:
        """Marked bindings in load order."""
        rows = sorted(self._by_sid[s] for s in self.marks if s in self._by_sid)
        return [self._rows[i] for i in rows]

    def hidden_count(self, sids: Iterable[str]) -> int:
        """How many of `sids` the current filter hides (absent ones count as hidden)."""
        wanted = list(sids)
        if not wanted:
            return 0
        shown = set(self._view)
        return sum(1 for s in wanted if self._by_sid.get(s) not in shown)
