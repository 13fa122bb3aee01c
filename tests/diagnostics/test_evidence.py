"""Evidence rules: how an alert names a binding, a device, a credential, a service or
nothing; non-push alerts never appear; legacy GCM/FCM, dead tokens, push types, users and
the verdict."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    FindingKind,
    Severity,
    cleanup_targets,
    compute_binding_findings,
    credential_findings,
)
from bindings_tui.errors import InputError
from bindings_tui.evidence.alert_findings import alert_findings
from bindings_tui.evidence.alerts import Alert, AlertWindow, alert_refs, match_alerts
from bindings_tui.evidence.push_config import push_type_findings
from bindings_tui.evidence.users import UserReachability, identity_findings
from bindings_tui.evidence.verdict import build_verdict
from bindings_tui.findings import EvidenceSource
from bindings_tui.models import ApiFlavor, Credential
from bindings_tui.push_codes import PUSH_CODES, push_code

from .helpers import CR_APN, CR_FCM, NOW, days_ago, make_binding

SERVICE = "IS" + "0" * 32
OTHER_SERVICE = "IS" + "9" * 32


def alert(code: str = "52134", n: int = 1, **fields: Any) -> Alert:
    raw = {"sid": f"NO{n:032x}", "error_code": code, "log_level": "error"}
    raw["date_generated"] = "2026-10-30T10:00:00Z"
    return Alert.from_json(raw | fields)


def kinds(findings: list[Any]) -> list[FindingKind]:
    return [f.kind for f in findings]


# ---- the code table ---------------------------------------------------------------------


def test_every_code_has_a_docs_link_and_a_meaning() -> None:
    for code, row in PUSH_CODES.items():
        assert row.code == code and code.startswith("52")
        assert row.docs_url == f"https://www.twilio.com/docs/api/errors/{code}"
        assert row.title and row.meaning and row.action and row.level in ("error", "warning")
    assert push_code("52134") is PUSH_CODES["52134"]
    assert push_code(52134) is PUSH_CODES["52134"]
    assert push_code("11200") is None and push_code(None) is None and push_code(True) is None


# ---- each way an alert names something ---------------------------------------------------------


def test_an_alert_names_a_binding_by_resource_sid() -> None:
    b = make_binding()
    matches = match_alerts([alert(resource_sid=b.sid, service_sid=SERVICE)], [b], SERVICE)
    assert list(matches.by_binding) == [b.sid]
    [finding] = alert_findings(matches, [b], 7)
    assert finding.kind is FindingKind.PUSH_ALERT and finding.binding_sids == (b.sid,)
    assert finding.evidence is not None
    assert finding.evidence.source is EvidenceSource.ALERTS
    assert finding.evidence.codes == ("52134",)
    assert finding.evidence.text.startswith("Twilio reported 52134 once in 7 days")
    assert finding.details["docs"] == "https://www.twilio.com/docs/api/errors/52134"


def test_an_alert_names_a_binding_in_its_url_encoded_text() -> None:
    b = make_binding()
    text = urlencode({"BindingSid": b.sid, "reason": "BadDeviceToken"})
    matches = match_alerts([alert(alert_text=text, resource_sid="NT" + "1" * 32)], [b], SERVICE)
    assert list(matches.by_binding) == [b.sid]


def test_a_sid_inside_prose_is_not_grepped() -> None:
    """alert_text is parsed as key=value pairs: a SID inside a sentence names nothing."""
    b = make_binding()
    text = urlencode({"message": f"binding {b.sid} failed"})
    matches = match_alerts([alert(alert_text=text, service_sid=SERVICE)], [b], SERVICE)
    assert matches.by_binding == {} and len(matches.service) == 1


def test_an_alert_names_a_binding_in_its_request_url() -> None:
    b = make_binding()
    url = f"https://conversations.twilio.com/v1/Services/{SERVICE}/Bindings/{b.sid}"
    assert b.sid in alert_refs(alert(request_url=url)).sids
    assert list(match_alerts([alert(request_url=url)], [b], SERVICE).by_binding) == [b.sid]


def test_an_alert_names_a_device_by_its_token() -> None:
    apn = make_binding(endpoint="ab" * 32)
    other = make_binding("bob", endpoint="cd" * 32)
    text = urlencode({"token": "AB" * 32})  # APNs tokens are hex: case does not matter
    matches = match_alerts([alert("52143", alert_text=text)], [apn, other], SERVICE)
    assert list(matches.by_device) == [apn.sid]
    assert matches.for_binding(apn.sid) and not matches.for_binding(other.sid)


def test_an_alert_names_a_credential() -> None:
    users = [
        make_binding("a", "fcm", credential_sid=CR_FCM),
        make_binding("b", "fcm", credential_sid=CR_FCM),
    ]
    text = urlencode({"credentialSid": CR_FCM})
    matches = match_alerts([alert("52117", alert_text=text)], users, SERVICE)
    assert list(matches.by_credential) == [CR_FCM]
    [finding] = alert_findings(matches, users, 7)
    assert set(finding.binding_sids) == {b.sid for b in users}
    assert finding.details["scope"] == "credential" and finding.details["credential_sid"] == CR_FCM


def test_an_alert_naming_only_this_service_is_shown_for_the_service() -> None:
    b = make_binding()
    matches = match_alerts([alert("52131", service_sid=SERVICE)], [b], SERVICE)
    assert len(matches.service) == 1
    [finding] = alert_findings(matches, [b], 7)
    assert finding.binding_sids == () and finding.details["scope"] == "service"


def test_an_alert_naming_nothing_is_shown_for_the_service() -> None:
    b = make_binding()
    ghost = "BS" + "f" * 32  # a binding not loaded (deleted since, say)
    matches = match_alerts([alert(resource_sid=ghost)], [b], SERVICE)
    assert len(matches.service) == 1


def test_an_alert_of_another_service_is_left_out() -> None:
    b = make_binding()
    matches = match_alerts([alert(service_sid=OTHER_SERVICE)], [b], SERVICE)
    assert matches.service == [] and matches.other_service == 1
    assert alert_findings(matches, [b], 7) == []


def test_a_service_without_bindings_shows_only_alerts_naming_it() -> None:
    matches = match_alerts([alert(), alert("52131", 2, service_sid=SERVICE)], [], SERVICE)
    assert [a.sid for a in matches.service] == [f"NO{2:032x}"]


@pytest.mark.parametrize("code", ["11200", "30007", "20003", "", None])
def test_non_push_alerts_never_appear(code: str | None) -> None:
    b = make_binding()
    noise = alert(code or "", resource_sid=b.sid, service_sid=SERVICE)
    noise = Alert.from_json(
        {"sid": noise.sid, "error_code": code, "resource_sid": b.sid, "service_sid": SERVICE}
    )
    matches = match_alerts([noise], [b], SERVICE)
    assert matches.ignored == 1 and matches.all_push_alerts() == []
    assert alert_findings(matches, [b], 7) == []


def test_malformed_alerts_are_bounded() -> None:
    b = make_binding()
    flood = "&".join(f"k{i}={b.sid}" for i in range(1000))  # more fields than any alert
    matches = match_alerts([alert(alert_text=flood, service_sid=SERVICE)], [b], SERVICE)
    assert matches.by_binding == {}
    with pytest.raises(InputError):
        AlertWindow(days=31)
    with pytest.raises(InputError):
        AlertWindow(days=0)


# ---- dead tokens and stale ----------------------------------------------------------------------


def test_a_token_rejecting_alert_makes_a_dead_token_the_clean_up_evidence_backs() -> None:
    b = make_binding(binding_type="fcm", credential_sid=CR_FCM, updated=days_ago(100))
    alerts = [alert("52102", 1, resource_sid=b.sid), alert("52102", 2, resource_sid=b.sid)]
    found = compute_binding_findings([b], DiagnosticsSettings(), NOW)
    found += alert_findings(match_alerts(alerts, [b], SERVICE), [b], 7)
    assert set(kinds(found)) == {FindingKind.STALE, FindingKind.DEAD_TOKEN}
    [dead] = [f for f in found if f.kind is FindingKind.DEAD_TOKEN]
    assert dead.evidence is not None and "twice" in dead.evidence.text
    assert cleanup_targets(found, [b.sid]) == {FindingKind.DEAD_TOKEN: [b.sid]}


def test_stale_without_evidence_is_information_and_no_clean_up() -> None:
    b = make_binding(updated=days_ago(400))
    [stale] = compute_binding_findings([b], DiagnosticsSettings(), NOW)
    assert stale.kind is FindingKind.STALE and stale.severity is Severity.INFO
    assert (
        stale.evidence is not None and stale.evidence.text == "heuristic: not updated for 400 days"
    )
    assert cleanup_targets([stale], [b.sid]) == {}


def test_an_fcm_token_past_270_days_is_dead_an_apn_one_is_not() -> None:
    fcm = make_binding(binding_type="fcm", credential_sid=CR_FCM, updated=days_ago(271))
    young = make_binding(binding_type="fcm", credential_sid=CR_FCM, updated=days_ago(269))
    apn = make_binding(updated=days_ago(400))
    found = compute_binding_findings([fcm, young, apn], DiagnosticsSettings(), NOW)
    dead = [f for f in found if f.kind is FindingKind.DEAD_TOKEN]
    assert [f.binding_sids for f in dead] == [(fcm.sid,)]
    assert dead[0].evidence is not None and dead[0].evidence.source is EvidenceSource.DOCUMENTED
    assert "270" in dead[0].evidence.text


def test_pile_up_says_what_it_costs() -> None:
    pile = [make_binding("alice", updated=days_ago(i)) for i in range(7)]
    [pile_up] = [
        f
        for f in compute_binding_findings(pile, DiagnosticsSettings(), NOW)
        if f.kind is FindingKind.PILE_UP
    ]
    assert "old tokens" in pile_up.summary and "not blocked" in pile_up.summary
    assert pile_up.evidence is not None and pile_up.evidence.text.startswith("heuristic: ")


# ---- legacy GCM / FCM ---------------------------------------------------------------------------


def test_gcm_bindings_and_credentials_are_legacy_with_what_to_do() -> None:
    cr_gcm = "CR" + "e" * 32
    b = make_binding(binding_type="gcm", credential_sid=cr_gcm)
    found = compute_binding_findings([b], DiagnosticsSettings(), NOW)
    gcm = Credential.from_json({"sid": cr_gcm, "type": "gcm"})
    found += credential_findings([b], {cr_gcm: gcm})
    legacy = [f for f in found if f.kind is FindingKind.LEGACY_GCM]
    assert len(legacy) == 2 and all(f.binding_sids == (b.sid,) for f in legacy)
    assert all("fcm" in f.action and "FCM v1" in f.action for f in legacy)


@pytest.mark.parametrize(
    ("updated", "warned"),
    [("2024-05-01T00:00:00Z", True), ("2024-07-01T00:00:00Z", False), (None, False)],
)
def test_an_fcm_credential_untouched_since_the_shutdown_is_a_warning(
    updated: str | None, warned: bool
) -> None:
    b = make_binding(binding_type="fcm", credential_sid=CR_FCM)
    credential = Credential.from_json({"sid": CR_FCM, "type": "fcm", "date_updated": updated})
    found = credential_findings([b], {CR_FCM: credential})
    legacy = [f for f in found if f.kind is FindingKind.LEGACY_FCM_KEY]
    assert bool(legacy) is warned
    if warned:
        assert legacy[0].severity is Severity.WARNING and legacy[0].binding_sids == (b.sid,)


# ---- push configuration --------------------------------------------------------------------


def test_switched_off_types_are_findings_for_the_bindings_that_need_them() -> None:
    subscribed = make_binding(message_types=("new_message", "added_to_conversation"))
    config = {
        "new_message": {"enabled": True, "with_media": {"enabled": False}},
        "added_to_conversation": {"enabled": False},
        "removed_from_conversation": {"enabled": False},  # nobody subscribes: no finding
    }
    found = push_type_findings(config, ApiFlavor.CONVERSATIONS, [subscribed])
    assert {f.details["setting"] for f in found} == {
        "new_message.with_media",
        "added_to_conversation",
    }
    assert all(f.kind is FindingKind.PUSH_TYPE_OFF and f.details["bindings"] == 1 for f in found)
    chat = {"new_message": {"enabled": True}, "invited_to_channel": {"enabled": False}}
    invited = make_binding(message_types=("invited_to_channel",))
    [only] = push_type_findings(chat, ApiFlavor.CHAT, [invited])
    assert only.details["setting"] == "invited_to_channel"


# ---- users and the verdict ----------------------------------------------------------------------


def test_user_findings_and_reachability() -> None:
    off = UserReachability.from_json("x", {"sid": "US" + "1" * 32, "is_notifiable": None})
    assert off.reachability_off and "reachability indicator is off" in off.describe()
    muted = UserReachability.from_json("x", {"is_notifiable": False, "is_online": True})
    b = make_binding("x")
    [finding] = identity_findings("x", [b], muted, ApiFlavor.CONVERSATIONS)
    assert finding.kind is FindingKind.USER_NOT_NOTIFIABLE and finding.binding_sids == (b.sid,)
    none = identity_findings("y", [], UserReachability.missing("y"), ApiFlavor.CONVERSATIONS)
    assert kinds(none) == [FindingKind.NO_BINDING]
    assert "never registered" in none[0].summary


def test_the_verdict_ranks_alert_evidence_first_and_says_when_nothing_is_wrong() -> None:
    mine = make_binding("x", updated=days_ago(100))
    old = make_binding("x", updated=days_ago(200))
    found = compute_binding_findings([mine, old], DiagnosticsSettings(pile_up_threshold=1), NOW)
    found += alert_findings(
        match_alerts([alert(resource_sid=mine.sid, service_sid=SERVICE)], [mine, old], SERVICE),
        [mine, old],
        7,
    )
    verdict = build_verdict("x", [mine, old], found, ["checked this"])
    assert verdict.reasons[0].kind is FindingKind.PUSH_ALERT
    assert verdict.headline.startswith("Most likely: 52134")
    assert all(f.severity is not Severity.INFO for f in verdict.reasons)
    assert {f.kind for f in verdict.information} == {FindingKind.STALE}
    healthy = make_binding("y")
    calm = build_verdict("y", [healthy], found, ["checked this"])
    assert calm.reasons == [] and calm.headline.startswith("Nothing found")
    assert calm.checked == ["checked this"]


def test_an_apns_alert_for_the_service_does_not_concern_an_fcm_only_user() -> None:
    fcm = make_binding("f", "fcm", credential_sid=CR_FCM)
    apn = make_binding("a", credential_sid=CR_APN)
    matches = match_alerts([alert("52131", service_sid=SERVICE)], [fcm, apn], SERVICE)
    found = alert_findings(matches, [fcm, apn], 7)
    assert build_verdict("f", [fcm], found).reasons == []
    assert build_verdict("a", [apn], found).reasons == found


def test_window_start() -> None:
    assert AlertWindow(days=30).start(NOW) == NOW - timedelta(days=30)
