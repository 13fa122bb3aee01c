"""`bindings-tui diagnose`'s output: the verdicts and findings as a table or JSON.

Apart from `cli.diagnose` (the parser and the run) so that parsing a command line never
imports the diagnosis; every line that carries server data goes through `make_visible`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.diagnostics import (
    Finding,
    FindingKind,
    affected_binding_counts,
    sort_findings,
    summary_counts,
)
from bindings_tui.evidence.verdict import Verdict
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.textsafe import clip, make_visible

DEFAULT_SHOWN_BINDINGS = 10


def verdicts_json(report: DiagnosisReport, identities: Sequence[str]) -> dict[str, Any]:
    """`-o json` with --identity: a verdict per identity, then the findings concerning them."""
    verdicts = [report.verdict(identity) for identity in identities]
    # The verdicts' findings, once each, in the report's order.
    chosen = {id(f) for v in verdicts for f in (*v.reasons, *v.information)}
    relevant = [f for f in report.findings if id(f) in chosen]
    return {
        "service_sid": report.service_sid,
        "api": report.api.value,
        "now": report.now.astimezone(UTC).isoformat(),
        "alerts_window_days": report.alert_window.days if report.alert_window else None,
        "verdicts": [v.to_json() for v in verdicts],
        "findings": findings_json(relevant),
    }


def render_verdicts(
    report: DiagnosisReport, identities: Sequence[str], *, full: bool = False
) -> str:
    """One block per identity: the verdict, its ranked reasons (evidence, action), what
    else was noted, what was checked. Server data goes through `make_visible`."""
    lines = [
        f"Push diagnosis of {make_visible(report.service_sid)} ({report.api.label}) as of "
        f"{report.now.astimezone(UTC):%Y-%m-%d %H:%M}Z"
    ]
    for identity in identities:
        lines.append("")
        lines.extend(_verdict_lines(report.verdict(identity), full=full))
    return "\n".join(lines) + "\n"


def _verdict_lines(verdict: Verdict, *, full: bool) -> list[str]:
    who = make_visible(verdict.identity)
    lines = [f"== {who}: {len(verdict.binding_sids)} binding(s)"]
    lines.append(make_visible(verdict.headline))
    for number, finding in enumerate(verdict.reasons, 1):
        lines.append(
            f"  {number}. {finding.severity.value.upper()} {finding.kind.value}: "
            f"{make_visible(finding.summary)}"
        )
        lines.extend(_evidence_lines(finding, "     "))
        shown = finding.binding_sids if full else finding.binding_sids[:DEFAULT_SHOWN_BINDINGS]
        if len(finding.binding_sids) > 1:
            lines.append(f"     bindings: {make_visible(', '.join(shown))}")
            if len(shown) < len(finding.binding_sids):
                lines.append(f"     ... and {len(finding.binding_sids) - len(shown)} more")
    if verdict.information:
        lines.append("  also noted (information, not a cause):")
        for finding in verdict.information:
            lines.append(f"   - {finding.kind.value}: {make_visible(finding.summary)}")
    lines.append("  checked:")
    lines.extend(f"   - {make_visible(line)}" for line in verdict.checked)
    return lines


def _evidence_lines(finding: Finding, indent: str) -> list[str]:
    lines: list[str] = []
    if finding.evidence is not None:
        lines.append(f"{indent}evidence: {make_visible(finding.evidence.text)}")
        if finding.evidence.alert_sids:
            sids = ", ".join(finding.evidence.alert_sids[:DEFAULT_SHOWN_BINDINGS])
            lines.append(f"{indent}alerts: {make_visible(sids)}")
    if finding.action:
        lines.append(f"{indent}do: {make_visible(finding.action)}")
    return lines


def findings_json(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """The `-o json` document: findings, most severe first."""
    return [finding.to_json() for finding in sort_findings(findings)]


def _v(value: str | None) -> str:
    return make_visible(value) if value else "-"


def render_table(report: DiagnosisReport, *, full: bool = False) -> str:
    """Findings grouped by kind (most severe first) with the bindings each one names.

    Every line that carries server data goes through `make_visible`.
    """
    by_sid: dict[str, Binding] = {b.sid: b for b in report.bindings}
    findings = sort_findings(report.findings)
    counts = summary_counts(findings)
    affected = affected_binding_counts(findings)
    lines: list[str] = []
    s = report.settings
    lines.append(
        f"Push diagnosis of {make_visible(report.service_sid)} ({report.api.label}): "
        f"{len(report.bindings)} binding(s), {len(findings)} finding(s)"
    )
    lines.append(
        f"thresholds: pile-up more than {s.pile_up_threshold} per identity and type, "
        f"stale after {s.stale_days} days; as of {report.now.astimezone(UTC):%Y-%m-%d %H:%M}Z"
    )
    if not findings:
        lines.append("")
        lines.append("No findings: nothing in this service explains a missing push.")
    current: FindingKind | None = None
    for finding in findings:
        if finding.kind is not current:
            current = finding.kind
            lines.append("")
            lines.append(
                f"{finding.severity.value.upper()} {finding.kind.value}: {finding.kind.label} "
                f"({counts[finding.kind]} finding(s), {affected[finding.kind]} binding(s))"
            )
        if len(finding.binding_sids) == 1:
            # One binding: its SID leads the line; the summary names identity and type.
            lines.append(
                f"  - {make_visible(finding.binding_sids[0])}  {make_visible(finding.summary)}"
            )
            lines.extend(_evidence_lines(finding, "      "))
            continue
        lines.append(f"  - {make_visible(finding.summary)}")
        lines.extend(_evidence_lines(finding, "      "))
        shown = finding.binding_sids if full else finding.binding_sids[:DEFAULT_SHOWN_BINDINGS]
        for sid in shown:
            b = by_sid.get(sid)
            identity = clip(_v(b.identity), 48) if b else "-"
            binding_type = _v(b.binding_type) if b else "-"
            lines.append(f"      {make_visible(sid)}  {binding_type:<8}  {identity}")
        hidden = len(finding.binding_sids) - len(shown)
        if hidden > 0:
            lines.append(f"      ... and {hidden} more (--full or -o json lists them)")
    lines.append("")
    lines.extend(_credential_lines(report))
    lines.extend(_push_settings_lines(report))
    lines.extend(_alerts_lines(report))
    return "\n".join(lines) + "\n"


def _alerts_lines(report: DiagnosisReport) -> list[str]:
    window, matches = report.alert_window, report.alert_matches
    if window is None:
        return ["alerts: not read"]
    if matches is None:
        return [f"alerts: could not be read (window {window.days} day(s))"]
    push = len(matches.all_push_alerts())
    limit = f"; the limit of {window.max_alerts} was reached" if report.alerts_truncated else ""
    return [
        f"alerts: {len(report.alerts)} read from the last {window.days} day(s), {push} about "
        f"push here ({matches.ignored} not about push, {matches.other_service} for other "
        f"services){limit}"
    ]


def _credential_lines(report: DiagnosisReport) -> list[str]:
    if not report.credentials and not report.unresolved_credentials:
        return ["credentials: none referenced by the bindings"]
    users: dict[str, int] = {}
    for b in report.bindings:
        if b.credential_sid:
            users[b.credential_sid] = users.get(b.credential_sid, 0) + 1
    lines = ["credentials:"]
    for sid, credential in report.credentials.items():
        used = f"{users.get(sid, 0)} binding(s)"
        if credential is None:
            lines.append(f"  {make_visible(sid)}  DOES NOT EXIST  used by {used}")
            continue
        sandbox = {True: "sandbox", False: "production", None: "-"}[credential.sandbox]
        kind = _v(credential.type)
        mode = sandbox if credential.type == "apn" else "-"
        lines.append(
            f"  {make_visible(sid)}  {kind:<4}  {mode:<10}  "
            f"{clip(_v(credential.friendly_name), 40):<40}  used by {used}"
        )
    for sid, message in report.unresolved_credentials.items():
        lines.append(f"  {make_visible(sid)}  not read: {make_visible(message)}")
    return lines


def _push_settings_lines(report: DiagnosisReport) -> list[str]:
    config = report.notification_config
    if config is None:
        return ["push settings: could not be read"]
    names = (
        ("new_message", "added_to_conversation", "removed_from_conversation")
        if report.api is ApiFlavor.CONVERSATIONS
        else ("new_message", "added_to_channel", "removed_from_channel", "invited_to_channel")
    )
    parts: list[str] = []
    for name in names:
        setting = config.get(name)
        enabled = setting.get("enabled") if isinstance(setting, dict) else None
        state = "on" if enabled is True else "off" if enabled is False else "?"
        parts.append(f"{name} {state}")
    log = config.get("log_enabled")
    if isinstance(log, bool):
        parts.append(f"log {'on' if log else 'off'}")
    return [f"push settings: {make_visible(', '.join(parts))}"]


__all__ = [
    "DEFAULT_SHOWN_BINDINGS",
    "findings_json",
    "render_table",
    "render_verdicts",
    "verdicts_json",
]
