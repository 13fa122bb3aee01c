"""One filter run over a store's rows, in slices: the first screenful first, the rest later.

At a million rows a filter takes a few hundred milliseconds; run in one go it froze the
screen for every keystroke. A pass instead tests the candidates in display order until
it has a screenful of matches (what the table shows at once), and the caller runs the
remaining `step`s between other work. A newer filter simply starts a newer pass.

A big remainder is not tested row by row in display order (for a sorted view that
visits haystacks at random): the pass scans the store's joined haystacks chunk by chunk
in memory order (`str.find` over thousands of rows at once) into a mask, then walks the
candidates keeping the masked ones.

No textual import here: this module is core.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Final

from bindings_tui.binding_store import ROW_SEPARATOR, BindingStore
from bindings_tui.filtering import Query, TypeFilter
from bindings_tui.restriction_rows import RestrictionRows

# Step sizes: about 20 ms each on the 2-core benchmark machine (a row tested where it is
# costs about 2 us; a row of a chunk scanned, under 1 us; a masked row walked, 40 ns).
FIRST_MATCHES: Final = 120  # a screenful (and some) before the first answer
HEAD_ROWS: Final = 10_000  # rows tested, at most, before the first answer
TEST_ROWS: Final = 10_000  # rows tested where they are per later step
SLICE_ROWS: Final = 25_000  # rows of chunks scanned per later step
WALK_ROWS: Final = 250_000  # candidates walked per step once the mask is whole


class FilterPass:
    """Which of `order` (rows in display order) match `query`, `types` and `allowed`."""

    def __init__(
        self,
        store: BindingStore,
        order: Sequence[int],
        query: Query,
        types: TypeFilter,
        allowed: set[int] | frozenset[int] | RestrictionRows | None,
        *,
        owned: bool = False,
    ) -> None:
        self._store = store
        # A copy: the caller's list (the rows' base or view) grows while the pass runs.
        # `owned`: `order` is a list made for this pass (a million-row copy is 5 ms).
        self._order = order if owned and isinstance(order, list) else list(order)
        self._query = query
        self._types = types
        # Rows of a restriction still being found: the first screenful tests each row's
        # SID; the later steps find the rows first (a slice a step), then test against them.
        self._finding = allowed if isinstance(allowed, RestrictionRows) else None
        self._allowed = allowed
        self._position = 0  # order[:position] tested; their matches are in `matched`
        self.matched: list[int] = []
        self._mask: bytearray | None = None
        self._chunks_scanned = 0
        self._keep = self._row_filter()

    @property
    def done(self) -> bool:
        return self._position >= len(self._order)

    def untested(self) -> list[int]:
        """Matches so far, then the rows not tested yet, in display order: every row a
        narrower filter can still match. A new list, made with one copy: each key typed
        while a filter runs at 1M asks for it (three copies of it were 24 ms)."""
        matched, position = self.matched, self._position
        # The matches are some of order[:position], so they fit in its tail's place.
        out = self._order[position - len(matched) :]
        out[: len(matched)] = matched
        return out

    def run(self, *, first: bool = False) -> bool:
        """One step (the first answers a screenful); True when the pass is done."""
        if first:
            self._test_rows(HEAD_ROWS, stop_after=FIRST_MATCHES)
            return self.done
        if self._finding is not None and not self.done:
            if self._finding.step():
                self._finding = None
                self._keep = self._row_filter()  # the rows, now whole
            return self.done
        remaining = len(self._order) - self._position
        if self._mask is None and remaining <= max(SLICE_ROWS, len(self._store) // 8):
            self._test_rows(TEST_ROWS)  # few rows left: test them where they are
        elif self._mask is None or self._chunks_scanned < self._store.chunk_count():
            self._scan_chunks(SLICE_ROWS)
        else:
            self._walk(WALK_ROWS)
        return self.done

    def extend(self, rows: Sequence[int]) -> None:
        """Rows appended to the store (and to the end of the display order) while the pass
        runs: tested in their turn, so a page arriving mid-pass does not finish it at once."""
        self._order.extend(rows)
        # The type test knows the store's kinds by number: a page may bring new ones.
        self._keep = self._row_filter()
        if self._mask is not None:
            self._mask.extend(bytes(len(self._store) - len(self._mask)))

    def finish(self) -> list[int]:
        while not self.done:
            self.run()
        return self.matched

    # ---- steps ------------------------------------------------------------------------------

    @property
    def allowed_rows(self) -> set[int] | frozenset[int] | None:
        """The restriction's rows, once whole (None: no restriction, or still finding)."""
        allowed = self._allowed
        if isinstance(allowed, RestrictionRows):
            return allowed.rows if allowed.done else None
        return allowed

    def _row_filter(self) -> Callable[[int], bool] | None:
        """The type and restriction test, or None when neither applies."""
        store, restriction = self._store, self._allowed
        allowed: Callable[[int], bool] | None = None
        if isinstance(restriction, RestrictionRows):
            if restriction.done:
                allowed = restriction.rows.__contains__
            else:  # the first screenful: each row's SID asked
                only, sid_of = restriction.sids, store.sid

                def allowed(row: int) -> bool:
                    return sid_of(row) in only

        elif restriction is not None:
            allowed = restriction.__contains__
        selected = None if self._types.is_empty else self._types.selected
        if selected is None:
            return allowed
        codes = store.kind_code
        kinds = store.kinds()
        wanted = {code for code, kind in enumerate(kinds) if kind[7] in selected}

        def keep(row: int) -> bool:
            code = codes(row)
            ok = code in wanted if code >= 0 else store.type_lower(row) in selected
            return ok and (allowed is None or allowed(row))

        return keep

    def _test_rows(self, budget: int, stop_after: int | None = None) -> None:
        order, keep, matched = self._order, self._keep, self.matched
        hay = self._store.hay
        matches = self._query.matches
        everything = self._query.is_empty
        end = min(len(order), self._position + budget)
        position = self._position
        while position < end:
            row = order[position]
            position += 1
            if (keep is None or keep(row)) and (everything or matches(hay(row))):
                matched.append(row)
                if stop_after is not None and len(matched) >= stop_after:
                    break
        self._position = position

    def _scan_chunks(self, budget: int) -> None:
        if self._mask is None:
            self._mask = bytearray(len(self._store))
        mask = self._mask
        scanned = 0
        store = self._store
        while self._chunks_scanned < store.chunk_count() and scanned < budget:
            start, hay, offsets = store.chunk(self._chunks_scanned)
            for local in matching_rows(self._query, hay, offsets):
                mask[start + local] = 1
            scanned += len(offsets) - 1
            self._chunks_scanned += 1

    def _walk(self, budget: int) -> None:
        mask, keep = self._mask, self._keep
        assert mask is not None
        end = min(len(self._order), self._position + budget)
        block = self._order[self._position : end]
        if keep is None:
            self.matched += [row for row in block if mask[row]]
        else:
            self.matched += [row for row in block if mask[row] and keep(row)]
        self._position = end


def matching_rows(query: Query, hay: str, offsets: Sequence[int]) -> list[int]:
    """Local row numbers (0..) of a chunk's joined haystacks that `query` matches."""
    count = len(offsets) - 1
    if query.is_empty:
        return list(range(count))
    literal = query.needle if query.pattern is None else (query.required or ("",))[0]
    if not literal or ROW_SEPARATOR in literal:
        return [i for i in range(count) if query.matches(hay[offsets[i] : offsets[i + 1] - 1])]
    # Rows that hold the literal, found by str.find over the whole chunk.
    holding: list[int] = []
    find = hay.find
    at = find(literal)
    while at >= 0:
        local = bisect_right(offsets, at) - 1
        holding.append(local)
        at = find(literal, offsets[local + 1])
    if query.pattern is not None:
        search = query.pattern.search
        holding = [i for i in holding if search(hay[offsets[i] : offsets[i + 1] - 1]) is not None]
    if not query.inverted:
        return holding
    out = bytearray(b"\x01") * count
    for i in holding:
        out[i] = 0
    return [i for i in range(count) if out[i]]
