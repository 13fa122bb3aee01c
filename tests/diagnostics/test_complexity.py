"""The diagnosis is linear in the number of bindings: measured by counting, never timing.

`sys.settrace` counts every Python line executed (and every call) while the pure
functions run. A nested loop over the bindings multiplies that count by 16 when the
input grows 4x; a single pass multiplies it by about 4.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import Any

from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    FindingKind,
    compute_binding_findings,
    credential_findings,
    findings_by_sid,
    summary_counts,
)
from bindings_tui.models import Binding, Credential

from .helpers import CR_APN, CR_APN_SANDBOX, CR_FCM, CR_GONE, NOW

CREDS: dict[str, Credential | None] = {
    CR_APN: Credential.from_json({"sid": CR_APN, "type": "apn", "sandbox": "false"}),
    CR_APN_SANDBOX: Credential.from_json({"sid": CR_APN_SANDBOX, "type": "apn", "sandbox": True}),
    CR_FCM: Credential.from_json({"sid": CR_FCM, "type": "fcm"}),
    CR_GONE: None,
}
CRED_CYCLE = (CR_APN, CR_APN_SANDBOX, CR_FCM, CR_GONE)


def worst_case(n: int) -> list[Binding]:
    """Big groups on purpose: a quarter share one endpoint across distinct identities, a
    quarter are one identity's apn pile, and every binding has some finding."""
    out: list[Binding] = []
    for i in range(n):
        shape = i % 4
        identity = "piler" if shape == 1 else f"user{i}"
        endpoint = "SHARED" if shape == 0 else f"{i:064x}"
        updated = NOW - timedelta(days=100 if shape == 2 else 1, seconds=i)
        raw: dict[str, Any] = {"message_types": [] if shape == 3 else ["new_message"]}
        out.append(
            Binding(
                sid=f"BS{i:032x}",
                identity=identity,
                binding_type="apn",
                endpoint=endpoint,
                message_types=tuple(raw["message_types"]),
                credential_sid=CRED_CYCLE[i % len(CRED_CYCLE)],
                service_sid=None,
                account_sid=None,
                date_created=updated - timedelta(days=1),
                date_updated=updated,
                raw_keys=tuple(raw),
                raw_values=tuple(raw.values()),
            )
        )
    return out


def count_events(work: Callable[[], object]) -> int:
    events = 0

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal events
        events += 1
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    return events


def diagnose_all(bindings: list[Binding]) -> None:
    findings = compute_binding_findings(bindings, DiagnosticsSettings(), NOW)
    findings += credential_findings(bindings, CREDS)
    findings_by_sid(findings)
    summary_counts(findings)


def test_work_grows_linearly_with_the_number_of_bindings() -> None:
    small, large = worst_case(1_000), worst_case(4_000)
    small_events = count_events(lambda: diagnose_all(small))
    large_events = count_events(lambda: diagnose_all(large))
    ratio = large_events / small_events
    # Linear: ~4. Quadratic: ~16. n log n sorting would still stay under 4.9.
    assert 3.5 < ratio < 4.6, (small_events, large_events)
    # And a small constant per binding (every binding here yields findings).
    assert large_events / 4_000 < 150, large_events


def test_the_worst_case_input_really_has_big_groups() -> None:
    """Guards the test above: if the groups were small, a quadratic bug could hide."""
    findings = compute_binding_findings(worst_case(400), DiagnosticsSettings(), NOW)
    counts = summary_counts(findings)
    [shared] = [f for f in findings if f.kind is FindingKind.SHARED_ENDPOINT]
    [pile] = [f for f in findings if f.kind is FindingKind.PILE_UP]
    assert len(shared.binding_sids) == 100
    assert len(pile.binding_sids) == 100
    assert counts[FindingKind.STALE] == 100
    assert counts[FindingKind.NO_NEW_MESSAGE] == 100


def test_a_hundred_thousand_bindings_are_diagnosed() -> None:
    bindings = worst_case(100_000)
    findings = compute_binding_findings(bindings, DiagnosticsSettings(), NOW)
    findings += credential_findings(bindings, CREDS)
    counts = summary_counts(findings)
    assert counts[FindingKind.STALE] == 25_000
    assert counts[FindingKind.NO_NEW_MESSAGE] == 25_000
    assert counts[FindingKind.SHARED_ENDPOINT] == 1
    assert counts[FindingKind.PILE_UP] == 1
    assert counts[FindingKind.CREDENTIAL_MISSING] == 1
    assert counts[FindingKind.APN_SANDBOX] == 1
    assert len(findings_by_sid(findings)) == 100_000


def with_alerts(bindings: list[Binding]) -> None:
    """The alert passes: one alert per five bindings, naming them every way they can."""
    from urllib.parse import urlencode

    from bindings_tui.evidence.alert_findings import alert_findings
    from bindings_tui.evidence.alerts import Alert, match_alerts

    service = "IS" + "0" * 32
    alerts = []
    for i in range(len(bindings) // 5):
        target = bindings[(i * 7) % len(bindings)]
        text = {0: urlencode({"bindingSid": target.sid}), 1: urlencode({"token": target.endpoint})}
        alerts.append(
            Alert.from_json(
                {
                    "sid": f"NO{i:032x}",
                    "error_code": ("52134", "52102", "52131", "11200")[i % 4],
                    "alert_text": text.get(i % 3, ""),
                    "resource_sid": target.sid if i % 3 == 2 else None,
                    "service_sid": service,
                }
            )
        )
    matches = match_alerts(alerts, bindings, service, CREDS)
    alert_findings(matches, bindings, 7)


def test_alerts_keep_the_work_linear() -> None:
    small, large = worst_case(1_000), worst_case(4_000)

    def run(bindings: list[Binding]) -> None:
        diagnose_all(bindings)
        with_alerts(bindings)

    ratio = count_events(lambda: run(large)) / count_events(lambda: run(small))
    assert 3.5 < ratio < 4.6, ratio


def test_the_findings_index_is_each_sids_findings_in_order_with_lists_shared() -> None:
    bindings = worst_case(2_000)
    findings = compute_binding_findings(bindings, DiagnosticsSettings(), NOW)
    findings += credential_findings(bindings, CREDS)
    naive: dict[str, list[Any]] = {}
    for finding in findings:
        for sid in finding.binding_sids:
            naive.setdefault(sid, []).append(finding)
    index = findings_by_sid(findings)
    assert index == naive
    assert list(index) == list(naive)
    # SIDs named by the same findings share one list (a million lists at 1M otherwise).
    shared = {id(v) for v in index.values()}
    assert len(shared) == len({tuple(map(id, v)) for v in naive.values()})
    assert len(shared) < len(index)
