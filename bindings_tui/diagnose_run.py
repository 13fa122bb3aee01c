"""Headless push diagnosis: the reads (`diagnose_reads`), then the rules over them.

`run_diagnostics` lists a service's bindings (or takes the ones already loaded), fetches
each distinct credential SID once (concurrently, bounded), reads the service's whole push
configuration, Twilio Monitor's alerts for a window (default 7 days, bounded in count)
and, for the identities asked about, their User resources; it returns every finding
plus what it read. A read that fails (Monitor refused to a restricted key, say) is a
line in `problems`, never the end of the diagnosis. No textual import.

Thresholds: `diagnosis_settings` (the `[diagnostics]` table of config.toml).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bindings_tui.client import TwilioClient
from bindings_tui.config import CONFIG_FILE
from bindings_tui.diagnose_reads import (
    DEFAULT_ALERT_WINDOW,
    DEFAULT_CONCURRENCY,
    ServiceReads,
    fetch_credentials,
    list_bindings_by_type,
    read_service,
)
from bindings_tui.diagnosis_settings import SETTINGS_TABLE, load_settings, settings_path
from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    Finding,
    compute_binding_findings,
    credential_findings,
    service_findings,
)
from bindings_tui.evidence.alert_findings import alert_findings
from bindings_tui.evidence.alerts import Alert, AlertMatches, AlertWindow, match_alerts
from bindings_tui.evidence.push_config import describe_config, push_type_findings
from bindings_tui.evidence.users import UserReachability, identity_findings
from bindings_tui.evidence.verdict import Verdict, build_verdict
from bindings_tui.models import ApiFlavor, Binding, Credential, JsonDict


@dataclass(frozen=True, slots=True)
class DiagnosisReport:
    """Everything one diagnosis found and read.

    - `credentials`: credential SID -> Credential, or None when it does not exist
      (404, or a malformed SID that cannot exist);
    - `unresolved_credentials`: credential SID -> why it could not be read (no finding);
    - `notification_config`: the service's push settings, None when unreadable;
    - `problems`: one line per read that failed without stopping the diagnosis;
    - `alert_window`: the alerts asked for (None: not read); `alerts`: every alert read
      (push or not; only push codes ever become findings); `alerts_truncated`: the
      window held more than `alert_window.max_alerts`; `alert_matches`: what each push
      alert names among the bindings (recomputed by `rediagnose`);
    - `identities`: identities asked about; `users`: their User resources (absent: the
      read failed).
    """

    service_sid: str
    api: ApiFlavor
    now: datetime
    settings: DiagnosticsSettings
    bindings: Sequence[Binding]
    findings: list[Finding]
    credentials: dict[str, Credential | None]
    unresolved_credentials: dict[str, str] = field(default_factory=dict)
    notification_config: JsonDict | None = None
    problems: list[str] = field(default_factory=list)
    alert_window: AlertWindow | None = None
    alerts: list[Alert] = field(default_factory=list)
    alerts_truncated: bool = False
    alert_matches: AlertMatches | None = None
    identities: tuple[str, ...] = ()
    users: dict[str, UserReachability] = field(default_factory=dict)

    def verdict(self, identity: str) -> Verdict:
        """The ranked answer for one identity, with what was checked."""
        mine = [b for b in self.bindings if b.identity == identity]
        return build_verdict(identity, mine, self.findings, self.checked(identity))

    def checked(self, identity: str | None = None) -> list[str]:
        """What this diagnosis looked at, one line each (for "nothing is wrong" too)."""
        lines = [
            f"{len(self.bindings)} binding(s) of the service ({self.api.label})",
            f"{len(self.credentials)} credential(s) resolved",
            describe_config(self.notification_config, self.api),
        ]
        if self.alert_window is None:
            lines.append("Twilio alerts: not read")
        elif self.alert_matches is None:
            lines.append("Twilio alerts: could not be read")
        else:
            push = len(self.alert_matches.all_push_alerts())
            more = (
                " (the limit was reached: older alerts not read)" if self.alerts_truncated else ""
            )
            lines.append(
                f"Twilio alerts of the last {self.alert_window.days} day(s): {len(self.alerts)} "
                f"read, {push} about push for this service{more}"
            )
        if identity is not None:
            user = self.users.get(identity)
            lines.append(user.describe() if user else "User resource: could not be read")
        return lines


async def run_diagnostics(
    client: TwilioClient,
    service_sid: str,
    settings: DiagnosticsSettings,
    now: datetime,
    *,
    bindings: Sequence[Binding] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    alerts: AlertWindow | None = DEFAULT_ALERT_WINDOW,
    identities: Sequence[str] = (),
) -> DiagnosisReport:
    """Diagnose one service. Pass `bindings` when they are already loaded (the TUI).

    `alerts`: the Monitor window to read (None: no alerts); `identities`: whose User
    resources to read (and who may have no binding at all). The reads: `read_service`.
    """
    wanted = tuple(dict.fromkeys(i for i in identities if i))
    reads = await read_service(
        client,
        service_sid,
        now,
        bindings=bindings,
        concurrency=concurrency,
        alerts=alerts,
        identities=wanted,
    )
    return await asyncio.to_thread(
        diagnosis_of, reads, service_sid, client.api, settings, now, alerts, wanted
    )


def diagnosis_of(
    reads: ServiceReads,
    service_sid: str,
    api: ApiFlavor,
    settings: DiagnosticsSettings,
    now: datetime,
    alerts: AlertWindow | None,
    identities: tuple[str, ...],
) -> DiagnosisReport:
    """The report for what `read_service` read: every finding. Pure; fine in a thread."""
    report = DiagnosisReport(
        service_sid=service_sid,
        api=api,
        now=now,
        settings=settings,
        bindings=reads.bindings,
        findings=[],
        credentials=reads.credentials,
        unresolved_credentials=reads.unresolved_credentials,
        notification_config=reads.config,
        problems=reads.problems,
        alert_window=alerts,
        alerts=reads.alerts or [],
        alerts_truncated=reads.alerts_truncated,
        # An empty match until rediagnose ties the alerts (None: they could not be read).
        alert_matches=AlertMatches() if reads.alerts is not None else None,
        identities=identities,
        users=reads.users,
    )
    return rediagnose(report, reads.bindings, now)


def rediagnose(
    report: DiagnosisReport, bindings: Sequence[Binding], now: datetime
) -> DiagnosisReport:
    """The findings for `bindings` (say, after some were deleted), reusing the report's
    resolved credentials, push settings, alerts and users: no network. Pure; fine to run
    in a thread. Alerts are tied again, so a deleted binding's alerts move to the service."""
    findings = compute_binding_findings(bindings, report.settings, now)
    findings += credential_findings(bindings, report.credentials)
    if report.notification_config is not None:
        findings += service_findings(report.notification_config, report.api)
        findings += push_type_findings(report.notification_config, report.api, bindings)
    matches = report.alert_matches
    if matches is not None and report.alert_window is not None:
        matches = match_alerts(report.alerts, bindings, report.service_sid, report.credentials)
        findings += alert_findings(matches, bindings, report.alert_window.days)
    if report.identities:
        by_identity: dict[str, list[Binding]] = {i: [] for i in report.identities}
        for b in bindings:
            if b.identity in by_identity:
                by_identity[b.identity].append(b)
        for identity, mine in by_identity.items():
            findings += identity_findings(identity, mine, report.users.get(identity), report.api)
    return replace(report, now=now, bindings=bindings, findings=findings, alert_matches=matches)


__all__ = [
    "CONFIG_FILE",
    "DEFAULT_ALERT_WINDOW",
    "DEFAULT_CONCURRENCY",
    "SETTINGS_TABLE",
    "AlertWindow",
    "DiagnosisReport",
    "diagnosis_of",
    "fetch_credentials",
    "list_bindings_by_type",
    "load_settings",
    "rediagnose",
    "run_diagnostics",
    "settings_path",
]
