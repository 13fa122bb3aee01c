"""The findings line of the main screen: push-diagnosis counts per kind, and `f`'s choice."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from bindings_tui.browse.findings_choice import ALL_FINDINGS, FindingChoice, in_all
from bindings_tui.diagnostics import SEVERITY, Finding, FindingKind, Severity, sort_findings
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.widgets.line import Line

# Short names that fit a 120-column line with every kind present.
SHORT_LABELS: dict[FindingKind, str] = {
    FindingKind.SHARED_ENDPOINT: "shared endpoint",
    FindingKind.PILE_UP: "pile-up",
    FindingKind.STALE: "stale",
    FindingKind.NO_NEW_MESSAGE: "no new_msg",
    FindingKind.CREDENTIAL_MISSING: "missing cred",
    FindingKind.CREDENTIAL_TYPE_MISMATCH: "cred type",
    FindingKind.APN_SANDBOX: "sandbox",
    FindingKind.PUSH_DISABLED: "push off",
}

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "yellow",
    Severity.INFO: "cyan",
}

SEVERITY_GLYPHS: dict[Severity, str] = {
    Severity.ERROR: "✗",
    Severity.WARNING: "!",
    Severity.INFO: "i",
}


def summary_text(
    findings: Sequence[Finding] | None, status: str | None, choice: FindingChoice
) -> Text:
    """`Findings  3 shared endpoint · 40 stale …`, or what the diagnosis is waiting for."""
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
    for finding in sort_findings(findings):
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    # Most severe first, so what an ellipsis cuts off at the end is the least important.
    for kind, count in counts.items():
        severity = SEVERITY[kind]
        label = SHORT_LABELS[kind]
        shown = label if kind is FindingKind.PUSH_DISABLED else f"{count} {label}"
        chosen = choice == kind or (choice == ALL_FINDINGS and in_all(kind))
        style = SEVERITY_STYLES[severity] + (" reverse" if chosen else "")
        text.append(f" {SEVERITY_GLYPHS[severity]} {shown} ", style=style)
    if status:
        text.append(f" ({inert_str(status)})", style="dim")
    return text


def choice_label(choice: FindingChoice) -> str:
    if choice is None:
        return "all rows"
    if choice == ALL_FINDINGS:
        return "rows with errors or warnings"
    return f"rows with '{SHORT_LABELS[FindingKind(choice)]}' findings"


class FindingsBar(Line):
    """One line under the filter bar; `show` redraws it."""

    def show(
        self, findings: Sequence[Finding] | None, status: str | None, choice: FindingChoice
    ) -> None:
        self.show_text(summary_text(findings, status, choice))
