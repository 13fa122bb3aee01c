"""`diagnostics.newest_first`: the one order for "which device is newest" (the pile-up
finding's `newest_sid` and the user view)."""

from __future__ import annotations

import random

from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    FindingKind,
    compute_binding_findings,
    newest_first,
)

from .helpers import NOW, days_ago, make_binding


def test_most_recent_activity_first_and_no_dates_last() -> None:
    old = make_binding(updated=days_ago(30), created=days_ago(90), sid="BS" + "1" * 32)
    new = make_binding(updated=days_ago(1), created=days_ago(90), sid="BS" + "2" * 32)
    # no date_updated: its last activity is its creation
    created_only = make_binding(updated=None, created=days_ago(10), sid="BS" + "3" * 32)
    undated = make_binding(updated=None, created=None, sid="BS" + "4" * 32)
    assert [b.sid for b in newest_first([undated, old, created_only, new])] == [
        new.sid,
        created_only.sid,
        old.sid,
        undated.sid,
    ]


def test_ties_break_on_creation_then_sid_whatever_the_input_order() -> None:
    same = days_ago(5)
    a = make_binding(updated=same, created=days_ago(50), sid="BS" + "a" * 32)
    b = make_binding(updated=same, created=days_ago(20), sid="BS" + "b" * 32)
    c = make_binding(updated=same, created=days_ago(20), sid="BS" + "c" * 32)
    expected = [c.sid, b.sid, a.sid]
    rows = [a, b, c]
    for _ in range(10):
        random.shuffle(rows)
        assert [x.sid for x in newest_first(rows)] == expected


def test_the_pile_up_finding_names_the_same_newest_binding() -> None:
    same = days_ago(2)
    group = [
        make_binding(identity="ann", updated=same, created=days_ago(n), sid=f"BS{n:032x}")
        for n in range(1, 8)
    ]
    settings = DiagnosticsSettings(pile_up_threshold=5)
    [pile] = [
        f for f in compute_binding_findings(group, settings, NOW) if f.kind is FindingKind.PILE_UP
    ]
    assert pile.details["newest_sid"] == newest_first(group)[0].sid == group[0].sid
    assert list(pile.binding_sids) == [b.sid for b in newest_first(group)]
