"""Finding 5: the push credentials the bindings use (missing, wrong type, APN sandbox,
legacy GCM, an FCM credential that may still hold a legacy server key). Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bindings_tui.binding_facts import (
    PUSH_BINDING_TYPES,
    as_utc,
    type_label,
)
from bindings_tui.findings import (
    SEVERITY,
    Evidence,
    Finding,
    FindingKind,
    documented,
    from_twilio,
    heuristic,
)
from bindings_tui.models import Binding, Credential, parse_time
from bindings_tui.push_codes import LEGACY_FCM_SHUTDOWN, LEGACY_FCM_SOURCE


class _Users:
    """The bindings that use a credential, as a finding needs them: their SIDs, whether
    they share one identity, their types (not the bindings: a sandbox credential of a
    million bindings would keep a million Binding objects alive)."""

    __slots__ = ("_identity", "_mixed", "sids", "types")

    def __init__(self) -> None:
        self.sids: list[str] = []
        self.types: set[str | None] = set()
        self._identity: str | None = None
        self._mixed = False

    def add(self, b: Binding) -> None:
        if not self.sids:
            self._identity = b.identity
        elif not self._mixed and b.identity != self._identity:
            self._mixed = True
        self.sids.append(b.sid)
        self.types.add(b.binding_type)

    def __len__(self) -> int:
        return len(self.sids)

    @property
    def identity(self) -> str | None:
        """The one identity they all have (`common_identity`), else None."""
        return None if self._mixed else self._identity


class _CredentialUse:
    """What one resolved credential's findings need from the bindings that use it."""

    __slots__ = ("by_type", "cred_type", "users")

    def __init__(self, credential: Credential | None) -> None:
        self.cred_type = "" if credential is None else (credential.type or "").lower()
        self.users = _Users() if _names_every_user(credential) else None
        self.by_type: dict[str, _Users] = {}  # mismatched binding type -> its bindings

    def add(self, b: Binding) -> None:
        if self.users is not None:
            self.users.add(b)
        b_type = (b.binding_type or "").lower()
        if self.cred_type and b_type in PUSH_BINDING_TYPES and b_type != self.cred_type:
            group = self.by_type.get(b_type)
            if group is None:
                group = self.by_type[b_type] = _Users()
            group.add(b)


def _names_every_user(credential: Credential | None) -> bool:
    """Whether a finding about this credential names every binding that uses it."""
    if credential is None:
        return True
    cred_type = (credential.type or "").lower()
    if cred_type == "fcm":
        return _legacy_fcm_update(credential) is not None
    return (cred_type == "apn" and bool(credential.sandbox)) or cred_type == "gcm"


def _legacy_fcm_update(credential: Credential) -> datetime | None:
    """When an fcm credential was last updated, if that was before legacy FCM's end."""
    updated = parse_time(credential.raw.get("date_updated"))
    return updated if updated is not None and updated < LEGACY_FCM_SHUTDOWN else None


def credential_findings(
    bindings: Iterable[Binding], credentials: Mapping[str, Credential | None]
) -> list[Finding]:
    """Missing credentials, type mismatches and APN sandbox credentials.

    `credentials` maps a credential SID to what the Credentials resource said: None means
    it does not exist. A SID absent from the mapping was not resolved (say, the read
    failed) and gives no finding.
    """
    # One pass; credentials in first-seen order (None: in use, but not resolved).
    uses: dict[str, _CredentialUse | None] = {}
    for b in bindings:
        sid = b.credential_sid
        if not sid:
            continue
        if sid in uses:
            use = uses[sid]
        else:
            use = uses[sid] = _CredentialUse(credentials[sid]) if sid in credentials else None
        if use is not None:
            use.add(b)

    missing: list[Finding] = []
    mismatched: list[Finding] = []
    sandbox: list[Finding] = []
    legacy: list[Finding] = []
    for sid, found in uses.items():
        if found is None:
            continue
        credential = credentials[sid]
        users = found.users
        if credential is None:
            assert users is not None
            missing.append(_missing_finding(sid, users))
            continue
        for b_type, group in found.by_type.items():
            mismatched.append(_mismatch_finding(credential, b_type, group))
        cred_type = found.cred_type
        if cred_type == "apn" and credential.sandbox:
            assert users is not None
            sandbox.append(_sandbox_finding(credential, users))
        if cred_type == "gcm":
            assert users is not None
            legacy.append(_legacy_gcm_credential_finding(credential, users))
        elif cred_type == "fcm":
            updated = _legacy_fcm_update(credential)
            if updated is not None:
                assert users is not None
                legacy.append(_legacy_fcm_key_finding(credential, users, updated))
    return [*missing, *mismatched, *legacy, *sandbox]


def _about(
    kind: FindingKind,
    users: _Users,
    *,
    summary: str,
    details: dict[str, Any],
    evidence: Evidence,
    action: str,
) -> Finding:
    """A credential finding: its kind's severity, about the bindings that use it."""
    return Finding(
        kind=kind,
        severity=SEVERITY[kind],
        binding_sids=tuple(users.sids),
        identity=users.identity,
        summary=summary,
        details=details,
        evidence=evidence,
        action=action,
    )


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


def _missing_finding(sid: str, users: _Users) -> Finding:
    types = sorted({type_label(t) for t in users.types})
    return _about(
        FindingKind.CREDENTIAL_MISSING,
        users,
        summary=(
            f"credential {sid} used by {len(users)} binding(s) does not exist: "
            "pushes to them cannot be sent"
        ),
        details={"credential_sid": sid, "binding_types": types},
        evidence=from_twilio(f"the Credentials resource answered 404 for {sid}"),
        action=(
            "put an existing credential's SID in the app's access token (push_credential_sid) "
            "and have the app register again"
        ),
    )


def _mismatch_finding(credential: Credential, binding_type: str, group: _Users) -> Finding:
    return _about(
        FindingKind.CREDENTIAL_TYPE_MISMATCH,
        group,
        summary=(
            f"{len(group)} {binding_type} binding(s) use {credential.type} credential "
            f"{_credential_name(credential)}: the push service rejects them"
        ),
        details={**_credential_details(credential), "binding_type": binding_type},
        evidence=from_twilio(
            f"credential {credential.sid} has type {credential.type}, the bindings {binding_type}"
        ),
        action=f"use a {binding_type} credential for {binding_type} bindings and register again",
    )


def _sandbox_finding(credential: Credential, users: _Users) -> Finding:
    return _about(
        FindingKind.APN_SANDBOX,
        users,
        summary=(
            f"{len(users)} binding(s) use sandbox APN credential {_credential_name(credential)}: "
            "an App Store/TestFlight (production) build gets no pushes"
        ),
        details=_credential_details(credential),
        evidence=from_twilio(f"credential {credential.sid} has sandbox true"),
        action="fine for development builds; production builds need a production credential",
    )


def _legacy_gcm_credential_finding(credential: Credential, users: _Users) -> Finding:
    return _about(
        FindingKind.LEGACY_GCM,
        users,
        summary=(
            f"{len(users)} binding(s) use gcm credential {_credential_name(credential)}: "
            "its legacy API key stopped working when Google shut legacy GCM/FCM down in 2024"
        ),
        details=_credential_details(credential),
        evidence=documented(f"credential type gcm; legacy FCM/GCM shut down ({LEGACY_FCM_SOURCE})"),
        action=(
            "create an fcm credential with an FCM v1 service account; have the app register "
            "as fcm with it, then delete the gcm bindings"
        ),
    )


def _legacy_fcm_key_finding(credential: Credential, users: _Users, updated: datetime) -> Finding:
    day = f"{as_utc(updated):%Y-%m-%d}"
    return _about(
        FindingKind.LEGACY_FCM_KEY,
        users,
        summary=(
            f"fcm credential {_credential_name(credential)} was last updated {day}, before "
            "Google's June 2024 shutdown of legacy FCM: it may still hold a legacy server key"
        ),
        details={**_credential_details(credential), "date_updated": as_utc(updated).isoformat()},
        evidence=heuristic(
            f"credential not updated since {day}; the API never shows which kind of secret it "
            "holds (alerts 52116/52117 would confirm)"
        ),
        action="make sure the credential holds an FCM v1 service account; upload one if not",
    )
