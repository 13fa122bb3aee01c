"""One list request on screen: its rows (kept through a reload) and its load state."""

from __future__ import annotations

from dataclasses import dataclass

from bindings_tui.errors import BindingsError
from bindings_tui.rows import BindingRows


@dataclass(slots=True)
class LoadState:
    """Progress of one list request (the service's list, or an identity query)."""

    pages: int = 0
    done: bool = False
    error: BindingsError | None = None


class Listing:
    """The rows of one list request. A reload lists into `incoming` while `shown` stays on
    screen; `incoming` replaces it only once complete, so a reload that fails keeps every
    row already loaded (and the status line says they are stale)."""

    def __init__(self, rows: BindingRows) -> None:
        self.shown = rows
        self.incoming: BindingRows | None = None
        self.state = LoadState()
        self.stale = False  # the last reload failed: `shown` is the list from before

    def restart(self) -> None:
        fresh = self.shown.successor()
        if self.shown.loaded_count:
            self.incoming = fresh
        else:
            self.shown, self.incoming = fresh, None
        self.state = LoadState()
        self.stale = False

    @property
    def target(self) -> BindingRows:
        """Where arriving pages go."""
        return self.incoming if self.incoming is not None else self.shown

    @property
    def reloading(self) -> bool:
        return self.incoming is not None

    def complete(self) -> bool:
        """The listing finished: the new list replaces the shown one. True if swapped."""
        if self.incoming is None:
            return False
        self.incoming.adopt_marks(self.shown)
        self.shown, self.incoming = self.incoming, None
        return True

    def fail(self, error: BindingsError, pages: int) -> None:
        self.state.error = error
        self.state.pages = pages
        if self.incoming is not None:
            self.incoming = None
            self.stale = True

    def kept(self) -> int | None:
        """How many rows of an older list are on screen, when that is the case."""
        return self.shown.loaded_count if (self.reloading or self.stale) else None

    def row_sets(self) -> list[BindingRows]:
        """The shown rows, and the incoming ones while a reload runs."""
        return [self.shown] if self.incoming is None else [self.shown, self.incoming]
