"""`bindings-tui diagnose`: why does a user get no push? Findings for one service.

    bindings-tui diagnose --service IS... [-o table|json] [--stale-days N] [--pile-up N]
                          [--identity X ...] [--alerts-days N] [--max-alerts N]

With --identity, the answer leads with a verdict per identity: the most likely reasons
it gets no push, each with its evidence and what to do, or that nothing was found and
what was checked.

Exit 0 whenever the diagnosis ran, findings or not; errors go to the CLI's one handler
(`common.handle_errors`: BindingsError: one line, exit 1; InputError: exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import PROG, make_client, service_of
from bindings_tui.diagnose_run import DiagnosisReport, load_settings, run_diagnostics
from bindings_tui.diagnostics import (
    Finding,
    FindingKind,
    affected_binding_counts,
    sort_findings,
    summary_counts,
)
from bindings_tui.errors import BindingsError, InputError
from bindings_tui.evidence.alerts import DEFAULT_ALERT_DAYS, DEFAULT_MAX_ALERTS, AlertWindow
from bindings_tui.evidence.verdict import Verdict
from bindings_tui.hosts import shown
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.output import json_dumps
from bindings_tui.textsafe import clip, make_visible

DIAGNOSE_FORMATS = ("table", "json")
DEFAULT_SHOWN_BINDINGS = 10


def add_diagnose_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Register `diagnose` on the main parser's subparsers (with the global options)."""
    p = subparsers.add_parser(
        "diagnose",
        parents=list(parents),
        help="find why pushes do not arrive (shared endpoints, stale tokens, credentials...)",
        description=(
            "Diagnose a service's push setup: endpoints shared by identities, piles of "
            "bindings, stale bindings, bindings without new_message, missing or mismatched "
            "credentials, APN sandbox credentials, legacy GCM, switched-off push types, and "
            "Twilio's own push alerts (Monitor, error codes 52xxx). Thresholds default to the "
            "[diagnostics] table of config.toml in the config directory."
        ),
    )
    p.add_argument(
        "--identity",
        action="append",
        type=argtypes.identity,
        default=None,
        metavar="IDENTITY",
        help="lead with the verdict for this identity: why it gets no push (repeatable)",
    )
    p.add_argument(
        "--alerts-days",
        type=argtypes.alerts_days,
        default=DEFAULT_ALERT_DAYS,
        metavar="N",
        help=f"read Twilio's alerts of the last N days (1..30, default {DEFAULT_ALERT_DAYS})",
    )
    p.add_argument(
        "--max-alerts",
        type=argtypes.max_alerts,
        default=DEFAULT_MAX_ALERTS,
        metavar="N",
        help=f"read at most N alerts (default {DEFAULT_MAX_ALERTS})",
    )
    p.add_argument("-o", "--output", choices=DIAGNOSE_FORMATS, default="table")
    p.add_argument(
        "--stale-days",
        type=argtypes.stale_days,
        default=None,
        metavar="N",
        help="stale: not updated for more than N days (default 60)",
    )
    p.add_argument(
        "--pile-up",
        type=argtypes.pile_up,
        default=None,
        metavar="N",
        help="pile-up: more than N bindings of one type for one identity (default 5)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help=f"table: list every binding of a finding (default: first {DEFAULT_SHOWN_BINDINGS})",
    )
    p.add_argument(
        "--now",
        default=None,
        metavar="ISO-8601",
        help="judge ages as of this time (default: now; with --demo, the fake's clock)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="diagnose the built-in fake Twilio (without --service, lists its services)",
    )


def run_diagnose(args: argparse.Namespace) -> int:
    return asyncio.run(diagnose(args, sys.stdout, sys.stderr))


def parse_now(value: str | None, demo: bool) -> datetime:
    if value is None:
        if demo:
            from bindings_tui.fake_twilio import FAKE_NOW

            return FAKE_NOW
        return datetime.now(UTC)
    return argtypes.iso_time(value)


def settings_profile(flag: str | None) -> str | None:
    """The profile whose thresholds apply: the one the credentials come from (the
    resolution order: --profile, then the environment, then the active profile)."""
    if flag:
        return flag
    from bindings_tui.credentials.api_credentials import credentials_from_env
    from bindings_tui.credentials.profiles import ProfileStore

    try:
        if credentials_from_env() is not None:
            return None
        active = ProfileStore().active()
    except BindingsError:
        return None  # the client reports bad credentials; thresholds fall back to defaults
    return active.name if active is not None else None


async def diagnose(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    demo = bool(getattr(args, "demo", False))
    settings = load_settings(
        profile=None if demo else settings_profile(getattr(args, "profile", None)),
        pile_up_threshold=args.pile_up,
        stale_days=args.stale_days,
    )
    now = parse_now(args.now, demo)
    service = service_of(args) if args.service or not demo else None
    async with make_client(args) as client:
        if service is None:
            services = await client.list_services()
            choices = "; ".join(
                f"{s.sid} {make_visible(s.friendly_name or '')!r}" for s in services
            )
            raise InputError(f"--service IS... is required; the demo's services: {choices}")
        identities = tuple(getattr(args, "identity", None) or ())
        window = AlertWindow(
            days=getattr(args, "alerts_days", DEFAULT_ALERT_DAYS),
            max_alerts=getattr(args, "max_alerts", DEFAULT_MAX_ALERTS),
        )
        report = await run_diagnostics(
            client, service, settings, now, alerts=window, identities=identities
        )
    for problem in report.problems:
        err.write(f"{PROG}: warning: {make_visible(problem)}\n")
    if args.output == "json":
        document: object = (
            verdicts_json(report, identities) if identities else findings_json(report.findings)
        )
        out.write(json_dumps(document, indent=2) + "\n")
    elif identities:
        out.write(render_verdicts(report, identities, full=args.full))
    else:
        out.write(render_table(report, full=args.full))
    return 0


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
    "DIAGNOSE_FORMATS",
    "add_diagnose_parser",
    "diagnose",
    "findings_json",
    "parse_now",
    "render_table",
    "render_verdicts",
    "run_diagnose",
    "verdicts_json",
]
