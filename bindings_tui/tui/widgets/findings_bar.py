"""The findings line of the main screen: push-diagnosis counts per kind, and `f`'s choice."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from bindings_tui.browse.findings_choice import (
    ALERT_FINDINGS,
    ALL_FINDINGS,
    FindingChoice,
    from_alerts,
    selects,
)
from bindings_tui.diagnostics import SEVERITY, Finding, FindingKind, Severity, sort_findings
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.widgets.line import Line

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}

# Beside a row's severity glyph and a kind's count: Twilio's own alerts back it.
ALERT_MARK = "*"

SEVERITY_GLYPHS: dict[Severity, str] = {
    Severity.ERROR: "✗",
    Severity.WARNING: "!",
    Severity.INFO: "i",
}


def summary_text(
    findings: Sequence[Finding] | None, status: str | None, choice: FindingChoice
) -> Text:
    """`Findings  3 shared endpoint · 2 alerts* · push off …` (`*`: Twilio's alerts back
    some of them), or what the diagnosis is waiting for."""
    text = Text(no_wrap=True, end="", overflow="ellipsis")
    text.append("Findings ", style="bold")
    if findings is None:
        text.append(inert_str(status or "after the list has loaded"), style="dim italic")
        return text
    if not findings:
        text.append("none: nothing here explains a missing push", style="green")
        if status:
            text.append(f"  ({inert_str(status)})", style="dim")
        return text
    counts: dict[FindingKind, int] = {}
    chosen: set[FindingKind] = set()
    alerted: set[FindingKind] = set()
    for finding in sort_findings(findings):
        # Service-wide findings (a push setting, an alert naming no binding) are not
        # counted: a kind with only those shows without a number.
        counts[finding.kind] = counts.get(finding.kind, 0) + (1 if finding.binding_sids else 0)
        if choice is not None and selects(finding, choice):
            chosen.add(finding.kind)
        if from_alerts(finding):
            alerted.add(finding.kind)
    # Most severe first, so what an ellipsis cuts off at the end is the least important.
    for kind, count in counts.items():
        severity = SEVERITY[kind]
        shown = f"{count} {kind.short_label}" if count else kind.short_label
        if kind in alerted:
            shown += ALERT_MARK  # Twilio's alerts back (some of) these
        style = SEVERITY_STYLES[severity] + (" reverse" if kind in chosen else "")
        text.append(f" {SEVERITY_GLYPHS[severity]} {shown} ", style=style)
    if status:
        text.append(f" ({inert_str(status)})", style="dim")
    return text


def choice_label(choice: FindingChoice) -> str:
    if choice is None:
        return "all rows"
    if choice == ALL_FINDINGS:
        return "rows with errors or warnings"
    if choice == ALERT_FINDINGS:
        return "rows Twilio's alerts name"
    return f"rows with '{FindingKind(choice).short_label}' findings"


class FindingsBar(Line):
    """One line under the filter bar; `show` redraws it."""

    def show(
        self, findings: Sequence[Finding] | None, status: str | None, choice: FindingChoice
    ) -> None:
        self.show_text(summary_text(findings, status, choice))
