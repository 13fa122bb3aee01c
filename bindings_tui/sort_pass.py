"""One sort of a store's rows, in slices: the screen keeps its old order until it lands.

At a million rows a sort by a text column took 0.5-4.2 s in one go on the event loop;
the screen froze. A pass instead does bounded steps, each about 20 ms (see the sizes
below), that the caller runs between other work:

- phase A: the rows, taken in row order, are cut into chunks of `CHUNK_ROWS`; a step
  sorts one chunk by the key (stable) into a sorted run;
- phase B: the runs are merged (`heapq.merge`, stable across runs in their order),
  `MERGE_ROWS` rows a step. Runs made after a merge began (rows appended meanwhile) are
  merged after it; a few rows are placed by bisection instead (`merge_in`).

Rows are in ascending row order going in, and equal keys keep that order throughout, so
the result is exactly `sorted(rows, key=key)`. Rows appended meanwhile (higher row
numbers than any before) join at the end; rows deleted meanwhile are left out.

No textual import here: this module is core.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import filterfalse, islice
from typing import Final

SortKey = str | float

# Measured at 1M rows (the fake's seed-7 list) on the 2-core benchmark machine, in ms per
# step for the slowest column: a chunk of 20k sorted with its keys ~12 ms (identity, the
# prefix sort: ~14 ms); 20k rows of a 50-run merge ~15 ms (endpoint, 150-character keys:
# ~17 ms). A whole sort at 1M: ~50 chunk steps + ~50 merge steps, 1.2-1.9 s of work.
CHUNK_ROWS: Final = 20_000
MERGE_ROWS: Final = 20_000
# Runs this small beside the first are placed into it by bisection in one step (their
# key calls: rows x log2(n), ~40k at 1M) instead of another merge over every row.
INSERT_ROWS: Final = 2_000

# Keys that are long strings (an FCM token is 150-odd characters) are sorted first on a
# short prefix, then each run of equal prefixes on the whole key: a million endpoint keys
# alive at once, as `list.sort(key=...)` keeps them, were ~190 MB at the peak of a 1M
# session; the prefixes are about a third of that.
PREFIX: Final = 12


def sort_by_long_keys(rows: list[int], key: Callable[[int], SortKey]) -> None:
    """`rows.sort(key=key)` (stable, the same order) for string keys, in less memory."""
    rows.sort(key=lambda row: str(key(row))[:PREFIX])
    start = 0
    run_prefix: str | None = None
    run_long = False
    for at, row in enumerate(rows):
        whole = str(key(row))
        prefix = whole[:PREFIX]
        if prefix != run_prefix:
            if run_long and at - start > 1:
                rows[start:at] = sorted(rows[start:at], key=key)
            start, run_prefix, run_long = at, prefix, False
        run_long = run_long or len(whole) > PREFIX
    if run_long and len(rows) - start > 1:
        rows[start:] = sorted(rows[start:], key=key)


def sort_rows(rows: list[int], key: Callable[[int], SortKey], *, long_keys: bool) -> None:
    """Sort `rows` in place by `key`, stably (the whole list at once)."""
    if long_keys:
        sort_by_long_keys(rows, key)
    else:
        rows.sort(key=key)


def merge_in(target: list[int], later: list[int], key: Callable[[int], SortKey]) -> list[int]:
    """`target` (sorted by key) with `later` placed in, as `insort_right` of each row of
    `later` in turn would (rows of `later` come after every row of `target` in row
    order, and are themselves in row order). One copy of `target` for the whole batch:
    an insort per row moved up to a million row numbers for each row of a page."""
    if not later:
        return target
    placed = sorted(later, key=key)  # stable: equal keys keep row order
    merged: list[int] = []
    previous = 0
    for row in placed:
        at = bisect_right(target, key(row), lo=previous, key=key)
        merged += target[previous:at]
        merged.append(row)
        previous = at
    merged += target[previous:]
    return merged


class SortPass:
    """`rows` (ascending row numbers) sorted by `key`, a bounded step at a time."""

    def __init__(self, rows: list[int], key: Callable[[int], SortKey]) -> None:
        self._key = key
        self._unsorted: list[int] = rows  # not in a run yet, from `_taken` on
        self._taken = 0
        self._runs: list[list[int]] = []  # sorted, in row-range order
        self._merge: Iterator[int] | None = None  # merging `_runs[:_merging]`
        self._merging = 0
        self._merged: list[int] = []
        self._dead: set[int] = set()
        self._purged = True  # no dead row can be in a run
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    @property
    def result(self) -> list[int]:
        """The sorted rows (once `done`)."""
        assert self._done
        return self._runs[0] if self._runs else []

    def extend(self, rows: Iterable[int]) -> None:
        """Rows appended meanwhile (higher row numbers than any before, in order)."""
        if self._taken:
            self._unsorted = self._unsorted[self._taken :]
            self._taken = 0
        self._unsorted.extend(rows)
        self._done = False

    def discard(self, row: int) -> None:
        """A row deleted meanwhile: it is not in the result."""
        self._dead.add(row)
        self._purged = False

    def finish(self) -> list[int]:
        while not self.run():
            pass
        return self.result

    def run(self) -> bool:
        """One step; True when the pass is done (`result` is the sorted rows)."""
        if self._merge is not None:
            self._merge_step()
        elif self._taken < len(self._unsorted):
            self._sort_chunk()
        elif len(self._runs) > 1:
            self._start_merge()
        elif not self._purged:
            if self._runs:
                self._runs[0] = self._alive(self._runs[0])
            self._purged = True
        self._done = (
            self._merge is None
            and self._taken >= len(self._unsorted)
            and len(self._runs) <= 1
            and self._purged
        )
        return self._done

    # ---- steps ------------------------------------------------------------------------------

    def _alive(self, rows: list[int]) -> list[int]:
        return list(filterfalse(self._dead.__contains__, rows)) if self._dead else rows

    def _sort_chunk(self) -> None:
        end = self._taken + CHUNK_ROWS
        chunk = self._alive(self._unsorted[self._taken : end])
        self._taken = min(end, len(self._unsorted))
        if self._taken == len(self._unsorted):  # every row is in a run: let the list go
            self._unsorted, self._taken = [], 0
        chunk.sort(key=self._key)  # its keys alive at once: a chunk's, not a million
        if chunk:
            self._runs.append(chunk)

    def _start_merge(self) -> None:
        first, rest = self._runs[0], self._runs[1:]
        if sum(len(run) for run in rest) <= INSERT_ROWS:
            later = [row for run in rest for row in run]  # row order: runs are in row order
            self._runs = [merge_in(first, self._alive(later), self._key)]
            return
        self._merging = len(self._runs)
        self._merged = []
        self._merge = heapq.merge(*self._runs, key=self._key)
        self._merge_step()

    def _merge_step(self) -> None:
        assert self._merge is not None
        block = list(islice(self._merge, MERGE_ROWS))
        self._merged += self._alive(block)
        if len(block) < MERGE_ROWS:  # the merge has run out
            self._runs[: self._merging] = [self._merged]
            self._merge, self._merging, self._merged = None, 0, []
