"""The browse session without Textual: feed it pages, failures and deletes; check what it
keeps, what it tells its observers, and that the service list and the identity overlay
always agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bindings_tui.browse import BrowseSession, Change, Scope, Ticket
from bindings_tui.browse.loading import list_pages
from bindings_tui.browse.report_index import ReportIndex
from bindings_tui.client import TwilioClient
from bindings_tui.deletes import delete_many
from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    Finding,
    FindingKind,
    Severity,
    findings_by_sid,
)
from bindings_tui.errors import BindingsError, NetworkError
from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.rows import Column, Origin, Sort
from bindings_tui.textsafe import make_visible

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ORIGIN = Origin(ApiFlavor.CONVERSATIONS, "IS" + "0" * 32)


def make(n: int, identity: str = "alice", kind: str = "apn") -> Binding:
    return Binding.from_json(
        {
            "sid": f"BS{n:032x}",
            "identity": identity,
            "binding_type": kind,
            "endpoint": f"endpoint-{n}",
            "message_types": ["new_message"],
            "date_updated": (NOW - timedelta(days=n)).isoformat(),
        }
    )


def report_for(bindings: list[Binding], findings: list[Finding] | None = None) -> DiagnosisReport:
    return DiagnosisReport(
        ORIGIN.service_sid,
        ORIGIN.api,
        NOW,
        DiagnosticsSettings(),
        bindings,
        findings or [],
        {},
    )


class Recorder:
    def __init__(self, session: BrowseSession) -> None:
        self.changes: list[Change] = []
        session.subscribe(self.changes.append)

    def all(self) -> Change:
        seen = Change(0)
        for change in self.changes:
            seen |= change
        self.changes.clear()
        return seen


def sids(bindings: object) -> list[str]:
    return [b.sid for b in bindings]  # type: ignore[attr-defined]


def loaded_session(bindings: list[Binding]) -> tuple[BrowseSession, Ticket]:
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    session.pages_arrived(ticket, bindings, 1, True)
    return session, ticket


# ---- loading and tickets -----------------------------------------------------------------


def test_pages_of_the_current_request_land_and_older_ones_are_dropped() -> None:
    session = BrowseSession(ORIGIN)
    seen = Recorder(session)
    old = session.start_load()
    new = session.start_load()
    assert old.scope is Scope.SERVICE and new.generation == old.generation + 1
    assert session.pages_arrived(old, [make(1)], 1, False) is None
    assert session.rows.loaded_count == 0
    seen.all()
    session.pages_arrived(new, [make(2), make(3)], 1, False)
    assert sids(session.rows.in_view()) == [make(2).sid, make(3).sid]
    assert session.load_state.pages == 1 and not session.load_state.done
    assert Change.ROWS in seen.all()
    assert not session.load_failed(old, NetworkError("gone"), 0)
    assert session.load_state.error is None


def test_the_whole_list_is_diagnosed_once_it_has_loaded() -> None:
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    assert session.pages_arrived(ticket, [make(1)], 1, False) is None
    request = session.pages_arrived(ticket, [make(2)], 2, True)
    assert request is not None and request.scope is Scope.SERVICE and request.report is None
    assert sids(request.bindings) == [make(1).sid, make(2).sid]
    assert session.diagnosis_status == "diagnosing…"
    report = report_for(request.bindings)
    session.diagnosis_ready(request.generation - 1, report, Scope.SERVICE)  # stale
    assert session.report is None
    session.diagnosis_ready(request.generation, report, Scope.SERVICE)
    assert session.report is report and session.report_scope == "service"
    assert session.diagnosis_status is None


def test_the_report_index_given_is_kept_and_one_is_built_when_none_is() -> None:
    """The TUI builds a report's per-binding lookups off the loop and hands them over;
    the session keeps that very index, and builds one itself only when none is given."""
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    request = session.pages_arrived(ticket, [make(1), make(2)], 1, True)
    assert request is not None
    pile = Finding(FindingKind.PILE_UP, Severity.WARNING, (make(2).sid,), "alice", "pile")
    report = report_for(list(request.bindings), [pile])
    given = ReportIndex.of(report.findings)
    session.diagnosis_ready(request.generation, report, Scope.SERVICE, given)
    assert session.report_index is given
    assert session.findings_index is given.findings
    built = BrowseSession(ORIGIN)
    ticket = built.start_load()
    request = built.pages_arrived(ticket, [make(1), make(2)], 1, True)
    assert request is not None
    built.diagnosis_ready(request.generation, report, Scope.SERVICE)
    assert built.report_index.findings == findings_by_sid(report.findings)
    assert built.report_index.severity == {make(2).sid: Severity.WARNING}
    assert built.report_index.alerted == set()


def test_a_reload_keeps_the_rows_until_the_new_list_is_complete() -> None:
    session, _ = loaded_session([make(1), make(2)])
    session.rows.toggle_mark(make(2).sid)
    before = session.rows
    reload = session.start_load()
    assert session.rows is before and session.listing.kept() == 2
    session.pages_arrived(reload, [make(2)], 1, False)
    assert session.rows is before  # still the old list on screen
    session.pages_arrived(reload, [make(3)], 2, True)
    assert session.rows is not before
    assert sids(session.rows.in_view()) == [make(2).sid, make(3).sid]
    assert session.rows.marks == {make(2).sid}  # marks of rows still there carry over
    assert session.listing.kept() is None


def test_a_failed_reload_keeps_every_row_and_the_findings_line_never_waits() -> None:
    session, _ = loaded_session([make(1), make(2)])
    session.forget_diagnosis()
    reload = session.start_load()
    session.pages_arrived(reload, [make(1)], 1, False)
    assert session.load_failed(reload, NetworkError("server down"), 1)
    assert sids(session.rows.in_view()) == [make(1).sid, make(2).sid]
    assert session.listing.stale and session.listing.kept() == 2
    assert session.diagnosis_status == "not available: the list did not load completely"


def test_a_failed_reload_keeps_the_report_of_the_list_before() -> None:
    session, first = loaded_session([make(1)])
    report = report_for([make(1)])
    session.diagnosis_ready(session.diagnosis_generation, report, Scope.SERVICE)
    reload = session.start_load()
    assert session.report is report
    assert session.diagnosis_status == "of the list loaded before this reload"
    session.load_failed(reload, BindingsError("boom"), 0)
    assert session.report is report
    assert session.diagnosis_status == "of the list loaded before; the reload failed"
    assert first != reload


# ---- the identity overlay, and both views agreeing ------------------------------------------


def test_the_identity_overlay_is_shown_beside_the_loading_list() -> None:
    session = BrowseSession(ORIGIN)
    seen = Recorder(session)
    service = session.start_load()
    session.pages_arrived(service, [make(1, "bob")], 1, False)
    query = session.start_identity_query(("alice",))
    assert query.scope is Scope.IDENTITY
    assert Change.NEW_VIEW in seen.all()
    request = session.pages_arrived(query, [make(2, "alice")], 1, True)
    # Finished first: the identity is diagnosed on its own meanwhile.
    assert request is not None and request.scope is Scope.IDENTITY
    assert session.active_rows is session.identity_rows
    assert sids(session.active_rows.in_view()) == [make(2).sid]
    seen.all()
    session.pages_arrived(service, [make(3, "alice")], 2, False)
    assert Change.ROWS not in seen.all()  # the table shows the overlay, untouched
    assert sids(session.devices_of("alice")) == [make(2).sid, make(3).sid]
    session.stop_identity_query()
    assert Change.NEW_VIEW in seen.all()
    assert session.active_rows is session.rows and session.identity_rows is None
    assert session.pages_arrived(query, [make(4, "alice")], 2, True) is None  # stale now


def test_a_delete_leaves_both_views_and_never_comes_back_with_a_later_page() -> None:
    session = BrowseSession(ORIGIN)
    service = session.start_load()
    doomed, kept = make(1, "alice"), make(2, "alice")
    session.pages_arrived(service, [doomed], 1, False)
    query = session.start_identity_query(("alice",))
    session.pages_arrived(query, [doomed, kept], 1, True)
    session.begin_delete([doomed])
    assert all(doomed.sid in rows.pending for rows in session.row_sets())
    session.binding_gone(doomed.sid)
    for rows in session.row_sets():
        assert doomed.sid not in rows and doomed.sid not in rows.pending
    session.pages_arrived(service, [doomed, kept], 2, True)  # a page listed before the delete
    assert doomed.sid not in session.rows and kept.sid in session.rows
    assert sids(session.devices_of("alice")) == [kept.sid]


def test_a_failed_delete_stops_dimming_in_both_views() -> None:
    session = BrowseSession(ORIGIN)
    service = session.start_load()
    binding = make(1)
    session.pages_arrived(service, [binding], 1, False)
    query = session.start_identity_query(("alice",))
    session.pages_arrived(query, [binding], 1, True)
    session.begin_delete([binding])
    session.delete_failed(binding.sid)
    assert all(binding.sid in rows and not rows.pending for rows in session.row_sets())


def test_filter_sort_and_findings_apply_to_both_views_and_survive_a_reload() -> None:
    session = BrowseSession(ORIGIN)
    service = session.start_load()
    rows = [make(1, "alice", "apn"), make(2, "alice", "fcm"), make(3, "bob", "fcm")]
    session.pages_arrived(service, rows, 1, False)
    query = session.start_identity_query(("alice",))
    session.pages_arrived(query, rows[:2], 1, True)
    session.set_filter(parse_query("alice"), TypeFilter(frozenset({"fcm"})))
    session.set_sort(Sort(Column.UPDATED, descending=True))
    for view in session.row_sets():
        assert view.query.text == "alice" and view.type_filter.selected == {"fcm"}
        assert view.sort == Sort(Column.UPDATED, descending=True)
    assert sids(session.rows.in_view()) == [rows[1].sid]
    # A warning kind (stale is information now: `f`'s first step leaves it out).
    finding = Finding(FindingKind.PILE_UP, Severity.WARNING, (rows[1].sid,), "alice", "pile")
    session.diagnosis_ready(
        session.diagnosis_generation, report_for(rows, [finding]), Scope.IDENTITY
    )
    assert session.cycle_findings() == "all"
    assert all(view.restriction == {rows[1].sid} for view in session.row_sets())
    reloads = session.reload()
    assert [t.scope for t in reloads] == [Scope.SERVICE, Scope.IDENTITY]
    for view in session.row_sets():
        assert view.query.text == "alice" and view.restriction == {rows[1].sid}


def test_the_end_of_a_bulk_delete_recomputes_the_findings_without_the_network() -> None:
    session, _ = loaded_session([make(1), make(2), make(3)])
    report = report_for([make(1), make(2), make(3)])
    session.diagnosis_ready(session.diagnosis_generation, report, Scope.SERVICE)
    session.begin_delete([make(1), make(2)])
    assert session.delete_progress == "Deleting 0 of 2…"
    session.binding_gone(make(1).sid)
    assert session.delete_progressed(1, 2, 0, False) is None
    assert session.delete_progress == "Deleting 1 of 2…"
    session.delete_failed(make(2).sid)
    request = session.delete_progressed(2, 2, 1, True)
    assert request is not None and request.report is report
    assert sids(request.bindings) == [make(2).sid, make(3).sid]
    assert session.delete_progress is None


# ---- the API switch: rows stay bound to where they came from -------------------------------


def test_a_session_of_the_other_api_carries_the_view_not_the_origin() -> None:
    first = BrowseSession(ORIGIN)
    first.set_filter(parse_query("alice"), TypeFilter(frozenset({"twilsock", "apn"})))
    first.set_sort(Sort(Column.IDENTITY))
    other = BrowseSession(Origin(ApiFlavor.CHAT, ORIGIN.service_sid), carry_from=first)
    assert first.origin.api is ApiFlavor.CONVERSATIONS  # the first session is untouched
    assert other.rows.origin == Origin(ApiFlavor.CHAT, ORIGIN.service_sid)
    assert other.rows.query.text == "alice" and other.rows.sort == Sort(Column.IDENTITY)
    assert other.rows.type_filter.selected == {"apn"}  # Chat v2 has no twilsock
    ticket = first.start_load()
    first.start_identity_query(("alice",))
    first.pages_arrived(ticket, [make(1)], 1, True)
    assert all(rows.origin == ORIGIN for rows in first.row_sets())


async def test_rows_listed_and_deleted_go_to_the_sessions_own_api() -> None:
    """The picker's API switch once desynced the browser: its rows were Conversations v1
    but the delete went to Chat v2. A session's rows and deletes use its origin only."""
    fake = FakeTwilio(FakeConfig(seed=7, bindings=40, latency_ms=0))
    service_sid = fake.service_sids()[0]
    session = BrowseSession(Origin(ApiFlavor.CONVERSATIONS, service_sid))
    switched = BrowseSession(Origin(ApiFlavor.CHAT, service_sid), carry_from=session)
    clients = {
        api: TwilioClient(
            fake.credentials(), api, base_url=FAKE_BASE_URL, transport=fake.transport()
        )
        for api in ApiFlavor
    }
    try:
        ticket = session.start_load()
        failures: list[BindingsError] = []
        await list_pages(
            clients[session.origin.api],
            service_sid,
            (),
            page_size=None,
            split_by_type=None,
            on_pages=lambda items, pages, done: session.pages_arrived(ticket, items, pages, done),
            on_failed=lambda error, pages: failures.append(error),
            as_error=lambda exc, what: BindingsError(make_visible(what)),
        )
        assert not failures and session.load_state.done
        assert {b.sid for b in session.rows.loaded()} == fake.binding_sids(
            ApiFlavor.CONVERSATIONS, service_sid
        )
        doomed = session.rows.loaded()[0]
        assert switched.origin.api is ApiFlavor.CHAT  # another session, another screen
        origin = session.rows.origin
        assert origin is not None
        results = await delete_many(clients[origin.api], origin.service_sid, [doomed.sid])
        assert [r.outcome.gone for r in results] == [True]
        assert any(
            r.method == "DELETE" and r.path == f"/v1/Services/{service_sid}/Bindings/{doomed.sid}"
            for r in fake.requests
        )
        assert not any(r.path.startswith("/v2/") for r in fake.requests)
        assert doomed.sid not in fake.binding_sids(ApiFlavor.CONVERSATIONS, service_sid)
    finally:
        for client in clients.values():
            await client.aclose()
