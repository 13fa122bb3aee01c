"""Worker messages: explicit fields, and progress that coalesces."""

from __future__ import annotations

from dataclasses import fields

from bindings_tui.browse import Scope, Ticket
from bindings_tui.errors import NetworkError
from bindings_tui.tui.messages import DeleteProgress, LoadFailed, PagesLoaded


def test_a_list_result_names_its_request_by_scope_and_generation() -> None:
    ticket = Ticket(Scope.IDENTITY, 3)
    page = PagesLoaded(ticket, [], 2, False)
    assert [f.name for f in fields(page)] == ["ticket", "bindings", "pages", "done"]
    assert page.ticket.scope is Scope.IDENTITY and page.ticket.generation == 3
    failed = LoadFailed(ticket, NetworkError("down"), 1)
    assert failed.ticket == ticket and failed.pages == 1


def test_a_newer_progress_of_the_same_run_replaces_a_queued_one() -> None:
    older = DeleteProgress(1, 3, 0, False)
    assert older.can_replace(DeleteProgress(2, 3, 1, False))
    assert not older.can_replace(DeleteProgress(1, 5, 0, False))  # another run
    # The last progress of a run is never dropped: it ends the run (summary, findings).
    assert not DeleteProgress(3, 3, 0, True).can_replace(DeleteProgress(1, 3, 0, False))
