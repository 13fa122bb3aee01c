"""`f`'s choice of rows: none, every problem, what Twilio's alerts name, or one kind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bindings_tui.diagnostics import SEVERITY, Finding, FindingKind, Severity
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


@dataclass(frozen=True, slots=True)
class KindCount:
    """One kind in a report: how many of its findings name bindings (`naming`; the rest
    are service-wide), and whether Twilio's alerts back any of them (`alerted`)."""

    kind: FindingKind
    naming: int
    alerted: bool


def kind_counts(findings: Iterable[Finding]) -> tuple[KindCount, ...]:
    """Each kind present, most severe first (the order `sort_findings` gives), in one
    pass: at a million bindings a report holds 50k findings, and sorting them for every
    redraw of the findings line took a quarter of a second."""
    naming: dict[FindingKind, int] = {}
    rank: dict[FindingKind, int] = {}
    alerted: set[FindingKind] = set()
    for finding in findings:
        kind = finding.kind
        naming[kind] = naming.get(kind, 0) + (1 if finding.binding_sids else 0)
        severity = finding.severity.rank
        if severity < rank.get(kind, severity + 1):
            rank[kind] = severity
        if from_alerts(finding):
            alerted.add(kind)
    order = {kind: position for position, kind in enumerate(FindingKind)}
    ordered = sorted(naming, key=lambda kind: (rank[kind], order[kind]))
    return tuple(KindCount(kind, naming[kind], kind in alerted) for kind in ordered)


def choices(kinds: Sequence[KindCount], alerted: bool) -> list[FindingChoice]:
    """`f`'s cycle: all rows, rows with problems, rows Twilio's alerts name (`alerted`:
    some finding backed by them names a binding), each kind that names bindings."""
    naming = [count.kind for count in kinds if count.naming]
    cycle: list[FindingChoice] = [None]
    if any(in_all(kind) for kind in naming):
        cycle.append(ALL_FINDINGS)
    if alerted:
        cycle.append(ALERT_FINDINGS)
    return cycle + naming


def next_in(cycle: Sequence[FindingChoice], current: FindingChoice) -> FindingChoice:
    """The choice after `current` in `cycle` (`choices`: all rows -> rows with findings ->
    rows with alerts -> each kind -> all rows), round to the start."""
    position = cycle.index(current) if current in cycle else 0
    return cycle[(position + 1) % len(cycle)]


def selects(finding: Finding, choice: FindingChoice) -> bool:
    """Whether `choice` shows the bindings this finding names."""
    return _selects(finding.kind, from_alerts(finding), choice)


def selects_kind(count: KindCount, choice: FindingChoice) -> bool:
    """Whether `choice` shows the bindings of (some of) this kind's findings."""
    return _selects(count.kind, count.alerted, choice)


def _selects(kind: FindingKind, alerted: bool, choice: FindingChoice) -> bool:
    if choice == ALL_FINDINGS:
        return in_all(kind)
    if choice == ALERT_FINDINGS:
        return alerted
    return kind == choice


def chosen_sids(findings: Sequence[Finding], choice: FindingChoice) -> set[str] | None:
    """The bindings `choice` shows (None: no restriction)."""
    if choice is None:
        return None
    return {sid for f in findings if selects(f, choice) for sid in f.binding_sids}
