"""`f`'s choice of rows: none, every problem, or one kind of finding."""

from __future__ import annotations

from collections.abc import Sequence

from bindings_tui.diagnostics import SEVERITY, Finding, FindingKind, Severity, sort_findings

FindingChoice = FindingKind | str | None  # a kind, ALL_FINDINGS, or None (no filter)
ALL_FINDINGS = "all"


def in_all(kind: FindingKind) -> bool:
    """Whether `f`'s first step (every problem) shows this kind. Info findings (an APN
    sandbox credential) can cover most of a service; they have their own step."""
    return SEVERITY[kind] is not Severity.INFO


def kinds_in(findings: Sequence[Finding]) -> list[FindingKind]:
    """The kinds present that name bindings (what `f` can filter to), most severe first."""
    kinds: dict[FindingKind, None] = {}
    for finding in sort_findings(findings):
        if finding.binding_sids:
            kinds.setdefault(finding.kind)
    return list(kinds)


def next_choice(findings: Sequence[Finding], current: FindingChoice) -> FindingChoice:
    """All rows -> rows with findings -> each kind in turn -> all rows."""
    kinds = kinds_in(findings)
    cycle: list[FindingChoice] = [None, *kinds]
    if any(in_all(kind) for kind in kinds):
        cycle.insert(1, ALL_FINDINGS)
    position = cycle.index(current) if current in cycle else 0
    return cycle[(position + 1) % len(cycle)]


def chosen_sids(findings: Sequence[Finding], choice: FindingChoice) -> set[str] | None:
    """The bindings `choice` shows (None: no restriction)."""
    if choice is None:
        return None
    return {
        sid
        for f in findings
        if f.kind == choice or (choice == ALL_FINDINGS and in_all(f.kind))
        for sid in f.binding_sids
    }
