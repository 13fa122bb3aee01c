"""The findings line's per-kind counts and `f`'s cycle, from one pass over the findings.

They replace a sort of every finding on each redraw (50k findings at a million bindings);
the order and numbers must be what the sorted pass gave.
"""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bindings_tui.browse.findings_choice import (
    ALERT_FINDINGS,
    ALL_FINDINGS,
    alert_sids,
    choices,
    kind_counts,
    selects,
    selects_kind,
)
from bindings_tui.diagnostics import Finding, FindingKind, Severity, sort_findings
from bindings_tui.findings import Evidence, EvidenceSource

KINDS = list(FindingKind)
SEVERITIES = list(Severity)


def finding(kind: FindingKind, severity: Severity, sids: int, alerted: bool) -> Finding:
    evidence = Evidence(EvidenceSource.ALERTS, "Twilio reported it") if alerted else None
    sid_list = tuple(f"BS{n:032x}" for n in range(sids))
    return Finding(kind, severity, sid_list, "someone", "why", evidence=evidence)


findings_lists = st.lists(
    st.builds(
        finding,
        st.sampled_from(KINDS),
        st.sampled_from(SEVERITIES),
        st.integers(0, 3),
        st.booleans(),
    ),
    max_size=30,
)


def sorted_pass(findings: list[Finding]) -> list[tuple[FindingKind, int, bool]]:
    """What the findings line computed before: kinds in order of first appearance in the
    sorted findings, each with its findings naming bindings and whether alerts back it."""
    counts: dict[FindingKind, list[int]] = {}
    for f in sort_findings(findings):
        entry = counts.setdefault(f.kind, [0, 0])
        entry[0] += 1 if f.binding_sids else 0
        entry[1] |= f.evidence is not None and f.evidence.source is EvidenceSource.ALERTS
    return [(kind, n, bool(a)) for kind, (n, a) in counts.items()]


@given(findings_lists)
def test_counts_and_order_are_the_sorted_passs(findings: list[Finding]) -> None:
    got = [(c.kind, c.naming, c.alerted) for c in kind_counts(findings)]
    assert got == sorted_pass(findings)


@given(findings_lists, st.sampled_from([ALL_FINDINGS, ALERT_FINDINGS, *KINDS]))
def test_a_kind_is_chosen_when_one_of_its_findings_is(findings: list[Finding], choice: str) -> None:
    for count in kind_counts(findings):
        mine = [f for f in findings if f.kind is count.kind]
        assert selects_kind(count, choice) == any(selects(f, choice) for f in mine)


@given(findings_lists)
def test_the_cycle_offers_each_kind_naming_bindings_most_severe_first(
    findings: list[Finding],
) -> None:
    cycle = choices(kind_counts(findings), bool(alert_sids(findings)))
    # In the findings line's order (a kind ranks by its most severe finding), those of
    # the kinds that name bindings.
    naming = [kind for kind, n, _ in sorted_pass(findings) if n]
    assert cycle[0] is None
    assert [c for c in cycle if isinstance(c, FindingKind)] == naming
    assert (ALERT_FINDINGS in cycle) == bool(alert_sids(findings))


def test_a_report_of_fifty_thousand_findings_is_counted_exactly() -> None:
    rng = random.Random(7)
    findings = [
        finding(rng.choice(KINDS), rng.choice(SEVERITIES), rng.randint(0, 2), rng.random() < 0.1)
        for _ in range(50_000)
    ]
    got = [(c.kind, c.naming, c.alerted) for c in kind_counts(findings)]
    assert got == sorted_pass(findings)
