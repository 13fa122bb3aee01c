"""Findings from Twilio's push alerts: one per (what the alerts name, code).

A code that says the device token is dead (52102, 52141, ...) on a binding is a
`dead-token` finding: the clean-up that evidence backs. Every other push code is a
`push-alert` finding on the binding, on the bindings that use the named credential, or
on the service (alerts that name nothing loaded).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from bindings_tui.evidence.alerts import Alert, AlertMatches
from bindings_tui.findings import SEVERITY, Evidence, EvidenceSource, Finding, FindingKind, Severity
from bindings_tui.models import Binding
from bindings_tui.push_codes import PushCode


def times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def alert_evidence(code: PushCode, alerts: Sequence[Alert], days: int) -> Evidence:
    moments = [a.date_generated for a in alerts if a.date_generated is not None]
    last = f", last {max(moments).astimezone(UTC):%Y-%m-%d %H:%M}Z" if moments else ""
    return Evidence(
        EvidenceSource.ALERTS,
        f"Twilio reported {code.code} {times(len(alerts))} in {days} days{last}",
        alert_sids=tuple(a.sid for a in alerts),
        codes=(code.code,),
    )


def _by_code(alerts: Sequence[Alert]) -> dict[str, tuple[PushCode, list[Alert]]]:
    groups: dict[str, tuple[PushCode, list[Alert]]] = {}
    for alert in alerts:
        code = alert.code
        if code is not None:
            groups.setdefault(code.code, (code, []))[1].append(alert)
    return groups


def _severity(code: PushCode) -> Severity:
    return Severity.WARNING if code.level == "warning" else Severity.ERROR


def _details(code: PushCode, alerts: Sequence[Alert], scope: str, **more: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "code": code.code,
        "title": code.title,
        "meaning": code.meaning,
        "docs": code.docs_url,
        "platform": code.platform,
        "count": len(alerts),
        "alert_sids": [a.sid for a in alerts],
        **more,
    }


def alert_findings(matches: AlertMatches, bindings: Sequence[Binding], days: int) -> list[Finding]:
    """Findings from matched push alerts (ignored and other-service alerts give none)."""
    # One pass keeping only the bindings the alerts name, and per named credential its
    # users' SIDs and identities (not a Binding per row: at a million rows that was
    # hundreds of megabytes).
    named = dict.fromkeys([*matches.by_binding, *matches.by_device])
    by_sid: dict[str, Binding] = {}
    users: dict[str, tuple[list[str], set[str | None]]] = {}
    if named or matches.by_credential:
        for b in bindings:
            if b.sid in named:
                by_sid[b.sid] = b
            if b.credential_sid in matches.by_credential:
                sids, identities = users.setdefault(b.credential_sid, ([], set()))
                sids.append(b.sid)
                identities.add(b.identity)
    out: list[Finding] = []
    for sid in named:
        binding = by_sid.get(sid)
        if binding is None:
            continue
        for code, group in _by_code(matches.for_binding(sid)).values():
            out.append(_binding_finding(binding, code, group, days))
    for credential_sid, alerts in matches.by_credential.items():
        using, identities = users.get(credential_sid, ([], set()))
        shared = tuple(using)
        for code, group in _by_code(alerts).values():
            out.append(_credential_finding(credential_sid, shared, identities, code, group, days))
    for code, group in _by_code(matches.service).values():
        out.append(_service_finding(code, group, days))
    return out


def _binding_finding(b: Binding, code: PushCode, alerts: list[Alert], days: int) -> Finding:
    kind = FindingKind.DEAD_TOKEN if code.token_dead else FindingKind.PUSH_ALERT
    who = b.identity or "(no identity)"
    return Finding(
        kind=kind,
        severity=SEVERITY[kind] if code.token_dead else _severity(code),
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(
            f"{code.code} {code.title} on the {b.binding_type or 'untyped'} binding of {who} "
            f"({times(len(alerts))}): {code.meaning}"
        ),
        details=_details(code, alerts, "binding"),
        evidence=alert_evidence(code, alerts, days),
        action=code.action,
    )


def _credential_finding(
    credential_sid: str,
    sids: tuple[str, ...],
    identities: set[str | None],
    code: PushCode,
    alerts: list[Alert],
    days: int,
) -> Finding:
    return Finding(
        kind=FindingKind.PUSH_ALERT,
        severity=_severity(code),
        binding_sids=sids,
        identity=next(iter(identities)) if len(identities) == 1 else None,
        summary=(
            f"{code.code} {code.title} on credential {credential_sid} ({times(len(alerts))}), "
            f"used by {len(sids)} binding(s): {code.meaning}"
        ),
        details=_details(code, alerts, "credential", credential_sid=credential_sid),
        evidence=alert_evidence(code, alerts, days),
        action=code.action,
    )


def _service_finding(code: PushCode, alerts: list[Alert], days: int) -> Finding:
    return Finding(
        kind=FindingKind.PUSH_ALERT,
        severity=_severity(code),
        binding_sids=(),
        identity=None,
        summary=(
            f"{code.code} {code.title} ({times(len(alerts))}), naming no binding or credential "
            f"loaded here: {code.meaning}"
        ),
        details=_details(code, alerts, "service"),
        evidence=alert_evidence(code, alerts, days),
        action=code.action,
    )


__all__ = ["alert_evidence", "alert_findings", "times"]
