"""Messages workers post back to the browser screen (workers never touch widgets).

Dataclasses with explicit fields: a list result names its `Ticket` (scope and generation),
a diagnosis its generation and `Scope`. Progress messages coalesce: a newer one queued
behind an older one replaces it (Textual's `can_replace`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

from bindings_tui.browse import Scope, Ticket, WatchState
from bindings_tui.browse.report_index import ReportIndex
from bindings_tui.deletes import DeleteResult
from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.errors import BindingsError
from bindings_tui.models import Binding
from bindings_tui.watch import WatchNotice


@dataclass(eq=False)
class PagesLoaded(Message):
    """One or more pages of `ticket`'s request arrived (`done`: it has ended)."""

    ticket: Ticket
    bindings: list[Binding]
    pages: int
    done: bool


@dataclass(eq=False)
class LoadFailed(Message):
    """`ticket`'s request ended with `error` after `pages` page(s)."""

    ticket: Ticket
    error: BindingsError
    pages: int


@dataclass(eq=False)
class BindingDeleted(Message):
    """The binding is gone (deleted now, or found missing): `result` says which."""

    binding: Binding
    result: DeleteResult


@dataclass(eq=False)
class DeleteFailed(Message):
    """The binding is (or may be) still there: `result` says why."""

    binding: Binding
    result: DeleteResult


@dataclass(eq=False)
class DeleteProgress(Message):
    """`done` of `total` deletes have ended, `failed` of them not deleted."""

    done: int
    total: int
    failed: int
    finished: bool

    def can_replace(self, message: Message) -> bool:
        # Counts are cumulative: the newest progress of the same run says it all.
        return (
            not self.finished
            and isinstance(message, DeleteProgress)
            and message.total == self.total
        )


@dataclass(eq=False)
class ServiceFetched(Message):
    sid: str
    friendly_name: str | None


@dataclass(eq=False)
class DiagnosisReady(Message):
    """Findings for the loaded bindings of `scope` (the service, or only an identity
    query's result while the full list still loads)."""

    generation: int
    report: DiagnosisReport
    scope: Scope
    index: ReportIndex  # its lookups, built in the worker's thread


@dataclass(eq=False)
class DiagnosisFailed(Message):
    """The push diagnosis could not run; the findings line says so (never waits)."""

    generation: int
    error: BindingsError


@dataclass(eq=False)
class WatchRefreshed(Message):
    """The watched list, listed again at `at` (`state`: which watch it is for)."""

    state: WatchState
    bindings: tuple[Binding, ...]
    at: datetime


@dataclass(eq=False)
class WatchNoticed(Message):
    """The watch is paused, rate limited, or a refresh failed (it goes on)."""

    state: WatchState
    notice: WatchNotice


@dataclass(eq=False)
class WatchEnded(Message):
    """The watch stopped on an error that waiting will not heal (auth, no service)."""

    state: WatchState
    error: BindingsError
