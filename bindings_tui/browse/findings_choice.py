"""`f`'s choice of rows: none, every problem, what Twilio's alerts name, or one kind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bindings_tui.diagnostics import SEVERITY, Finding, FindingKind, Severity, sort_findings
from bindings_tui.findings import EvidenceSource

# A kind, ALL_FINDINGS, ALERT_FINDINGS, or None (no filter).
FindingChoice = FindingKind | str | None
ALL_FINDINGS = "all"
ALERT_FINDINGS = "alert-evidence"  # not a kind's value: kinds are compared as strings


def in_all(kind: FindingKind) -> bool:
    """Whether `f`'s first step (every problem) shows this kind. Info findings (an APN
    sandbox credential) can cover most of a service; they have their own step."""
    return SEVERITY[kind] is not Severity.INFO


def from_alerts(finding: Finding) -> bool:
    """Whether Twilio's own alerts back this finding (not a rule over the bindings)."""
    return finding.evidence is not None and finding.evidence.source is EvidenceSource.ALERTS


def alert_sids(findings: Iterable[Finding]) -> set[str]:
    """The bindings that a finding backed by Twilio's alerts names (the row marker)."""
    return {sid for f in findings if from_alerts(f) for sid in f.binding_sids}


def kinds_in(findings: Sequence[Finding]) -> list[FindingKind]:
    """The kinds present that name bindings (what `f` can filter to), most severe first."""
    kinds: dict[FindingKind, None] = {}
    for finding in sort_findings(findings):
        if finding.binding_sids:
            kinds.setdefault(finding.kind)
    return list(kinds)


def choices(findings: Sequence[Finding]) -> list[FindingChoice]:
    """`f`'s cycle: all rows, rows with problems, rows Twilio's alerts name, each kind."""
    kinds = kinds_in(findings)
    cycle: list[FindingChoice] = [None]
    if any(in_all(kind) for kind in kinds):
        cycle.append(ALL_FINDINGS)
    if alert_sids(findings):
        cycle.append(ALERT_FINDINGS)
    return cycle + kinds


def next_in(cycle: Sequence[FindingChoice], current: FindingChoice) -> FindingChoice:
    """The choice after `current` in `cycle` (`choices`: all rows -> rows with findings ->
    rows with alerts -> each kind -> all rows), round to the start."""
    position = cycle.index(current) if current in cycle else 0
    return cycle[(position + 1) % len(cycle)]


def selects(finding: Finding, choice: FindingChoice) -> bool:
    """Whether `choice` shows the bindings this finding names."""
    if choice == ALL_FINDINGS:
        return in_all(finding.kind)
    if choice == ALERT_FINDINGS:
        return from_alerts(finding)
    return finding.kind == choice


def chosen_sids(findings: Sequence[Finding], choice: FindingChoice) -> set[str] | None:
    """The bindings `choice` shows (None: no restriction)."""
    if choice is None:
        return None
    return {sid for f in findings if selects(f, choice) for sid in f.binding_sids}
