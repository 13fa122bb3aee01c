"""Push diagnostics in the TUI, checked against the anomalies the fake seeded."""

from __future__ import annotations

import io
import re
import threading
from typing import Any

import httpx
from rich.console import Console
from textual.widgets import Static

from bindings_tui.browse import ALERT_FINDINGS
from bindings_tui.browse.report_index import ReportIndex
from bindings_tui.diagnostics import FindingKind, Severity
from bindings_tui.fake_twilio.anomalies import seeded_anomalies
from bindings_tui.fake_twilio.evidence_data import ALERTS_IDENTITY, DEAD_TOKEN_IDENTITY
from bindings_tui.findings import EvidenceSource
from bindings_tui.models import ApiFlavor
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.user import DeleteRequest, UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane
from bindings_tui.tui.widgets.findings_bar import summary_text
from tui.scenarios import (
    PILE_UP_IDENTITY,
    SIZE,
    build,
    type_text,
    wait_first_page,
    wait_for,
    wait_loaded,
)


def kind_sids(screen: Any, kind: FindingKind) -> set[str]:
    assert screen.browse.report is not None
    return {sid for f in screen.browse.report.findings if f.kind is kind for sid in f.binding_sids}


def shown_sids(screen: Any) -> set[str]:
    return {b.sid for b in screen.browse.active_rows.in_view()}


def fake_sids(built: Any) -> set[str]:
    sids: set[str] = built.fake.binding_sids(ApiFlavor.CONVERSATIONS, built.fake.service_sids()[0])
    return sids


async def open_user(
    pilot: Any, *, filter_first: bool, identity: str = PILE_UP_IDENTITY
) -> UserScreen:
    """`u` on `identity`'s row (after filtering the table down to it)."""
    if filter_first:
        await pilot.press("slash")
        await type_text(pilot, f"^{re.escape(identity)}$")
        await pilot.press("enter")
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "the user view")
    user = pilot.app.screen
    assert isinstance(user, UserScreen)
    return user


async def cursor_to(pilot: Any, user: UserScreen, reason: str) -> DeleteRequest:
    """Move the user view's cursor down to the clean-up whose reason says `reason`."""
    for _ in range(10):
        request = user.request_at_cursor()
        if request is not None and reason in request.reason:
            return request
        await pilot.press("down")
    raise AssertionError(f"no clean-up saying {reason!r}")


async def test_findings_match_the_seeded_anomalies() -> None:
    built = build()
    expected = seeded_anomalies(built.fake, built.fake.service_sids()[0])
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        assert screen.browse.report is not None and screen.browse.report_scope == "service"
        assert kind_sids(screen, FindingKind.SHARED_ENDPOINT) == expected.shared_endpoint
        assert kind_sids(screen, FindingKind.STALE) == expected.stale
        assert kind_sids(screen, FindingKind.NO_NEW_MESSAGE) == expected.no_new_message
        assert kind_sids(screen, FindingKind.CREDENTIAL_MISSING) == expected.missing_credential
        assert (
            kind_sids(screen, FindingKind.CREDENTIAL_TYPE_MISMATCH)
            == expected.credential_type_mismatch
        )
        pile_ups = {
            f.identity for f in screen.browse.report.findings if f.kind is FindingKind.PILE_UP
        }
        assert pile_ups == expected.many_stale_apn_identities
        # The row markers carry the most severe finding of each binding.
        markers = pilot.app.screen.query_one(BindingsTable).markers
        for sid in expected.missing_credential:
            assert markers[sid] is Severity.ERROR
        for sid in expected.no_new_message - expected.shared_endpoint:
            assert markers.get(sid) in (Severity.WARNING, Severity.ERROR)


async def test_f_cycles_rows_with_findings_then_each_kind_and_escape_clears() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        total = screen.browse.rows.loaded_count
        assert screen.browse.report is not None
        problems = {
            sid
            for f in screen.browse.report.findings
            if f.severity is not Severity.INFO
            for sid in f.binding_sids
        }
        await pilot.press("f")
        await pilot.pause()
        assert shown_sids(screen) == problems
        assert screen.browse.rows.shown_count < total
        await pilot.press("f")  # the rows Twilio's alerts name next
        await pilot.pause()
        assert screen.browse.finding_choice == ALERT_FINDINGS
        alerted = {
            sid
            for f in screen.browse.report.findings
            if f.evidence is not None and f.evidence.source is EvidenceSource.ALERTS
            for sid in f.binding_sids
        }
        assert alerted and shown_sids(screen) == alerted
        assert pilot.app.screen.query_one(BindingsTable).alerted == alerted
        await pilot.press("f")  # the most severe kind next
        await pilot.pause()
        first_kind = screen.browse.finding_choice
        assert isinstance(first_kind, FindingKind)
        assert shown_sids(screen) == kind_sids(screen, first_kind)
        # The text filter still narrows within the finding filter.
        await pilot.press("slash")
        await type_text(pilot, "zzz-no-such")
        await pilot.press("enter")
        await pilot.pause()
        assert shown_sids(screen) == set()
        await pilot.press("escape")
        await pilot.pause()
        assert screen.browse.finding_choice is None
        assert screen.browse.rows.shown_count == total


async def test_detail_pane_lists_findings_and_the_resolved_credential() -> None:
    built = build()
    expected = seeded_anomalies(built.fake, built.fake.service_sids()[0])
    sid = min(expected.missing_credential)
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, sid.lower())
        await pilot.press("enter")
        await pilot.pause()
        table = pilot.app.screen.query_one(BindingsTable)
        assert table.current is not None and table.current.sid == sid
        body = pilot.app.screen.query_one(DetailPane).query_one("#detail-body", Static)
        console = Console(width=110, record=True, file=io.StringIO())
        console.print(body.content)
        text = console.export_text()
        assert "Credential does not exist" in text
        assert "does not exist" in text.split("credential", 1)[-1]
        assert screen.browse.findings_index[sid]


async def test_user_view_clean_up_deletes_dead_tokens_after_confirmation() -> None:
    """The clean-up evidence backs (Twilio's 52102 naming the token); stale alone is
    information and offers no clean-up."""
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        mine = {b.sid for b in screen.browse.rows.by_identity(DEAD_TOKEN_IDENTITY)}
        dead = kind_sids(screen, FindingKind.DEAD_TOKEN) & mine
        assert mine and dead
        user = await open_user(pilot, filter_first=True, identity=DEAD_TOKEN_IDENTITY)
        assert {b.sid for b in user.bindings} == mine
        assert not any("not updated" in r.reason for r in user._targets.values())
        # Walk to the dead-token clean-up and ask for it: the normal confirmation comes up.
        request = await cursor_to(pilot, user, "token")
        assert {b.sid for b in request.bindings} == dead
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "confirm")
        await pilot.press("n")  # cancel first: nothing goes, and the user view is back
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "the user view")
        assert dead <= fake_sids(built)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back to the browser")

        user = await open_user(pilot, filter_first=False, identity=DEAD_TOKEN_IDENTITY)
        await cursor_to(pilot, user, "token")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: not (dead & fake_sids(built)), "the deletes")
        assert (mine - dead) <= fake_sids(built)  # any others stay
        # The diagnosis follows the deletes: no dead-token finding names a deleted binding.
        await wait_for(
            pilot,
            lambda: not (kind_sids(screen, FindingKind.DEAD_TOKEN) & dead),
            "the diagnosis to follow",
        )


async def test_pile_up_clean_up_keeps_the_newest_binding() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        assert screen.browse.report is not None
        pile = next(
            f
            for f in screen.browse.report.findings
            if f.kind is FindingKind.PILE_UP and f.identity == PILE_UP_IDENTITY
        )
        user = await open_user(pilot, filter_first=True)
        request = await cursor_to(pilot, user, "piled up")  # clean-ups come first
        assert [b.sid for b in request.bindings] == list(pile.binding_sids[1:])
        assert pile.binding_sids[0] not in {b.sid for b in request.bindings}


async def test_identity_query_is_diagnosed_while_the_full_list_loads() -> None:
    built = build(gate=1)  # the full list stalls after its first page
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_first_page(pilot)
        assert screen.browse.report is None
        for gate in built.gates:
            gate.allow = 10_000  # only the identity query's requests come after this
        await pilot.press("i")
        await type_text(pilot, PILE_UP_IDENTITY)
        await wait_for(pilot, lambda: screen.browse.identity_state.done, "the identity query")
        await wait_for(pilot, lambda: screen.browse.report is not None, "the identity's diagnosis")
        assert screen.browse.report_scope == "identity"
        assert not screen.browse.load_state.done
        piles = [f for f in screen.browse.report.findings if f.kind is FindingKind.PILE_UP]
        assert [f.identity for f in piles] == [PILE_UP_IDENTITY]


def rendered(renderable: Any, width: int = 300) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def alert_finding(screen: Any) -> Any:
    """The seeded 52134 finding on ALERTS_IDENTITY's current device."""
    assert screen.browse.report is not None
    return next(
        f
        for f in screen.browse.report.findings
        if f.kind is FindingKind.PUSH_ALERT and f.identity == ALERTS_IDENTITY and f.binding_sids
    )


async def test_detail_pane_shows_alert_evidence_codes_docs_and_action() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        finding = alert_finding(screen)
        assert finding.evidence is not None and finding.evidence.source is EvidenceSource.ALERTS
        sid = finding.binding_sids[0]
        await pilot.press("slash")
        await type_text(pilot, sid.lower())
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen.query_one(BindingsTable).current.sid == sid
        body = pilot.app.screen.query_one(DetailPane).query_one("#detail-body", Static)
        text = rendered(body.content)
        assert finding.evidence.text in text  # "Twilio reported 52134 3 times in 7 days…"
        assert "52134" in finding.evidence.codes
        assert finding.evidence.alert_sids[0] in text
        assert finding.details["docs"] in text
        assert finding.action in text


async def test_user_view_leads_with_the_verdict_and_reads_the_user() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        finding = alert_finding(screen)
        user = await open_user(pilot, filter_first=True, identity=ALERTS_IDENTITY)
        await wait_for(pilot, lambda: user.user_read, "the user's reachability")
        assert user.user is not None and user.user.is_notifiable is True
        text = rendered(user.query_one("#user-summary", Static).content)
        lines = text.splitlines()
        assert lines[0].startswith(f"Why {ALERTS_IDENTITY} may get no push")
        # The alert on the user's own device is the first reason, with its evidence.
        assert lines[1].lstrip().startswith("1. ✗ Twilio reported push failures")
        assert finding.summary in lines[1]
        assert finding.evidence is not None and finding.evidence.text in text
        assert finding.action in text
        assert "User resource: notifiable" in text
        assert "Twilio alerts of the last 7 day(s)" in text


class RefuseReads(httpx.AsyncBaseTransport):
    """Monitor's Alerts and the Users resource answer 403 (a key without those rights)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/Alerts") or "/Users/" in path:
            body = {"code": 20003, "message": "Permission denied", "status": 403}
            return httpx.Response(403, json=body, request=request)
        return await self.inner.handle_async_request(request)


async def test_refused_alerts_and_user_reads_are_one_line_each_not_errors() -> None:
    built = build(wrap=RefuseReads)
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        report = screen.browse.report
        assert report is not None and report.alert_matches is None
        assert any(p.startswith("Twilio alerts could not be read") for p in report.problems)
        status = screen.browse.diagnosis_status
        assert status is not None and "read(s) failed" in status
        bar = rendered(summary_text(screen.browse.report_index.kinds, status, None))
        assert "read(s) failed" in bar
        user = await open_user(pilot, filter_first=True, identity=PILE_UP_IDENTITY)
        await wait_for(pilot, lambda: user.user_read, "the user's read to fail")
        assert user.user is None
        assert user.user_line.startswith("User resource: could not be read")
        text = rendered(user.query_one("#user-summary", Static).content)
        assert "Twilio alerts: could not be read" in text
        assert "User resource: could not be read" in text
        note = rendered(user.query_one("#user-note", Static).content)
        assert "read(s) failed" in note
        assert pilot.app.screen is user  # no error screen, nothing else in the way


async def test_the_report_index_is_built_off_the_event_loop(monkeypatch: Any) -> None:
    """At a million bindings a report's lookups take 1-1.8 s: the worker builds them in a
    thread, and the screen uses that very index for its markers and detail pane."""
    built_in: list[str] = []
    made: list[ReportIndex] = []
    real = ReportIndex.of.__func__  # type: ignore[attr-defined]

    def of(cls: type[ReportIndex], findings: Any) -> ReportIndex:
        built_in.append(threading.current_thread().name)
        made.append(real(cls, findings))
        return made[-1]

    monkeypatch.setattr(ReportIndex, "of", classmethod(of))
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        assert screen.browse.report is not None
        loop_thread = threading.current_thread().name
        assert built_in and loop_thread not in built_in
        assert screen.browse.report_index is made[-1]
        table = screen.query_one(BindingsTable)
        assert table.markers is made[-1].severity
        assert set(table.markers) == {
            sid for f in screen.browse.report.findings for sid in f.binding_sids
        }
