"""After a new filter the cursor goes to the first match (issue 17): the session says so
(`Change.TO_FIRST_MATCH`) once the first match is known, even when a long filter finds
it only in a later slice. Clearing the filters, a sort or a page keeps the cursor's row."""

from __future__ import annotations

from bindings_tui.browse import BrowseSession, Change
from bindings_tui.filter_pass import HEAD_ROWS
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.rows import Column, Sort
from browse.test_session import ORIGIN, Recorder, loaded_session, make


def test_a_new_filter_sends_the_cursor_to_its_first_match() -> None:
    session, _ = loaded_session([make(n, f"user{n % 5}") for n in range(40)])
    seen = Recorder(session)
    session.set_filter(parse_query("user3"), TypeFilter())
    change = seen.all()
    assert Change.ROWS in change and Change.TO_FIRST_MATCH in change
    first = session.active_rows.binding_at(0)
    assert first is not None and first.sid == make(3).sid  # the first match in view order


def test_a_type_toggle_and_a_findings_choice_are_new_filters_too() -> None:
    session, _ = loaded_session([make(n, kind="apn" if n % 2 else "fcm") for n in range(10)])
    seen = Recorder(session)
    session.set_filter(parse_query(""), TypeFilter(frozenset({"fcm"})))
    assert Change.TO_FIRST_MATCH in seen.all()
    session.set_finding_choice(None)  # still the fcm filter: its first match again
    assert Change.TO_FIRST_MATCH in seen.all()


def test_a_long_filter_sends_the_cursor_once_its_first_match_turns_up() -> None:
    # The only match lies past the first slice: the first answer is empty, still filtering.
    count = HEAD_ROWS + 2_000
    bindings = [make(n, "bob" if n == count - 1 else "alice") for n in range(count)]
    session, _ = loaded_session(bindings)
    at_first_match: list[int] = []

    def observe(change: Change) -> None:
        if change & Change.TO_FIRST_MATCH:
            at_first_match.append(session.active_rows.shown_count)

    session.subscribe(observe)
    session.set_filter(parse_query("bob"), TypeFilter())  # no loop: slices run here
    assert at_first_match == [1]  # once, when the match was known, not before


def test_clearing_sorting_and_pages_keep_the_cursors_row() -> None:
    session, ticket = loaded_session([make(n, f"user{n % 3}") for n in range(30)])
    session.set_filter(parse_query("user1"), TypeFilter())
    seen = Recorder(session)
    session.set_sort(Sort(Column.UPDATED))
    session.pages_arrived(ticket, [make(100, "user1")], 2, True)
    session.clear_filters()
    change = seen.all()
    assert Change.ROWS in change and Change.TO_FIRST_MATCH not in change
    assert session.active_rows.shown_count == 31
    assert session.finding_choice is None and session.rows.restriction is None


def test_two_identities_are_these_identities_in_the_findings_line() -> None:
    from bindings_tui.browse import Scope
    from browse.test_session import report_for

    session = BrowseSession(ORIGIN)
    session.start_load()
    ticket = session.start_identity_query(("alice", "bob"))
    request = session.pages_arrived(ticket, [make(1, "alice"), make(2, "bob")], 1, True)
    assert request is not None and request.scope is Scope.IDENTITY
    session.diagnosis_ready(request.generation, report_for(list(request.bindings)), Scope.IDENTITY)
    assert session.diagnosis_status == "these identities only; the whole list is still loading"
