"""One sort of a store's rows, in slices: the screen keeps its old order until it lands.

At a million rows a sort by a text column took 0.5-4.2 s in one go on the event loop;
the screen froze. A pass instead does bounded steps of about `STEP_SECONDS` each, that
the caller runs between other work:

- phase A: the rows, taken in row order, are cut into chunks; a step sorts one chunk by
  the key (stable) into a sorted run;
- phase B: the runs are merged (`heapq.merge`, stable across runs in their order), a
  block of rows a step. Runs made after a merge began (rows appended meanwhile) are then
  placed into the merged run by bisection, a few rows a step (`merge_in`), or, when
  they are many, merged again.

A step's size in rows is learnt from the steps before it (a key costs 0.1-2.5 us by
column), between a floor and a cap. Rows are in ascending row order going in, and equal
keys keep that order throughout, so the result is exactly `sorted(rows, key=key)`. Rows
appended meanwhile (higher row numbers than any before) join at the end; rows deleted
meanwhile are left out.

No textual import here: this module is core.
"""

from __future__ import annotations

import heapq
import math
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import filterfalse, islice
from typing import Final

SortKey = str | float

# Measured at 1M rows (the fake's seed-7 list, 2-core machine shared with other work),
# per row: a chunk sorted 0.15 us (type) to 1.35 us (endpoint: 150-character keys); a
# row merged 0.45 us (type) to 2.5-3.8 us (endpoint); each key is read again to merge.
# Fixed steps of 20k rows were 3-34 ms to sort and 8-77 ms to merge, so each step's
# size is learnt instead: rows = STEP_SECONDS / (seconds per row of the last step).
# With these, whole passes at 1M (ms of work, steps, longest step) against the sort in
# one go: identity 3042 in 203 (24 ms; one go 3845), endpoint 4470 in 297 (25; 4312),
# sid 1376 in 93 (21; 1663), updated 1170 in 82 (21; 384), type 813 in 63 (25; 162),
# messages 518 in 46 (16; 177), credential 551 in 48 (17; 170).
STEP_SECONDS: Final = 0.015
FIRST_ROWS: Final = 5_000  # a step's rows before any was timed
MIN_ROWS: Final = 200
CHUNK_ROWS: Final = 50_000  # caps, per phase: the most rows a step handles
MERGE_ROWS: Final = 50_000
INSERT_ROWS: Final = 1_000  # rows placed by bisection (log2(n) key reads each)

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


def merge_in(
    target: list[int],
    later: list[int],
    key: Callable[[int], SortKey],
    *,
    presorted: bool = False,
) -> list[int]:
    """`target` (sorted by key) with `later` placed in, as `insort_right` of each row of
    `later` in turn would (rows of `later` come after every row of `target` in row
    order, and are themselves in row order, or `presorted`: stably sorted by key). One
    copy of `target` for the whole batch: an insort per row moved up to a million row
    numbers for each row of a page."""
    if not later:
        return target
    keys = {row: key(row) for row in later}
    # stable: ties keep row order
    placed = later if presorted else sorted(later, key=keys.__getitem__)
    # The bisections of rows in key order probe the same middles first: each of those
    # keys is read once (a page of 1,000 into 300k rows: ~2x fewer key reads).
    probed: dict[int, SortKey] = {}

    def probe(row: int) -> SortKey:
        value = probed.get(row)
        if value is None:
            value = probed[row] = key(row)
        return value

    merged: list[int] = []
    previous = 0
    for row in placed:
        at = bisect_right(target, keys[row], lo=previous, key=probe)
        merged += target[previous:at]
        merged.append(row)
        previous = at
    merged += target[previous:]
    return merged


class SortPass:
    """`rows` (ascending row numbers) sorted by `key`, a bounded step at a time."""

    def __init__(
        self,
        rows: list[int],
        key: Callable[[int], SortKey],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._key = key
        self._clock = clock
        self._unsorted: list[int] = rows  # not in a run yet, from `_taken` on
        self._taken = 0
        self._runs: list[list[int]] = []  # sorted, in row-range order
        self._merge: Iterator[int] | None = None  # merging `_runs[:_merging]`
        self._merging = 0
        self._merged: list[int] = []
        self._placed = 0  # rows of `_runs[1]` placed into `_runs[0]` so far
        self._dead: set[int] = set()
        self._purged = True  # no dead row can be in a run
        self._done = False
        # Rows a step of each phase handles (bisection reads ~20 keys a row at 1M).
        self._step_rows = {"chunk": FIRST_ROWS, "merge": FIRST_ROWS, "insert": MIN_ROWS}

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
            self._timed("merge", MERGE_ROWS, self._merge_step)
        elif self._taken < len(self._unsorted):
            self._timed("chunk", CHUNK_ROWS, self._sort_chunk)
        elif len(self._runs) > 1:
            if self._few_later_rows():
                self._timed("insert", INSERT_ROWS, self._place_rows)
            else:
                if self._placed:  # what is left of a run partly placed by bisection
                    self._runs[1] = self._runs[1][self._placed :]
                    self._placed = 0
                self._merging = len(self._runs)
                self._merge = heapq.merge(*self._runs, key=self._key)
                self._timed("merge", MERGE_ROWS, self._merge_step)
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

    def _timed(self, phase: str, cap: int, step: Callable[[int], int]) -> None:
        """Run `step` over at most its learnt number of rows; learn from its time."""
        rows = max(1, min(cap, self._step_rows[phase]))
        began = self._clock()
        handled = step(rows)
        seconds = self._clock() - began
        if handled >= rows // 2 and seconds > 0:  # a full step: its time tells the cost
            learnt = int(handled * STEP_SECONDS / seconds)
            self._step_rows[phase] = max(MIN_ROWS, min(cap, learnt))

    def _alive(self, rows: list[int]) -> list[int]:
        return list(filterfalse(self._dead.__contains__, rows)) if self._dead else rows

    def _sort_chunk(self, budget: int) -> int:
        end = self._taken + budget
        chunk = self._alive(self._unsorted[self._taken : end])
        self._taken = min(end, len(self._unsorted))
        if self._taken == len(self._unsorted):  # every row is in a run: let the list go
            self._unsorted, self._taken = [], 0
        # Its keys alive at once are a chunk's (so the long-key prefix sort is not needed).
        chunk.sort(key=self._key)
        if chunk:
            self._runs.append(chunk)
        return len(chunk)

    def _merge_step(self, budget: int) -> int:
        assert self._merge is not None
        block = list(islice(self._merge, budget))
        self._merged += self._alive(block)
        if len(block) < budget:  # the merge has run out
            self._runs[: self._merging] = [self._merged]
            self._merge, self._merging, self._merged = None, 0, []
            self._placed = 0
        return len(block)

    def _few_later_rows(self) -> bool:
        """The runs after the first are few rows beside it: placing each by bisection
        (log2(n) key reads) costs less than merging every row again (one each)."""
        first = len(self._runs[0])
        later = sum(len(run) for run in self._runs[1:]) - self._placed
        return later * math.log2(first + 2) <= first

    def _place_rows(self, budget: int) -> int:
        """The next rows of the second run into the first (`merge_in`: the rows of a later
        run, in its sorted order, each after the equal keys already there)."""
        first, second = self._runs[0], self._runs[1]
        rows = self._alive(second[self._placed : self._placed + budget])
        self._placed += budget
        self._runs[0] = merge_in(first, rows, self._key, presorted=True)
        if self._placed >= len(second):
            del self._runs[1]
            self._placed = 0
        return budget
