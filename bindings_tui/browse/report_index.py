"""What the screens look up per binding in a diagnosis report, worked out once.

At a million bindings a report names about 450k SIDs, and these maps took 1-1.8 s to
build: on the event loop, when the report landed, the whole screen froze. The TUI builds
them in the diagnosis's worker thread (`ReportIndex.of`) and hands them over with the
report; the session keeps them for as long as it keeps the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass

from bindings_tui.browse.findings_choice import KindCount, alert_sids, kind_counts
from bindings_tui.diagnostics import Finding, Severity, findings_by_sid, severity_by_sid


@dataclass(frozen=True, slots=True)
class ReportIndex:
    """- `findings`: binding SID -> the findings naming it (the detail pane, the user view);
    - `severity`: binding SID -> its most severe finding (the table's row marker);
    - `alerted`: the SIDs a finding backed by Twilio's alerts names (an `*` by the marker);
    - `kinds`: each kind present, most severe first (the findings line, `f`'s cycle).
    """

    findings: Mapping[str, Sequence[Finding]]
    severity: Mapping[str, Severity]
    alerted: Set[str]
    kinds: tuple[KindCount, ...]

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> ReportIndex:
        return cls(
            findings_by_sid(findings),
            severity_by_sid(findings),
            alert_sids(findings),
            kind_counts(findings),
        )


NO_REPORT = ReportIndex({}, {}, frozenset(), ())
