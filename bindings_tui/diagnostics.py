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
- `stale`: one per binding whose `date_updated` (else `date_created`) is more than
  `stale_days` days before `now`. No date at all means no finding (unknown, not stale).
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

`summary` and `details` carry user data (identities, endpoints) as is: render them
through `textsafe.make_visible` or as `rich.text.Text`, never as markup.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from bindings_tui.errors import InputError
from bindings_tui.models import ApiFlavor, Binding, Credential

NEW_MESSAGE: Final = "new_message"
PUSH_BINDING_TYPES: Final = frozenset({"apn", "fcm", "gcm"})
DAY_SECONDS: Final = 86_400


class FindingKind(enum.StrEnum):
    """What is wrong. The values are stable: the CLI's JSON and the TUI filter use them."""

    SHARED_ENDPOINT = "shared-endpoint"
    PILE_UP = "pile-up"
    STALE = "stale"
    NO_NEW_MESSAGE = "no-new-message"
    CREDENTIAL_MISSING = "credential-missing"
    CREDENTIAL_TYPE_MISMATCH = "credential-type-mismatch"
    APN_SANDBOX = "apn-sandbox"
    PUSH_DISABLED = "push-disabled"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: Final[dict[FindingKind, str]] = {
    FindingKind.SHARED_ENDPOINT: "Endpoint shared by several identities",
    FindingKind.PILE_UP: "Many bindings of one type for an identity",
    FindingKind.STALE: "Not updated for a long time",
    FindingKind.NO_NEW_MESSAGE: "Not subscribed to new_message",
    FindingKind.CREDENTIAL_MISSING: "Credential does not exist",
    FindingKind.CREDENTIAL_TYPE_MISMATCH: "Credential type does not match binding type",
    FindingKind.APN_SANDBOX: "APN sandbox credential",
    FindingKind.PUSH_DISABLED: "new_message push disabled for the service",
}


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most severe; sort by it."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK: Final[dict[Severity, int]] = {
    Severity.ERROR: 0,
    Severity.WARNING: 1,
    Severity.INFO: 2,
}

SEVERITY: Final[dict[FindingKind, Severity]] = {
    FindingKind.SHARED_ENDPOINT: Severity.ERROR,
    FindingKind.PILE_UP: Severity.WARNING,
    FindingKind.STALE: Severity.WARNING,
    FindingKind.NO_NEW_MESSAGE: Severity.WARNING,
    FindingKind.CREDENTIAL_MISSING: Severity.ERROR,
    FindingKind.CREDENTIAL_TYPE_MISMATCH: Severity.ERROR,
    FindingKind.APN_SANDBOX: Severity.INFO,
    FindingKind.PUSH_DISABLED: Severity.ERROR,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosis. `details` holds JSON-ready values only (str, int, bool, None, lists)."""

    kind: FindingKind
    severity: Severity
    binding_sids: tuple[str, ...]
    identity: str | None
    summary: str
    details: dict[str, Any] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "identity": self.identity,
            "binding_sids": list(self.binding_sids),
            "summary": self.summary,
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class DiagnosticsSettings:
    """Thresholds: more than `pile_up_threshold` bindings of one type for one identity is a
    pile-up; more than `stale_days` days without an update is stale."""

    pile_up_threshold: int = 5
    stale_days: int = 60

    def __post_init__(self) -> None:
        for name in ("pile_up_threshold", "stale_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a whole number of at least 1, got {value!r}")


# ---- helpers -----------------------------------------------------------------------------


def endpoint_key(binding_type: str | None, endpoint: str | None) -> str | None:
    """The endpoint as compared for `shared-endpoint`; None when there is none."""
    if endpoint is None:
        return None
    if (binding_type or "").lower() == "apn":
        key = "".join(endpoint.split()).strip("<>").lower()
    else:
        key = endpoint.strip()
    return key or None


def _identity_of(binding: Binding) -> str:
    """The identity of a binding known to have one."""
    return binding.identity or ""


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _short(value: str, keep: int = 12) -> str:
    return value if len(value) <= keep + 1 else "…" + value[-keep:]


def _type_label(binding_type: str | None) -> str:
    return binding_type or "untyped"


def _who(identity: str | None) -> str:
    return identity if identity else "(no identity)"


def _common_identity(bindings: Sequence[Binding]) -> str | None:
    identities = {b.identity for b in bindings}
    if len(identities) == 1:
        return next(iter(identities))
    return None


def newest_first(bindings: Iterable[Binding]) -> list[Binding]:
    """Bindings, the most recently active first: the one order for "which device is newest"
    (the pile-up finding's `newest_sid`, the user view's device list).

    Key, all descending: last activity (`date_updated`, else `date_created`), then
    `date_created`, then the SID, so equal dates still give one fixed order whatever
    order the bindings came in. A binding without dates counts as the oldest.
    """
    floor = datetime.min.replace(tzinfo=UTC)

    def key(b: Binding) -> tuple[datetime, datetime, str]:
        created = _utc(b.date_created) if b.date_created else floor
        active = _utc(b.date_updated) if b.date_updated else created
        return (active, created, b.sid)

    return sorted(bindings, key=key, reverse=True)


# ---- findings 1-4: from the bindings alone -------------------------------------------------


def compute_binding_findings(
    bindings: Iterable[Binding], settings: DiagnosticsSettings, now: datetime
) -> list[Finding]:
    """Shared endpoints, pile-ups, stale bindings, missing `new_message`. One pass, O(n)."""
    now = _utc(now)
    stale_seconds = settings.stale_days * DAY_SECONDS
    # endpoint key -> its first binding, in first-seen order; the identity -> bindings map
    # is only built for an endpoint seen twice (at 100k bindings, one nested dict and list
    # per endpoint was the diagnosis's largest allocation)
    first_seen: dict[str, Binding] = {}
    by_endpoint: dict[str, dict[str, list[Binding]]] = {}
    by_identity_type: dict[tuple[str, str | None], list[Binding]] = {}
    stale: list[Finding] = []
    no_new_message: list[Finding] = []

    for b in bindings:
        identity = b.identity or None
        key = endpoint_key(b.binding_type, b.endpoint)
        if key is not None and identity is not None:
            first = first_seen.setdefault(key, b)
            if first is not b:
                owners = by_endpoint.get(key)
                if owners is None:
                    owners = by_endpoint[key] = {_identity_of(first): [first]}
                owners.setdefault(identity, []).append(b)
        if identity is not None:
            by_identity_type.setdefault((identity, b.binding_type), []).append(b)

        reference = b.date_updated or b.date_created
        if reference is not None:
            age = (now - _utc(reference)).total_seconds()
            if age > stale_seconds:
                stale.append(_stale_finding(b, age, settings, b.date_updated is not None))

        if b.message_types_sent and NEW_MESSAGE not in b.message_types:
            no_new_message.append(_no_new_message_finding(b))

    shared = [
        _shared_endpoint_finding(key, owners)
        for key in first_seen
        if (owners := by_endpoint.get(key)) is not None and len(owners) >= 2
    ]
    pile_ups = [
        _pile_up_finding(identity, binding_type, group, settings)
        for (identity, binding_type), group in by_identity_type.items()
        if len(group) > settings.pile_up_threshold
    ]
    return [*shared, *pile_ups, *stale, *no_new_message]


def _shared_endpoint_finding(key: str, owners: dict[str, list[Binding]]) -> Finding:
    members = [b for group in owners.values() for b in group]
    identities = list(owners)
    types = sorted({_type_label(b.binding_type) for b in members})
    shown = ", ".join(identities[:3]) + (
        f" and {len(identities) - 3} more" if len(identities) > 3 else ""
    )
    return Finding(
        kind=FindingKind.SHARED_ENDPOINT,
        severity=SEVERITY[FindingKind.SHARED_ENDPOINT],
        binding_sids=tuple(b.sid for b in members),
        identity=None,
        summary=(
            f"{'/'.join(types)} endpoint {_short(key)} is registered under {len(identities)} "
            f"identities ({shown}): pushes for one land on another's device"
        ),
        details={
            "endpoint": members[0].endpoint,
            "binding_types": types,
            "identities": identities,
        },
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
            f"{identity} has {len(group)} {_type_label(binding_type)} bindings "
            f"(more than {settings.pile_up_threshold}): stale device tokens pile up"
        ),
        details={
            "binding_type": binding_type,
            "count": len(group),
            "threshold": settings.pile_up_threshold,
            "newest_sid": ordered[0].sid,
        },
    )


def _stale_finding(
    b: Binding, age_seconds: float, settings: DiagnosticsSettings, from_updated: bool
) -> Finding:
    days = int(age_seconds // DAY_SECONDS)
    reference = b.date_updated if from_updated else b.date_created
    return Finding(
        kind=FindingKind.STALE,
        severity=SEVERITY[FindingKind.STALE],
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(
            f"{_type_label(b.binding_type)} binding of {_who(b.identity)} not "
            f"{'updated' if from_updated else 'updated since creation'} for {days} days "
            f"(more than {settings.stale_days}): the device token has probably rotated"
        ),
        details={
            "days_since_update": days,
            "stale_days": settings.stale_days,
            "date": _utc(reference).isoformat() if reference else None,
            "date_field": "date_updated" if from_updated else "date_created",
            "binding_type": b.binding_type,
        },
    )


def _no_new_message_finding(b: Binding) -> Finding:
    listed = ", ".join(b.message_types) if b.message_types else "none"
    return Finding(
        kind=FindingKind.NO_NEW_MESSAGE,
        severity=SEVERITY[FindingKind.NO_NEW_MESSAGE],
        binding_sids=(b.sid,),
        identity=b.identity,
        summary=(
            f"{_type_label(b.binding_type)} binding of {_who(b.identity)} is not subscribed "
            f"to new_message (message_types: {listed}): it gets no message pushes"
        ),
        details={"message_types": list(b.message_types), "binding_type": b.binding_type},
    )


# ---- finding 5: credentials ----------------------------------------------------------------


def distinct_credential_sids(bindings: Iterable[Binding]) -> list[str]:
    """Every credential SID the bindings use, once, in first-seen order."""
    return list(dict.fromkeys(b.credential_sid for b in bindings if b.credential_sid))


def credential_findings(
    bindings: Iterable[Binding], credentials: Mapping[str, Credential | None]
) -> list[Finding]:
    """Missing credentials, type mismatches and APN sandbox credentials.

    `credentials` maps a credential SID to what the Credentials resource said: None means
    it does not exist. A SID absent from the mapping was not resolved (say, the read
    failed) and gives no finding.
    """
    by_credential: dict[str, list[Binding]] = {}
    for b in bindings:
        if b.credential_sid:
            by_credential.setdefault(b.credential_sid, []).append(b)

    missing: list[Finding] = []
    mismatched: list[Finding] = []
    sandbox: list[Finding] = []
    for sid, users in by_credential.items():
        if sid not in credentials:
            continue
        credential = credentials[sid]
        if credential is None:
            missing.append(_missing_finding(sid, users))
            continue
        cred_type = (credential.type or "").lower()
        by_type: dict[str, list[Binding]] = {}
        for b in users:
            b_type = (b.binding_type or "").lower()
            if cred_type and b_type in PUSH_BINDING_TYPES and b_type != cred_type:
                by_type.setdefault(b_type, []).append(b)
        for b_type, group in by_type.items():
            mismatched.append(_mismatch_finding(credential, b_type, group))
        if cred_type == "apn" and credential.sandbox:
            sandbox.append(_sandbox_finding(credential, users))
    return [*missing, *mismatched, *sandbox]


def _credential_name(credential: Credential) -> str:
    if credential.friendly_name:
        return f"{credential.friendly_name!r} ({credential.sid})"
    return credential.sid


def _credential_details(credential: Credential) -> dict[str, Any]:
    return {
        "credential_sid": credential.sid,
        "friendly_name": credential.friendly_name,
        "credential_type": credential.type,
        "sandbox": credential.sandbox,
    }


def _missing_finding(sid: str, users: list[Binding]) -> Finding:
    types = sorted({_type_label(b.binding_type) for b in users})
    return Finding(
        kind=FindingKind.CREDENTIAL_MISSING,
        severity=SEVERITY[FindingKind.CREDENTIAL_MISSING],
        binding_sids=tuple(b.sid for b in users),
        identity=_common_identity(users),
        summary=(
            f"credential {sid} used by {len(users)} binding(s) does not exist: "
            "pushes to them cannot be sent"
        ),
        details={"credential_sid": sid, "binding_types": types},
    )


def _mismatch_finding(credential: Credential, binding_type: str, group: list[Binding]) -> Finding:
    return Finding(
        kind=FindingKind.CREDENTIAL_TYPE_MISMATCH,
        severity=SEVERITY[FindingKind.CREDENTIAL_TYPE_MISMATCH],
        binding_sids=tuple(b.sid for b in group),
        identity=_common_identity(group),
        summary=(
            f"{len(group)} {binding_type} binding(s) use {credential.type} credential "
            f"{_credential_name(credential)}: the push service rejects them"
        ),
        details={**_credential_details(credential), "binding_type": binding_type},
    )


def _sandbox_finding(credential: Credential, users: list[Binding]) -> Finding:
    return Finding(
        kind=FindingKind.APN_SANDBOX,
        severity=SEVERITY[FindingKind.APN_SANDBOX],
        binding_sids=tuple(b.sid for b in users),
        identity=_common_identity(users),
        summary=(
            f"{len(users)} binding(s) use sandbox APN credential {_credential_name(credential)}: "
            "an App Store/TestFlight (production) build gets no pushes"
        ),
        details=_credential_details(credential),
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
        )
    ]


def _json_scalar(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# ---- indexes the TUI uses ---------------------------------------------------------------------


def findings_by_sid(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Binding SID -> the findings naming it (for row markers and the detail pane)."""
    index: dict[str, list[Finding]] = {}
    for finding in findings:
        for sid in finding.binding_sids:
            index.setdefault(sid, []).append(finding)
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
# about the app build, and a disabled push setting names no binding.
CLEANUP_KINDS: Final = (
    FindingKind.SHARED_ENDPOINT,
    FindingKind.CREDENTIAL_MISSING,
    FindingKind.CREDENTIAL_TYPE_MISMATCH,
    FindingKind.PILE_UP,
    FindingKind.STALE,
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
