"""What a watch in the browser shows: which rows are new, changed or gone since it
started, when the last refresh was, and whether it is paused. The session keeps it; the
screen renders it (`Change.WATCH`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from bindings_tui.browse.listing import LoadState
from bindings_tui.rows import BindingRows

# Without an identity query a watch re-lists the whole service every interval: only for
# services this small (an identity query is what a big one needs).
WATCH_MAX_ROWS: Final = 1000


@dataclass(slots=True)
class WatchState:
    """One watch, from `w` until `w` again (or the identity query changes)."""

    identities: tuple[str, ...]  # empty: the whole service
    started: datetime
    last_refresh: datetime | None = None
    paused: bool = False
    notice: str | None = None  # the last problem (rate limited, a failed refresh)
    new: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)

    def forget_marks(self) -> set[str]:
        """A reload starts the picture afresh; returns the gone SIDs (rows to drop)."""
        gone = set(self.gone)
        self.new.clear()
        self.changed.clear()
        self.gone.clear()
        return gone


def watch_refusal(identities: tuple[str, ...], rows: BindingRows, state: LoadState) -> str | None:
    """Why `w` cannot watch now (one line), or None when it can."""
    if identities:
        return None
    if not state.done:
        return "Watch starts once the list has loaded (or query an identity with i)"
    if rows.loaded_count > WATCH_MAX_ROWS:
        return (
            f"Watching re-lists every few seconds: query an identity first (i); without "
            f"one only services of at most {WATCH_MAX_ROWS:,} bindings "
            f"(this one has {rows.loaded_count:,})"
        )
    return None


__all__ = ["WATCH_MAX_ROWS", "WatchState", "watch_refusal"]
