"""Each finding kind on hand-built bindings, with the edge cases the rules promise."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta

import pytest

from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    Finding,
    FindingKind,
    Severity,
    affected_binding_counts,
    cleanup_targets,
    compute_binding_findings,
    credential_findings,
    distinct_credential_sids,
    endpoint_key,
    findings_by_sid,
    service_findings,
    severity_by_sid,
    sort_findings,
    summary_counts,
)
from bindings_tui.errors import InputError
from bindings_tui.models import ApiFlavor, Binding, Credential

from .helpers import CR_APN, CR_APN_SANDBOX, CR_FCM, CR_GONE, NOW, days_ago, make_binding

DEFAULTS = DiagnosticsSettings()


def kinds(findings: list[Finding], kind: FindingKind) -> list[Finding]:
    return [f for f in findings if f.kind is kind]


def run(bindings: list[Binding], settings: DiagnosticsSettings = DEFAULTS) -> list[Finding]:
    return compute_binding_findings(bindings, settings, NOW)


# ---- healthy data ---------------------------------------------------------------------------


def test_no_bindings_no_findings() -> None:
    assert run([]) == []


def test_one_healthy_binding_has_no_finding() -> None:
    assert run([make_binding()]) == []


def test_typical_healthy_user_has_no_finding() -> None:
    bindings = [
        make_binding("alice", "apn"),
        make_binding("alice", "fcm", credential_sid=CR_FCM),
        make_binding("bob", "apn"),
    ]
    assert run(bindings) == []


# ---- 1. shared endpoint ------------------------------------------------------------------------


def test_endpoint_under_two_identities_is_one_finding_naming_both() -> None:
    a = make_binding("alice", endpoint="f" * 64)
    b = make_binding("mallory", endpoint="f" * 64)
    other = make_binding("carol")
    [finding] = run([a, other, b])
    assert finding.kind is FindingKind.SHARED_ENDPOINT
    assert finding.severity is Severity.ERROR
    assert finding.binding_sids == (a.sid, b.sid)
    assert finding.identity is None
    assert finding.details["identities"] == ["alice", "mallory"]
    assert "2 identities" in finding.summary and "alice" in finding.summary
    assert "\n" not in finding.summary


def test_three_identities_one_finding_with_all_bindings() -> None:
    shared = [make_binding(who, endpoint="e" * 64) for who in ("a", "b", "c", "a")]
    [finding] = kinds(run(shared), FindingKind.SHARED_ENDPOINT)
    assert set(finding.binding_sids) == {b.sid for b in shared}
    assert finding.details["identities"] == ["a", "b", "c"]


def test_same_identity_twice_on_one_endpoint_is_not_shared() -> None:
    bindings = [make_binding("alice", endpoint="e" * 64), make_binding("alice", endpoint="e" * 64)]
    assert kinds(run(bindings), FindingKind.SHARED_ENDPOINT) == []


def test_null_or_empty_identity_and_endpoint_are_left_out() -> None:
    bindings = [
        make_binding(None, endpoint="e" * 64),
        make_binding("", endpoint="e" * 64),
        make_binding("alice", endpoint="e" * 64),
        make_binding("bob", endpoint=None),
        make_binding("carol", endpoint=None),
        make_binding("dave", endpoint="   "),
        make_binding("erin", endpoint=""),
    ]
    assert kinds(run(bindings), FindingKind.SHARED_ENDPOINT) == []


def test_apn_tokens_match_ignoring_case_spaces_and_brackets() -> None:
    token = "ab" * 32
    spaced = "<" + " ".join(token[i : i + 8] for i in range(0, 64, 8)).upper() + ">"
    a = make_binding("alice", "apn", endpoint=token)
    b = make_binding("bob", "apn", endpoint=spaced)
    [finding] = kinds(run([a, b]), FindingKind.SHARED_ENDPOINT)
    assert finding.binding_sids == (a.sid, b.sid)


def test_fcm_tokens_are_case_sensitive_but_whitespace_trimmed() -> None:
    a = make_binding("alice", "fcm", endpoint="TokenAbc:APA91b", credential_sid=CR_FCM)
    b = make_binding("bob", "fcm", endpoint="tokenabc:apa91b", credential_sid=CR_FCM)
    assert kinds(run([a, b]), FindingKind.SHARED_ENDPOINT) == []
    c = make_binding("carol", "fcm", endpoint="  TokenAbc:APA91b\n", credential_sid=CR_FCM)
    [finding] = kinds(run([a, b, c]), FindingKind.SHARED_ENDPOINT)
    assert finding.binding_sids == (a.sid, c.sid)


def test_identities_are_compared_exactly() -> None:
    bindings = [make_binding("Alice", endpoint="e" * 64), make_binding("alice", endpoint="e" * 64)]
    [finding] = kinds(run(bindings), FindingKind.SHARED_ENDPOINT)
    assert finding.details["identities"] == ["Alice", "alice"]


def test_endpoint_key_rules() -> None:
    assert endpoint_key("apn", " <AB cd> ") == "abcd"
    assert endpoint_key("APN", "ABCD") == "abcd"
    assert endpoint_key("fcm", " Ab:Cd ") == "Ab:Cd"
    assert endpoint_key(None, " x ") == "x"
    assert endpoint_key("apn", None) is None
    assert endpoint_key("fcm", "  ") is None
    assert endpoint_key("apn", "<>") is None


# ---- 2. pile-up ----------------------------------------------------------------------------------


def test_exactly_threshold_bindings_is_no_pile_up() -> None:
    bindings = [make_binding("alice", "apn") for _ in range(5)]
    assert kinds(run(bindings), FindingKind.PILE_UP) == []


def test_one_more_than_threshold_is_a_pile_up_newest_first() -> None:
    bindings = [make_binding("alice", "apn", updated=days_ago(10 - i)) for i in range(6)]
    [finding] = kinds(run(bindings), FindingKind.PILE_UP)
    assert finding.severity is Severity.WARNING
    assert finding.identity == "alice"
    assert finding.binding_sids == tuple(b.sid for b in reversed(bindings))
    assert finding.details == {
        "binding_type": "apn",
        "count": 6,
        "threshold": 5,
        "newest_sid": bindings[-1].sid,
    }
    assert "6 apn bindings" in finding.summary


def test_pile_up_counts_per_type_and_per_identity() -> None:
    bindings = [make_binding("alice", "apn") for _ in range(3)]
    bindings += [make_binding("alice", "fcm", credential_sid=CR_FCM) for _ in range(3)]
    bindings += [make_binding("bob", "apn") for _ in range(3)]
    assert kinds(run(bindings), FindingKind.PILE_UP) == []


def test_pile_up_threshold_is_a_setting() -> None:
    bindings = [make_binding("alice", "apn") for _ in range(3)]
    assert kinds(run(bindings), FindingKind.PILE_UP) == []
    tight = DiagnosticsSettings(pile_up_threshold=2)
    [finding] = kinds(run(bindings, tight), FindingKind.PILE_UP)
    assert finding.details["threshold"] == 2


def test_pile_up_with_identical_timestamps_is_deterministic() -> None:
    same = days_ago(3)
    bindings = [make_binding("alice", "apn", updated=same, created=same) for _ in range(7)]
    first = kinds(run(bindings), FindingKind.PILE_UP)
    again = kinds(run(list(reversed(bindings))), FindingKind.PILE_UP)
    assert first[0].binding_sids == again[0].binding_sids
    assert sorted(first[0].binding_sids) == sorted(b.sid for b in bindings)


def test_pile_up_with_null_dates_puts_them_last() -> None:
    dated = [make_binding("alice", "apn", updated=days_ago(i + 1)) for i in range(5)]
    undated = make_binding("alice", "apn", updated=None, created=None)
    [finding] = kinds(run([undated, *dated]), FindingKind.PILE_UP)
    assert finding.binding_sids[0] == dated[0].sid
    assert finding.binding_sids[-1] == undated.sid


def test_null_identity_never_piles_up() -> None:
    bindings = [make_binding(None, "apn") for _ in range(10)]
    assert kinds(run(bindings), FindingKind.PILE_UP) == []


# ---- 3. stale ---------------------------------------------------------------------------------


def test_stale_boundary_exactly_threshold_is_not_stale() -> None:
    exact = make_binding(updated=NOW - timedelta(days=60))
    just_over = make_binding(updated=NOW - timedelta(days=60, seconds=1))
    fresh = make_binding(updated=days_ago(59))
    found = kinds(run([exact, just_over, fresh]), FindingKind.STALE)
    assert [f.binding_sids for f in found] == [(just_over.sid,)]
    assert found[0].details["days_since_update"] == 60
    assert found[0].details["date_field"] == "date_updated"
    assert found[0].identity == "alice"


def test_stale_days_is_a_setting() -> None:
    b = make_binding(updated=days_ago(20))
    assert kinds(run([b]), FindingKind.STALE) == []
    assert len(kinds(run([b], DiagnosticsSettings(stale_days=10)), FindingKind.STALE)) == 1


def test_stale_falls_back_to_date_created_and_skips_undated() -> None:
    created_only = make_binding(updated=None, created=days_ago(400))
    undated = make_binding(updated=None, created=None)
    [finding] = kinds(run([created_only, undated]), FindingKind.STALE)
    assert finding.binding_sids == (created_only.sid,)
    assert finding.details["date_field"] == "date_created"
    assert finding.details["days_since_update"] == 400


def test_future_and_naive_dates() -> None:
    future = make_binding(updated=NOW + timedelta(days=30))
    assert run([future]) == []
    naive_now = NOW.replace(tzinfo=None)
    old = make_binding(updated=days_ago(100))
    assert len(compute_binding_findings([old], DEFAULTS, naive_now)) == 1


def test_identical_created_and_updated_timestamps() -> None:
    moment = days_ago(61)
    [finding] = run([make_binding(updated=moment, created=moment)])
    assert finding.kind is FindingKind.STALE


def test_stale_of_binding_without_identity_still_reported() -> None:
    [finding] = run([make_binding(None, None, updated=days_ago(90))])
    assert finding.kind is FindingKind.STALE
    assert finding.identity is None
    assert "(no identity)" in finding.summary and "untyped" in finding.summary


# ---- 4. no new_message -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "types", [(), ("added_to_conversation",), ("removed_from_channel", "invited_to_channel")]
)
def test_message_types_without_new_message(types: tuple[str, ...]) -> None:
    b = make_binding(message_types=types)
    [finding] = run([b])
    assert finding.kind is FindingKind.NO_NEW_MESSAGE
    assert finding.binding_sids == (b.sid,)
    assert finding.details["message_types"] == list(types)


def test_new_message_present_is_fine_for_both_apis() -> None:
    assert run([make_binding(message_types=("new_message",))]) == []
    assert run([make_binding(message_types=("added_to_channel", "new_message"))]) == []


def test_null_or_absent_message_types_is_unknown_not_a_finding() -> None:
    assert run([make_binding(message_types=None)]) == []
    assert run([make_binding(omit=("message_types",))]) == []


def test_one_binding_can_have_several_findings() -> None:
    b = make_binding(updated=days_ago(100), message_types=())
    found = run([b])
    assert {f.kind for f in found} == {FindingKind.STALE, FindingKind.NO_NEW_MESSAGE}
    assert [k for k, f in findings_by_sid(found).items()] == [b.sid]
    assert len(findings_by_sid(found)[b.sid]) == 2


# ---- 5. credentials ----------------------------------------------------------------------------


def cred(sid: str, kind: str | None, sandbox: object = "false", name: str = "x") -> Credential:
    return Credential.from_json(
        {"sid": sid, "friendly_name": name, "type": kind, "sandbox": sandbox}
    )


CREDS: dict[str, Credential | None] = {
    CR_APN: cred(CR_APN, "apn", "false", "iOS prod"),
    CR_APN_SANDBOX: cred(CR_APN_SANDBOX, "apn", "true", "iOS sandbox"),
    CR_FCM: cred(CR_FCM, "fcm", None, "Android"),
    CR_GONE: None,
}


def test_matching_credentials_give_nothing() -> None:
    bindings = [make_binding("a", "apn"), make_binding("b", "fcm", credential_sid=CR_FCM)]
    assert credential_findings(bindings, CREDS) == []


def test_missing_credential_one_finding_for_all_its_bindings() -> None:
    a = make_binding("alice", "apn", credential_sid=CR_GONE)
    b = make_binding("bob", "fcm", credential_sid=CR_GONE)
    [finding] = credential_findings([a, make_binding(), b], CREDS)
    assert finding.kind is FindingKind.CREDENTIAL_MISSING
    assert finding.severity is Severity.ERROR
    assert finding.binding_sids == (a.sid, b.sid)
    assert finding.identity is None
    assert finding.details == {"credential_sid": CR_GONE, "binding_types": ["apn", "fcm"]}


def test_missing_credential_of_one_user_names_the_user() -> None:
    [finding] = credential_findings([make_binding("alice", credential_sid=CR_GONE)], CREDS)
    assert finding.identity == "alice"


def test_type_mismatch_grouped_per_binding_type() -> None:
    apns = [make_binding(who, "apn", credential_sid=CR_FCM) for who in ("a", "b")]
    gcm = make_binding("c", "gcm", credential_sid=CR_FCM)
    fine = make_binding("d", "fcm", credential_sid=CR_FCM)
    found = credential_findings([*apns, gcm, fine], CREDS)
    assert [f.kind for f in found] == [FindingKind.CREDENTIAL_TYPE_MISMATCH] * 2
    assert found[0].binding_sids == tuple(b.sid for b in apns)
    assert found[0].details["binding_type"] == "apn"
    assert found[0].details["credential_type"] == "fcm"
    assert found[1].binding_sids == (gcm.sid,)
    assert "Android" in found[0].summary


def test_non_push_or_untyped_bindings_and_untyped_credentials_are_not_compared() -> None:
    bindings = [
        make_binding("a", "twilsock", credential_sid=CR_FCM),
        make_binding("b", None, credential_sid=CR_FCM),
        make_binding("c", "apn", credential_sid="CR" + "e" * 32),
    ]
    creds = {**CREDS, "CR" + "e" * 32: cred("CR" + "e" * 32, None)}
    assert credential_findings(bindings, creds) == []


def test_binding_type_case_is_ignored_for_mismatch() -> None:
    assert credential_findings([make_binding("a", "APN", credential_sid=CR_APN)], CREDS) == []


def test_apn_sandbox_flagged_per_credential_as_info() -> None:
    users = [make_binding(who, "apn", credential_sid=CR_APN_SANDBOX) for who in ("a", "b")]
    [finding] = credential_findings([make_binding(), *users], CREDS)
    assert finding.kind is FindingKind.APN_SANDBOX
    assert finding.severity is Severity.INFO
    assert finding.binding_sids == tuple(b.sid for b in users)
    assert finding.details["sandbox"] is True
    assert finding.details["friendly_name"] == "iOS sandbox"


def test_sandbox_flag_on_non_apn_credential_is_ignored() -> None:
    weird = "CR" + "f" * 32
    creds = {weird: cred(weird, "fcm", "true")}
    assert credential_findings([make_binding("a", "fcm", credential_sid=weird)], creds) == []


def test_unresolved_and_null_credential_sids_give_nothing() -> None:
    bindings = [make_binding(credential_sid=None), make_binding(credential_sid="CR" + "9" * 32)]
    assert credential_findings(bindings, CREDS) == []


def test_distinct_credential_sids_first_seen_order() -> None:
    bindings = [
        make_binding(credential_sid=CR_FCM),
        make_binding(credential_sid=None),
        make_binding(credential_sid=CR_APN),
        make_binding(credential_sid=CR_FCM),
    ]
    assert distinct_credential_sids(bindings) == [CR_FCM, CR_APN]


# ---- 6. service push settings ----------------------------------------------------------------


def test_disabled_new_message_push_v1() -> None:
    config = {
        "new_message": {"enabled": False, "template": "hi", "sound": "ring"},
        "added_to_conversation": {"enabled": True},
        "log_enabled": True,
    }
    [finding] = service_findings(config, ApiFlavor.CONVERSATIONS)
    assert finding.kind is FindingKind.PUSH_DISABLED
    assert finding.severity is Severity.ERROR
    assert finding.binding_sids == ()
    assert finding.details["template"] == "hi"
    assert finding.details["log_enabled"] is True
    assert "Conversations v1" in finding.summary


def test_disabled_new_message_push_chat_v2_string_boolean() -> None:
    [finding] = service_findings({"new_message": {"enabled": "false"}}, ApiFlavor.CHAT)
    assert finding.details["api"] == "chat"


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"new_message": None},
        {"new_message": {}},
        {"new_message": {"enabled": None}},
        {"new_message": {"enabled": True}},
        {"new_message": {"enabled": "yes"}},
        {"new_message": "off"},
        {"new_message": {"enabled": True}, "added_to_conversation": {"enabled": False}},
    ],
)
def test_push_not_known_disabled_gives_nothing(config: dict[str, object]) -> None:
    assert service_findings(config, ApiFlavor.CONVERSATIONS) == []


# ---- indexes, settings, the Finding type -----------------------------------------------------


def test_indexes_and_counts() -> None:
    a = make_binding("alice", endpoint="e" * 64, message_types=())
    b = make_binding("bob", endpoint="e" * 64)
    found = run([a, b]) + service_findings({"new_message": {"enabled": False}}, ApiFlavor.CHAT)
    index = findings_by_sid(found)
    assert {f.kind for f in index[a.sid]} == {
        FindingKind.SHARED_ENDPOINT,
        FindingKind.NO_NEW_MESSAGE,
    }
    assert [f.kind for f in index[b.sid]] == [FindingKind.SHARED_ENDPOINT]
    counts = summary_counts(found)
    assert list(counts) == list(FindingKind)
    assert counts[FindingKind.SHARED_ENDPOINT] == 1
    assert counts[FindingKind.PUSH_DISABLED] == 1
    assert counts[FindingKind.STALE] == 0
    assert affected_binding_counts(found)[FindingKind.SHARED_ENDPOINT] == 2
    ordered = sort_findings(found)
    assert [f.severity for f in ordered] == sorted(
        (f.severity for f in found), key=lambda s: s.rank
    )
    assert ordered[0].kind is FindingKind.SHARED_ENDPOINT


def test_finding_is_frozen_hashable_and_serialisable() -> None:
    [finding] = run([make_binding(message_types=())])
    with pytest.raises(FrozenInstanceError):
        finding.summary = "x"  # type: ignore[misc]
    assert hash(finding) == hash(finding)
    data = finding.to_json()
    assert data["kind"] == "no-new-message"
    assert data["severity"] == "warning"
    assert data["binding_sids"] == list(finding.binding_sids)


def test_kind_values_are_stable() -> None:
    assert [k.value for k in FindingKind] == [
        "shared-endpoint",
        "pile-up",
        "stale",
        "no-new-message",
        "credential-missing",
        "credential-type-mismatch",
        "apn-sandbox",
        "push-disabled",
        "push-alert",
        "dead-token",
        "legacy-gcm",
        "legacy-fcm-key",
        "push-type-off",
        "user-not-notifiable",
        "no-binding",
    ]
    assert all(k.label for k in FindingKind)


@pytest.mark.parametrize(
    "kwargs", [{"pile_up_threshold": 0}, {"stale_days": -1}, {"stale_days": True}]
)
def test_settings_reject_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputError):
        DiagnosticsSettings(**kwargs)  # type: ignore[arg-type]


def test_hostile_strings_kept_raw_in_summary() -> None:
    evil = "\x1b]52;c;AAAA\x07mallory[/b]"
    [finding] = run([make_binding(evil, message_types=())])
    assert evil in finding.summary  # rendering layers escape; the data stays exact
    assert finding.identity == evil


def test_now_is_used_not_the_wall_clock() -> None:
    b = make_binding(updated=datetime(2020, 1, 1).astimezone())
    assert run([b]) != []
    assert compute_binding_findings([b], DEFAULTS, datetime(2020, 1, 2).astimezone()) == []


# ---- what the TUI builds on the findings ----------------------------------------------------


def test_severity_by_sid_keeps_the_most_severe() -> None:
    shared = "f" * 64
    alice = make_binding("alice", "fcm", endpoint=shared, updated=days_ago(90))
    bob = make_binding("bob", "fcm", endpoint=shared, credential_sid=CR_FCM)
    carol = make_binding("carol", message_types=["added_to_conversation"])
    found = run([alice, bob, carol])
    worst = severity_by_sid(found)
    assert worst[alice.sid] is Severity.ERROR  # shared (error) beats stale (warning)
    assert worst[bob.sid] is Severity.ERROR
    assert worst[carol.sid] is Severity.WARNING
    assert severity_by_sid([]) == {}


def test_cleanup_targets_keep_the_newest_of_a_pile_and_only_this_identity() -> None:
    pile = [make_binding("alice", updated=days_ago(100 - i)) for i in range(7)]
    newest = pile[-1]
    other = make_binding("bob", updated=days_ago(200))
    found = run([*pile, other])
    targets = cleanup_targets(found, [b.sid for b in pile])
    # All are older than 60 days, but stale is information: no clean-up without evidence.
    assert {f.kind for f in found} >= {FindingKind.PILE_UP, FindingKind.STALE}
    assert set(targets) == {FindingKind.PILE_UP}
    assert newest.sid not in targets[FindingKind.PILE_UP]
    assert set(targets[FindingKind.PILE_UP]) == {b.sid for b in pile[:-1]}
    assert other.sid not in {s for sids in targets.values() for s in sids}
    # Kinds without anything to delete are left out; no SID is listed twice.
    assert all(len(sids) == len(set(sids)) for sids in targets.values())
    assert cleanup_targets(found, []) == {}


def test_cleanup_targets_never_offer_sandbox_or_service_findings() -> None:
    binding = make_binding("alice", credential_sid=CR_APN_SANDBOX)
    sandbox = Credential.from_json({"sid": CR_APN_SANDBOX, "type": "apn", "sandbox": True})
    found = credential_findings([binding], {CR_APN_SANDBOX: sandbox})
    found += service_findings({"new_message": {"enabled": False}}, ApiFlavor.CONVERSATIONS)
    assert {f.kind for f in found} == {FindingKind.APN_SANDBOX, FindingKind.PUSH_DISABLED}
    assert cleanup_targets(found, [binding.sid]) == {}
