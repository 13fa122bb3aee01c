"""The rows of a set of SIDs (what `f` shows: the bindings the findings name), in slices.

At a million rows, the 450k SIDs the findings named were looked up one by one
(`BindingStore.row_of`: a hash bucket searched, the row's SID rebuilt to compare), which
held the screen 2-3 s at each `f`. Here the SIDs are packed to the store's own 16 bytes,
then the store's packed SIDs are read, one set lookup a row: both a slice at a time
(`step`), so a filter pass can take the rows between frames (`filter_pass`).

No textual import here: this module is core.
"""

from __future__ import annotations

from typing import Final

from bindings_tui.binding_store import BindingStore, pack_sid

# About 15 ms each on the 2-core benchmark machine (0.3 us to pack a SID, 0.15 us a row read).
PACK_SIDS: Final = 50_000  # SIDs packed per step
SCAN_ROWS: Final = 100_000  # store rows read per step


class RestrictionRows:
    """Which rows of `store` hold one of `sids`; `rows` is whole once `done`. Rows the
    store gains meanwhile are read too (until done: then the caller adds new ones)."""

    def __init__(self, store: BindingStore, sids: frozenset[str]) -> None:
        self._store = store
        self.sids = sids
        self._unpacked = list(sids)
        self._packed: set[bytes] = set()
        self._scanned = 0  # rows [0, scanned) read
        self.rows: set[int] = set()

    @property
    def done(self) -> bool:
        return not self._unpacked and self._scanned >= len(self._store)

    def step(self) -> bool:
        """One slice of the work; True once `rows` is whole."""
        if self._unpacked:
            batch = self._unpacked[-PACK_SIDS:]
            del self._unpacked[-PACK_SIDS:]
            for sid in batch:
                packed = pack_sid(sid)
                if packed is not None:
                    self._packed.add(packed)
                else:  # kept as it came: found through the SID index
                    row = self._store.row_of(sid)
                    if row is not None:
                        self.rows.add(row)
            return self.done
        end = min(len(self._store), self._scanned + SCAN_ROWS)
        self.rows.update(self._store.rows_with_packed_sids(self._packed, self._scanned, end))
        self._scanned = end
        return self.done

    def finish(self) -> set[int]:
        while not self.done:
            self.step()
        return self.rows
