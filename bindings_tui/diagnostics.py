"""Push diagnostics: why does a user get no push? Pure functions over loaded data.

No I/O and no textual here: `diagnose_run` does the reads, the CLI and the TUI render.

Findings and how they are grouped (one `Finding` each):

- `shared-endpoint`: one per endpoint registered under two or more distinct identities.
  Endpoints are compared after stripping surrounding whitespace; APN tokens (binding
  type `apn`) are hex, so for them all whitespace and `<`/`>` are dropped and case is
  ignored (`<ABCD EF01>` == `abcdef01`). FCM/GCM/twilsock endpoints are case-sensitive.
  Identities are compared exactly (Twilio identities are case-sensitive). Bindings
  with a null/empty identity or endpoint are left out: they route to nobody.
- `pile-up`: one per (identity, binding type) with more than `pile_up_threshold`
  bindings; binding SIDs newest first, so "keep the first, delete the rest" is easy.
- `stale` (info): one per binding whose `date_updated` (else `date_created`) is more
  than `stale_days` days before `now`. No date at all means no finding (unknown, not
  stale). Age alone is no failure: `date_updated` is the last registration, and Twilio
  removes bindings whose tokens APNs/FCM reject. Not a clean-up.
- `dead-token`: an fcm binding past FCM's documented 270-day expiry of inactive tokens
  (alerts that reject a token add more, in `evidence.alerts`). The clean-up evidence backs.
- `legacy-gcm`: one per `gcm` binding and one per `gcm` credential (Google shut legacy
  GCM/FCM down in June 2024); `legacy-fcm-key`: an `fcm` credential last updated before
  that shutdown may still hold a legacy server key.
- `no-new-message`: one per binding whose `message_types` lacks `new_message`. A
  binding whose body has no `message_types` field (or null) is unknown: no finding.
- `credential-missing`: one per credential SID that does not exist (or is malformed).
- `credential-type-mismatch`: one per (credential, binding type) whose types differ
  (`apn` binding with an `fcm` credential). Types must match exactly; bindings whose
  type is not a push type (`twilsock`, null) are never compared.
- `apn-sandbox`: one per APN credential with `sandbox` true, listing the bindings
  using it (info: fine for development builds, the classic cause in production).
- `push-disabled`: the service's `new_message` push is explicitly disabled
  (`binding_sids` is empty: it concerns every binding of the service).

The credential rules live in `credential_rules`, facts shared by the rules in
`binding_facts`; both are re-exported here.

Every finding carries its `evidence` (alerts, a Twilio resource, a documented limit, or
"heuristic: ...") and an `action`. The model lives in `findings`.

`summary` and `details` carry user data (identities, endpoints) as is: render them
through `textsafe.make_visible` or as `rich.text.Text`, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from bindings_tui.binding_facts import (
    as_utc,
    distinct_credential_sids,
    endpoint_key,
    identity_of,
    newest_first,
    short_text,
    type_label,
    who,
)
from bindings_tui.credential_rules import credential_findings
from bindings_tui.diagnosis_settings import DiagnosticsSettings
from bindings_tui.findings import (
    SEVERITY,
    Evidence,
    EvidenceSource,
    Finding,
    FindingKind,
    Severity,
    documented,
    from_twilio,
    heuristic,
)
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.push_codes import (
    FCM_TOKEN_EXPIRY_DAYS,
    FCM_TOKEN_EXPIRY_SOURCE,
    LEGACY_FCM_SOURCE,
)

NEW_MESSAGE: Final = "new_message"
DAY_SECONDS: Final = 86_400


# ---- findings 1-4: from the bindings alone -------------------------------------------------


def compute_binding_findings(
    bindings: Iterable[Binding], settings: DiagnosticsSettings, now: datetime
) -> list[Finding]:
    """Shared endpoints, pile-ups, stale bindings, missing `new_message`. One pass, O(n)."""
    now = as_utc(now)
    stale_seconds = settings.stale_days * DAY_SECONDS
    # Nothing here keeps a binding per row: at a million rows the store builds each one as
    # it is read (`rows.loaded()`), and a dict holding every binding (or every endpoint
    # string) was most of the diagnosis's peak memory. Per endpoint and per (identity,
    # type) only the hash of the key and the position of the bindings are kept; the few
    # groups that make a finding are read again and grouped by their real keys, so a
    # hash collision never merges two endpoints.
    rows: Sequence[Binding] = bindings if isinstance(bindings, Sequence) else list(bindings)
    first_seen: dict[int, int] = {}  # hash of an endpoint key -> its first position
    seen_again: dict[int, list[int]] = {}  # the positions of those seen more than once
    by_identity_type: dict[int, int | list[int]] = {}  # hash of (identity, type) -> positions
    stale: list[Finding] = []
    dead: list[Finding] = []
    legacy: list[Finding] = []
    no_new_message: list[Finding] = []
    expiry_seconds = FCM_TOKEN_EXPIRY_DAYS * DAY_SECONDS
    # A date before these is stale / past FCM's expiry: one comparison per binding instead
    # of an age in seconds (the age is worked out for the few that make a finding).
    stale_before = _seconds_before(now, stale_seconds)
    expired_before = _seconds_before(now, expiry_seconds)
    key_of = endpoint_key

    for position, b in enumerate(rows):
        identity = b.identity or None
        if identity is not None:
            key = key_of(b.binding_type, b.endpoint)
            if key is not None:
                hashed = hash(key)
                first = first_seen.setdefault(hashed, position)
                if first != position:
                    seen_again.setdefault(hashed, [first]).append(position)
            group_hash = hash((identity, b.binding_type))
            group = by_identity_type.get(group_hash)
            if group is None:
                by_identity_type[group_hash] = position
            elif isinstance(group, int):
                by_identity_type[group_hash] = [group, position]
            else:
                group.append(position)

        reference = b.date_updated or b.date_created
        if reference is not None:
            if reference.tzinfo is None:
                reference = reference.replace(tzinfo=UTC)
            if reference < stale_before:
                age = (now - reference).total_seconds()
                stale.append(_stale_finding(b, age, settings, b.date_updated is not None))
            if reference < expired_before and b.binding_type == "fcm":
                dead.append(_expired_fcm_finding(b, (now - reference).total_seconds()))

        if b.binding_type == "gcm":
            legacy.append(_legacy_gcm_binding_finding(b))

        # `in` first: most bindings have new_message, and message_types_sent is a lookup.
        if NEW_MESSAGE not in b.message_types and b.message_types_sent:
            no_new_message.append(_no_new_message_finding(b))

    shared = [
        _shared_endpoint_finding(key, owners)
        for key, owners in _shared_endpoints(rows, seen_again)
        if len(owners) >= 2
    ]
    pile_ups = [
        _pile_up_finding(identity, binding_type, group, settings)
        for (identity, binding_type), group in _groups(rows, by_identity_type, settings)
        if len(group) > settings.pile_up_threshold
    ]
    return [*shared, *pile_ups, *stale, *dead, *legacy, *no_new_message]


def _seconds_before(now: datetime, seconds: int) -> datetime:
    """`now` less `seconds` (the earliest time when that is before year 1: nothing is
    older)."""
    try:
        return now - timedelta(seconds=seconds)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def _shared_endpoints(
    rows: Sequence[Binding], seen_again: dict[int, list[int]]
) -> list[tuple[str, dict[str, list[Binding]]]]:
    """Endpoint key -> identity -> bindings, for the keys seen more than once, in the order
    their first binding came (the bindings read again, grouped by their real key)."""
    found: dict[str, tuple[int, dict[str, list[Binding]]]] = {}
    for positions in seen_again.values():
        for position in positions:
            b = rows[position]
            key = endpoint_key(b.binding_type, b.endpoint)
            assert key is not None  # only bindings with a key were counted
            _, owners = found.setdefault(key, (position, {}))
            owners.setdefault(identity_of(b), []).append(b)
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    return [(key, owners) for key, (_, owners) in ordered]


def _groups(
    rows: Sequence[Binding],
    by_identity_type: dict[int, int | list[int]],
    settings: DiagnosticsSettings,
) -> list[tuple[tuple[str, str | None], list[Binding]]]:
    """(identity, type) -> bindings for the groups big enough to be a pile-up, in the
    order each group's first binding came."""
    found: dict[tuple[str, str | None], tuple[int, list[Binding]]] = {}
    for group in by_identity_type.values():
        if isinstance(group, int) or len(group) <= settings.pile_up_threshold:
            continue
        for position in group:
            b = rows[position]
            real = (identity_of(b), b.binding_type)
            found.setdefault(real, (position, []))[1].append(b)
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    return [(key, members) for key, (_, members) in ordered]


def _shared_endpoint_finding(key: str, owners: dict[str, list[Binding]]) -> Finding:
    members = [b for group in owners.values() for b in group]
    identities = list(owners)
    types = sorted({type_label(b.binding_type) for b in members})
    shown = ", ".join(identities[:3]) + (
        f" and {len(identities) - 3} more" if len(identities) > 3 else ""
    )
    return Finding(
        kind=FindingKind.SHARED_ENDPOINT,
        severity=SEVERITY[FindingKind.SHARED_ENDPOINT],
        binding_sids=tuple(b.sid for b in members),
        identity=None,
        summary=(
            f"{'/'.join(types)} endpoint {short_text(key)} is registered under {len(identities)} "
            f"identities ({shown}): pushes for one land on another's device"
        ),
        details={
            "endpoint": members[0].endpoint,
            "binding_types": types,
            "identities": identities,
        },
        evidence=heuristic(f"one endpoint registered under {len(identities)} identities"),
        action=(
            "delete the bindings of identities that no longer use the device; have the app "
            "unregister on logout"
        ),
    )


def _pile_up_finding(
    identity: str, binding_type: str | None, group: list[Binding], settings: DiagnosticsSettings
) -> Finding:
    ordered = newest_first(group)
    return Finding(
        kind=FindingKind.PILE_UP,
        severity=SEVERITY[FindingKind.PILE_UP],
        binding_sids=tuple(b.sid for b in ordered),
        identity=identity,
        summary=(
            f"{identity} has {len(group)} {type_label(binding_type)} bindings "
            f"(more than {settings.pile_up_threshold}): each push also goes to old tokens, "
            "and the device in use may not be the first tried (no Conversations limit is "
            "documented: delivery is not blocked)"
        ),
        details={
            "binding_type": binding_type,
            "count": len(group),
            "threshold": settings.pile_up_threshold,
            "newest_sid": ordered[0].sid,
        },
        evidence=heuristic(
            f"{len(group)} bindings of one type, more than the threshold of "
            f"{settings.pile_up_threshold}"
        ),
        action="keep the newest binding and delete the rest; have the app unregister old tokens",
    )


def _stale_finding(
    b: Binding, age_seconds: float, settings: DiagnosticsSettings, from_updated: bool
) -> Finding:
    days = int(age_seconds // DAY_SECONDS)
    # Stale means more than `stale_days` days, so at the threshold whole days alone would
    # read "60 days (more than 60)": that one is "over 60 days".
    age = f"over {days} days" if days <= settings.stale_days else f"{days} days"
    reference = b.date_updated if from_updated else b.date_created
    return Finding(
        kind=FindingKind.STALE,
        severity=SEVERITY[FindingKind.STALE],
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(
            f"{type_label(b.binding_type)} binding of {who(b.identity)} not "
            f"{'updated' if from_updated else 'updated since creation'} for {age} "
            f"(stale after {settings.stale_days} days): information, not a failure "
            "(date_updated is "
            "the last registration; Twilio removes bindings whose tokens are rejected)"
        ),
        details={
            "days_since_update": days,
            "stale_days": settings.stale_days,
            "date": as_utc(reference).isoformat() if reference else None,
            "date_field": "date_updated" if from_updated else "date_created",
            "binding_type": b.binding_type,
        },
        evidence=heuristic(f"not updated for {age}"),
        action="nothing needed unless alerts name it; delete it only if the device is gone",
    )


def _expired_fcm_finding(b: Binding, age_seconds: float) -> Finding:
    days = int(age_seconds // DAY_SECONDS)
    return Finding(
        kind=FindingKind.DEAD_TOKEN,
        severity=SEVERITY[FindingKind.DEAD_TOKEN],
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(
            f"fcm binding of {who(b.identity)} not registered again for {days} days: past the "
            f"{FCM_TOKEN_EXPIRY_DAYS}-day expiry of inactive FCM tokens"
        ),
        details={"days_since_update": days, "expiry_days": FCM_TOKEN_EXPIRY_DAYS},
        evidence=documented(
            f"FCM expires tokens inactive for {FCM_TOKEN_EXPIRY_DAYS} days "
            f"({FCM_TOKEN_EXPIRY_SOURCE}); not updated for {days} days"
        ),
        action="delete the binding; the app registers a fresh token on its next start",
    )


def _legacy_gcm_binding_finding(b: Binding) -> Finding:
    return Finding(
        kind=FindingKind.LEGACY_GCM,
        severity=SEVERITY[FindingKind.LEGACY_GCM],
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(f"gcm binding of {who(b.identity)}: legacy GCM, shut down by Google in June 2024"),
        details={"binding_type": "gcm", "credential_sid": b.credential_sid},
        evidence=documented(f"binding_type gcm; legacy FCM/GCM shut down ({LEGACY_FCM_SOURCE})"),
        action=(
            "have the app register again as fcm with an FCM v1 credential, then delete "
            "this gcm binding"
        ),
    )


def _no_new_message_finding(b: Binding) -> Finding:
    listed = ", ".join(b.message_types) if b.message_types else "none"
    return Finding(
        kind=FindingKind.NO_NEW_MESSAGE,
        severity=SEVERITY[FindingKind.NO_NEW_MESSAGE],
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(
            f"{type_label(b.binding_type)} binding of {who(b.identity)} is not subscribed "
            f"to new_message (message_types: {listed}): it gets no message pushes"
        ),
        details={"message_types": list(b.message_types), "binding_type": b.binding_type},
        evidence=from_twilio(f"the binding's message_types are: {listed}"),
        action="register the binding again with new_message in message_types",
    )


# ---- finding 6: service push settings --------------------------------------------------------


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def service_findings(notification_config: Mapping[str, Any], api: ApiFlavor) -> list[Finding]:
    """`push-disabled` when `new_message.enabled` is false (an absent value is unknown).

    `notification_config` is Conversations v1 `Configuration/Notifications` or the
    `notifications` object of a Chat v2 service; both nest `new_message.enabled`.
    """
    new_message = notification_config.get(NEW_MESSAGE)
    if not isinstance(new_message, Mapping):
        return []
    if _as_bool(new_message.get("enabled")) is not False:
        return []
    where = (
        "Configuration/Notifications" if api is ApiFlavor.CONVERSATIONS else "service notifications"
    )
    return [
        Finding(
            kind=FindingKind.PUSH_DISABLED,
            severity=SEVERITY[FindingKind.PUSH_DISABLED],
            binding_sids=(),
            identity=None,
            summary=(
                f"new_message push is disabled in the {api.label} {where}: "
                "no binding of this service gets message pushes"
            ),
            details={
                "setting": NEW_MESSAGE,
                "api": api.value,
                "template": _json_scalar(new_message.get("template")),
                "sound": _json_scalar(new_message.get("sound")),
                "badge_count_enabled": _as_bool(new_message.get("badge_count_enabled")),
                "log_enabled": _as_bool(notification_config.get("log_enabled")),
            },
            evidence=from_twilio(f"{api.label} {where}: new_message.enabled is false"),
            action=f"turn new_message push on in the service's {where}",
        )
    ]


def _json_scalar(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# ---- indexes the TUI uses ---------------------------------------------------------------------


def findings_by_sid(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Binding SID -> the findings naming it (for row markers and the detail pane).

    SIDs named by the same findings share one list (a sandbox credential's finding names
    most of a service's bindings: a list per SID was 50 MB at a million): read the lists,
    never change them."""
    index: dict[str, list[Finding]] = {}
    # (the list a SID had, the finding added) -> the shared list it has now
    grown: dict[tuple[int, int], list[Finding]] = {}
    empty: list[Finding] = []
    kept = list(findings)  # alive while `grown` names them by id
    for finding in kept:
        for sid in finding.binding_sids:
            before = index.get(sid, empty)
            step = (id(before), id(finding))
            after = grown.get(step)
            if after is None:
                after = grown[step] = [*before, finding]
            index[sid] = after
    return index


def severity_by_sid(findings: Iterable[Finding]) -> dict[str, Severity]:
    """Binding SID -> the most severe finding naming it (the table's row marker)."""
    worst: dict[str, Severity] = {}
    for finding in findings:
        for sid in finding.binding_sids:
            known = worst.get(sid)
            if known is None or finding.severity.rank < known.rank:
                worst[sid] = finding.severity
    return worst


# Kinds whose bindings a user may want gone in one go; a sandbox credential is a hint
# about the app build, and a disabled push setting names no binding. Stale is not among
# them: age alone is no failure. A dead token (an alert naming it, or an FCM token past
# its documented expiry) is the clean-up that evidence backs.
CLEANUP_KINDS: Final = (
    FindingKind.SHARED_ENDPOINT,
    FindingKind.CREDENTIAL_MISSING,
    FindingKind.CREDENTIAL_TYPE_MISMATCH,
    FindingKind.DEAD_TOKEN,
    FindingKind.PILE_UP,
    FindingKind.NO_NEW_MESSAGE,
)


def cleanup_targets(
    findings: Iterable[Finding], identity_sids: Iterable[str]
) -> dict[FindingKind, list[str]]:
    """Per kind, the SIDs among `identity_sids` (one identity's bindings) a clean-up would
    delete. A pile-up keeps its newest binding (the one the device uses now). Kinds with
    nothing to delete are left out; SIDs keep the findings' order, each once."""
    mine = set(identity_sids)
    targets: dict[FindingKind, dict[str, None]] = {}
    for finding in findings:
        if finding.kind not in CLEANUP_KINDS:
            continue
        sids = finding.binding_sids
        if finding.kind is FindingKind.PILE_UP:
            sids = sids[1:]  # newest first: keep the first
        chosen = [sid for sid in sids if sid in mine]
        if chosen:
            targets.setdefault(finding.kind, {}).update(dict.fromkeys(chosen))
    return {kind: list(targets[kind]) for kind in CLEANUP_KINDS if kind in targets}


def summary_counts(findings: Iterable[Finding]) -> dict[FindingKind, int]:
    """Number of findings per kind, every kind present (0 when none), in enum order."""
    counts = dict.fromkeys(FindingKind, 0)
    for finding in findings:
        counts[finding.kind] += 1
    return counts


def affected_binding_counts(findings: Iterable[Finding]) -> dict[FindingKind, int]:
    """Distinct bindings named per kind, every kind present, in enum order."""
    sids: dict[FindingKind, set[str]] = {kind: set() for kind in FindingKind}
    for finding in findings:
        sids[finding.kind].update(finding.binding_sids)
    return {kind: len(values) for kind, values in sids.items()}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by kind (enum order); stable within a kind."""
    order = {kind: position for position, kind in enumerate(FindingKind)}
    return sorted(findings, key=lambda f: (f.severity.rank, order[f.kind]))


__all__ = [
    "CLEANUP_KINDS",
    "SEVERITY",
    "DiagnosticsSettings",
    "Evidence",
    "EvidenceSource",
    "Finding",
    "FindingKind",
    "Severity",
    "affected_binding_counts",
    "cleanup_targets",
    "compute_binding_findings",
    "credential_findings",
    "distinct_credential_sids",
    "endpoint_key",
    "findings_by_sid",
    "newest_first",
    "service_findings",
    "severity_by_sid",
    "sort_findings",
    "summary_counts",
]
