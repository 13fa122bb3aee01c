"""Findings with their evidence, and one identity's verdict, as Rich text.

The detail pane and the user view (`u`) show the same lines for a finding: what is
wrong, why it is believed (Twilio's alerts, a Twilio resource, a documented limit or a
heuristic), the alert SIDs and codes, the error's docs link and what to do. Alert text
and SIDs come from a server: everything goes through `inert`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from bindings_tui.diagnostics import Finding, sort_findings
from bindings_tui.evidence.verdict import Verdict
from bindings_tui.findings import EvidenceSource
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.widgets.findings_bar import SEVERITY_GLYPHS, SEVERITY_STYLES

# How many alert SIDs a finding lists before "and N more" (a week can hold hundreds).
MAX_ALERT_SIDS = 3

SOURCE_STYLES: dict[EvidenceSource, str] = {
    EvidenceSource.ALERTS: "bold",
    EvidenceSource.TWILIO: "",
    EvidenceSource.DOCUMENTED: "",
    EvidenceSource.HEURISTIC: "dim",
}


def evidence_lines(finding: Finding, indent: str = "  ") -> Text:
    """The lines under a finding: evidence, alerts and codes, docs link, action."""
    text = Text()
    evidence = finding.evidence
    if evidence is not None:
        text.append(f"\n{indent}evidence ", style="dim")
        text.append(inert_str(evidence.text), style=SOURCE_STYLES[evidence.source])
        if evidence.alert_sids or evidence.codes:
            sids = [inert_str(sid) for sid in evidence.alert_sids[:MAX_ALERT_SIDS]]
            more = len(evidence.alert_sids) - len(sids)
            if more > 0:
                sids.append(f"and {more} more")
            codes = ", ".join(inert_str(code) for code in evidence.codes)
            text.append(f"\n{indent}alerts   ", style="dim")
            text.append(", ".join(sids) or "none listed")
            if codes:
                text.append(f"  (code {codes})", style="dim")
    docs = finding.details.get("docs")
    if isinstance(docs, str) and docs:
        text.append(f"\n{indent}docs     ", style="dim")
        text.append(inert_str(docs), style="underline")
    if finding.action:
        text.append(f"\n{indent}do       ", style="dim")
        text.append(inert_str(finding.action), style="italic")
    return text


def finding_text(finding: Finding, indent: str = "  ") -> Text:
    """Glyph, kind and summary, then its evidence lines."""
    style = SEVERITY_STYLES[finding.severity]
    text = Text()
    text.append(f"{SEVERITY_GLYPHS[finding.severity]} {finding.kind.label}: ", style=style)
    text.append(inert_str(finding.summary))
    text.append_text(evidence_lines(finding, indent))
    return text


def findings_text(findings: Sequence[Finding]) -> Text:
    """Every finding, most severe first, each with its evidence."""
    text = Text()
    for index, finding in enumerate(sort_findings(findings)):
        if index:
            text.append("\n")
        text.append_text(finding_text(finding))
    return text


def verdict_text(verdict: Verdict) -> Text:
    """The answer to "why does X get no push?": the headline, each reason with its
    evidence and action, the information, and what was checked."""
    text = Text()
    ok = not verdict.reasons
    text.append(inert_str(verdict.headline), style="bold green" if ok else "bold")
    for number, finding in enumerate(verdict.reasons, 1):
        text.append(f"\n{number}. ")
        text.append_text(finding_text(finding, indent="     "))
    if verdict.information:
        text.append("\nInformation", style="bold dim")
        for finding in verdict.information:
            text.append("\n   ")
            text.append_text(finding_text(finding, indent="     "))
    if verdict.checked:
        text.append("\nChecked", style="bold dim")
        for line in verdict.checked:
            text.append(f"\n   · {inert_str(line)}", style="dim")
    return text


__all__ = ["MAX_ALERT_SIDS", "evidence_lines", "finding_text", "findings_text", "verdict_text"]
