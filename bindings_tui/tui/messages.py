"""Messages workers post back to the browser screen (workers never touch widgets)."""

from __future__ import annotations

from textual.message import Message

from bindings_tui.deletes import DeleteResult
from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.errors import BindingsError
from bindings_tui.models import Binding


class PagesLoaded(Message):
    """One or more pages arrived. `generation` tells stale loads apart."""

    def __init__(self, generation: int, bindings: list[Binding], pages: int, done: bool) -> None:
        super().__init__()
        self.generation = generation
        self.bindings = bindings
        self.pages = pages
        self.done = done


class LoadFailed(Message):
    def __init__(self, generation: int, error: BindingsError, pages: int) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
        self.pages = pages


class BindingDeleted(Message):
    """The binding is gone (deleted now, or found missing): `result` says which."""

    def __init__(self, binding: Binding, result: DeleteResult) -> None:
        super().__init__()
        self.binding = binding
        self.result = result


class DeleteFailed(Message):
    """The binding is (or may be) still there: `result` says why."""

    def __init__(self, binding: Binding, result: DeleteResult) -> None:
        super().__init__()
        self.binding = binding
        self.result = result


class DeleteProgress(Message):
    def __init__(self, done: int, total: int, failed: int, finished: bool) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.failed = failed
        self.finished = finished


class ServiceFetched(Message):
    def __init__(self, sid: str, friendly_name: str | None) -> None:
        super().__init__()
        self.sid = sid
        self.friendly_name = friendly_name


class DiagnosisReady(Message):
    """Findings for the loaded bindings. `scope` says what was diagnosed (the service, or
    only an identity query's result while the full list still loads)."""

    def __init__(self, generation: int, report: DiagnosisReport, scope: str) -> None:
        super().__init__()
        self.generation = generation
        self.report = report
        self.scope = scope


class DiagnosisFailed(Message):
    """The push diagnosis could not run; the findings line says so (never waits)."""

    def __init__(self, generation: int, error: BindingsError) -> None:
        super().__init__()
        self.generation = generation
        self.error = error
