"""Findings with their evidence, and one identity's verdict, as Rich renderables.

The detail pane and the user view (`u`) show the same lines for a finding: what is
wrong, why it is believed (Twilio's alerts, a Twilio resource, a documented limit or a
heuristic), the alert SIDs and codes, the error's docs link and what to do. Alert text
and SIDs come from a server: everything goes through `inert`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bindings_tui.diagnostics import Finding, sort_findings
from bindings_tui.evidence.verdict import Verdict
from bindings_tui.findings import EvidenceSource
from bindings_tui.tui.inert import inert, inert_str
from bindings_tui.tui.widgets.findings_bar import SEVERITY_GLYPHS, SEVERITY_STYLES

# How many alert SIDs a finding lists before "and N more" (a week can hold hundreds).
MAX_ALERT_SIDS = 3

SOURCE_STYLES: dict[EvidenceSource, str] = {
    EvidenceSource.ALERTS: "bold",
    EvidenceSource.TWILIO: "",
    EvidenceSource.DOCUMENTED: "",
    EvidenceSource.HEURISTIC: "dim",
}


def _grid() -> Table:
    """Two columns: a short label, then a value that folds under itself."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold", ratio=1)
    return grid


def evidence_rows(finding: Finding) -> Table:
    """The lines under a finding: evidence, alerts and codes, docs link, action."""
    grid = _grid()
    evidence = finding.evidence
    if evidence is not None:
        grid.add_row("evidence", inert(evidence.text, SOURCE_STYLES[evidence.source]))
        if evidence.codes:
            grid.add_row("code", ", ".join(inert_str(code) for code in evidence.codes))
        if evidence.alert_sids:
            sids = [inert_str(sid) for sid in evidence.alert_sids[:MAX_ALERT_SIDS]]
            more = len(evidence.alert_sids) - len(sids)
            if more > 0:
                sids.append(f"and {more} more")
            grid.add_row("alerts", ", ".join(sids))
    docs = finding.details.get("docs")
    if isinstance(docs, str) and docs:
        grid.add_row("docs", inert(docs, "underline"))
    if finding.action:
        grid.add_row("do", inert(finding.action, "italic"))
    return grid


def finding_head(finding: Finding) -> Text:
    """Glyph, kind and summary on one (wrapping) line."""
    text = Text()
    style = SEVERITY_STYLES[finding.severity]
    text.append(f"{SEVERITY_GLYPHS[finding.severity]} {finding.kind.label}: ", style=style)
    text.append(inert_str(finding.summary))
    return text


def finding_block(finding: Finding) -> Group:
    """The finding's line, then its evidence rows."""
    return Group(finding_head(finding), evidence_rows(finding))


def findings_text(findings: Sequence[Finding]) -> Group:
    """Every finding, most severe first, each with its evidence."""
    return Group(*(finding_block(f) for f in sort_findings(findings)))


def verdict_text(verdict: Verdict) -> Group:
    """The answer to "why does X get no push?": the reasons, most likely first, each with
    its evidence and action; the information; what was checked. The headline when nothing
    is wrong (with reasons, it would repeat the first)."""
    parts: list[RenderableType] = []
    if verdict.reasons:
        heading = Text(style="bold")
        heading.append(f"Why {inert_str(verdict.identity)} may get no push: ")
        heading.append(f"{len(verdict.reasons)} reason(s), most likely first")
        parts.append(heading)
    else:
        parts.append(inert(verdict.headline, "bold green"))
    numbered = Table.grid(padding=(0, 1))
    numbered.add_column(no_wrap=True, justify="right")
    numbered.add_column(ratio=1)
    for number, finding in enumerate(verdict.reasons, 1):
        numbered.add_row(f"{number}.", finding_block(finding))
    if verdict.information:
        numbered.add_row("", Text("Information, not a reason:", style="bold dim"))
    for finding in verdict.information:
        numbered.add_row("", finding_block(finding))
    if verdict.reasons or verdict.information:
        parts.append(numbered)
    if verdict.checked:
        checked = _grid()
        for index, line in enumerate(verdict.checked):
            checked.add_row("checked" if index == 0 else "", inert(line, "dim"))
        parts.append(checked)
    return Group(*parts)


__all__ = [
    "MAX_ALERT_SIDS",
    "evidence_rows",
    "finding_block",
    "finding_head",
    "findings_text",
    "verdict_text",
]
