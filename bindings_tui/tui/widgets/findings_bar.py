"""The findings line of the main screen: push-diagnosis counts per kind, and `f`'s choice."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from bindings_tui.browse.findings_choice import (
    ALERT_FINDINGS,
    ALL_FINDINGS,
    FindingChoice,
    KindCount,
    selects_kind,
)
from bindings_tui.diagnostics import SEVERITY, FindingKind, Severity
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
    kinds: Sequence[KindCount] | None, status: str | None, choice: FindingChoice
) -> Text:
    """`Findings  3 shared endpoint · 2 alerts* · push off …` (`*`: Twilio's alerts back
    some of them), or what the diagnosis is waiting for. `kinds`: the report's
    (`ReportIndex.kinds`), None while there is no report."""
    text = Text(no_wrap=True, end="", overflow="ellipsis")
    text.append("Findings ", style="bold")
    if kinds is None:
        text.append(inert_str(status or "after the list has loaded"), style="dim italic")
        return text
    if not kinds:
        text.append("none: nothing here explains a missing push", style="green")
        if status:
            text.append(f"  ({inert_str(status)})", style="dim")
        return text
    # Most severe first, so what an ellipsis cuts off at the end is the least important.
    # Service-wide findings (a push setting, an alert naming no binding) are not counted:
    # a kind with only those shows without a number.
    for count in kinds:
        kind = count.kind
        severity = SEVERITY[kind]
        shown = f"{count.naming} {kind.short_label}" if count.naming else kind.short_label
        if count.alerted:
            shown += ALERT_MARK  # Twilio's alerts back (some of) these
        chosen = choice is not None and selects_kind(count, choice)
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
    if choice == ALERT_FINDINGS:
        return "rows Twilio's alerts name"
    return f"rows with '{FindingKind(choice).short_label}' findings"


class FindingsBar(Line):
    """One line under the filter bar; `show` redraws it."""

    def show(
        self, kinds: Sequence[KindCount] | None, status: str | None, choice: FindingChoice
    ) -> None:
        self.show_text(summary_text(kinds, status, choice))
