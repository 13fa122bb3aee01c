"""What a diagnosis says: kinds, severities, evidence and the `Finding` record.

`diagnostics` (rules over bindings and credentials) and `evidence` (Twilio's alerts,
users and push configuration) both build `Finding`s; the CLI and the TUI render them.
Every finding says where it comes from (`Evidence`): Twilio's own alerts, a Twilio
resource, a documented limit, or a heuristic over the bindings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Final


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
    # Evidence-based kinds (issue 14).
    PUSH_ALERT = "push-alert"
    DEAD_TOKEN = "dead-token"
    LEGACY_GCM = "legacy-gcm"
    LEGACY_FCM_KEY = "legacy-fcm-key"
    PUSH_TYPE_OFF = "push-type-off"
    USER_NOT_NOTIFIABLE = "user-not-notifiable"
    NO_BINDING = "no-binding"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def short_label(self) -> str:
        """A few words, for a one-line summary of every kind present."""
        return _SHORT_LABELS[self]


_LABELS: Final[dict[FindingKind, str]] = {
    FindingKind.SHARED_ENDPOINT: "Endpoint shared by several identities",
    FindingKind.PILE_UP: "Many bindings of one type for an identity",
    FindingKind.STALE: "Not updated for a long time",
    FindingKind.NO_NEW_MESSAGE: "Not subscribed to new_message",
    FindingKind.CREDENTIAL_MISSING: "Credential does not exist",
    FindingKind.CREDENTIAL_TYPE_MISMATCH: "Credential type does not match binding type",
    FindingKind.APN_SANDBOX: "APN sandbox credential",
    FindingKind.PUSH_DISABLED: "new_message push disabled for the service",
    FindingKind.PUSH_ALERT: "Twilio reported push failures",
    FindingKind.DEAD_TOKEN: "Device token rejected or past its expiry",
    FindingKind.LEGACY_GCM: "Legacy GCM (shut down by Google in 2024)",
    FindingKind.LEGACY_FCM_KEY: "FCM credential may hold a legacy server key",
    FindingKind.PUSH_TYPE_OFF: "A push type the bindings use is switched off",
    FindingKind.USER_NOT_NOTIFIABLE: "User is not notifiable",
    FindingKind.NO_BINDING: "No binding at all",
}

_SHORT_LABELS: Final[dict[FindingKind, str]] = {
    FindingKind.SHARED_ENDPOINT: "shared endpoint",
    FindingKind.PILE_UP: "pile-up",
    FindingKind.STALE: "stale",
    FindingKind.NO_NEW_MESSAGE: "no new_msg",
    FindingKind.CREDENTIAL_MISSING: "missing cred",
    FindingKind.CREDENTIAL_TYPE_MISMATCH: "cred type",
    FindingKind.APN_SANDBOX: "sandbox",
    FindingKind.PUSH_DISABLED: "push off",
    FindingKind.PUSH_ALERT: "alerts",
    FindingKind.DEAD_TOKEN: "dead token",
    FindingKind.LEGACY_GCM: "legacy gcm",
    FindingKind.LEGACY_FCM_KEY: "old fcm key",
    FindingKind.PUSH_TYPE_OFF: "type off",
    FindingKind.USER_NOT_NOTIFIABLE: "not notifiable",
    FindingKind.NO_BINDING: "no binding",
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

# The usual severity of each kind. A finding carries its own (a push alert of a
# warning-level code is a warning); these are what a summary per kind shows.
SEVERITY: Final[dict[FindingKind, Severity]] = {
    FindingKind.SHARED_ENDPOINT: Severity.ERROR,
    FindingKind.PILE_UP: Severity.WARNING,
    # Stale is information: date_updated is the last registration, not a failure.
    FindingKind.STALE: Severity.INFO,
    FindingKind.NO_NEW_MESSAGE: Severity.WARNING,
    FindingKind.CREDENTIAL_MISSING: Severity.ERROR,
    FindingKind.CREDENTIAL_TYPE_MISMATCH: Severity.ERROR,
    FindingKind.APN_SANDBOX: Severity.INFO,
    FindingKind.PUSH_DISABLED: Severity.ERROR,
    FindingKind.PUSH_ALERT: Severity.ERROR,
    FindingKind.DEAD_TOKEN: Severity.WARNING,
    FindingKind.LEGACY_GCM: Severity.ERROR,
    FindingKind.LEGACY_FCM_KEY: Severity.WARNING,
    FindingKind.PUSH_TYPE_OFF: Severity.WARNING,
    FindingKind.USER_NOT_NOTIFIABLE: Severity.ERROR,
    FindingKind.NO_BINDING: Severity.ERROR,
}


class EvidenceSource(enum.StrEnum):
    """Where a finding comes from, strongest first."""

    ALERTS = "alerts"  # Twilio's Monitor alerts named it
    TWILIO = "twilio"  # a Twilio resource says so (a 404, a push setting, a user)
    DOCUMENTED = "documented"  # a documented limit (FCM's 270-day expiry, the GCM shutdown)
    HEURISTIC = "heuristic"  # a rule of thumb over the bindings

    @property
    def rank(self) -> int:
        return list(EvidenceSource).index(self)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a finding is believed: `text` is one sentence ("Twilio reported 52134 3 times
    in 7 days", "heuristic: not updated for 400 days"); alert SIDs and codes when any."""

    source: EvidenceSource
    text: str
    alert_sids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source.value,
            "text": self.text,
            "alert_sids": list(self.alert_sids),
            "codes": list(self.codes),
        }


def heuristic(text: str) -> Evidence:
    return Evidence(EvidenceSource.HEURISTIC, f"heuristic: {text}")


def from_twilio(text: str) -> Evidence:
    return Evidence(EvidenceSource.TWILIO, text)


def documented(text: str) -> Evidence:
    return Evidence(EvidenceSource.DOCUMENTED, text)


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosis. `details` holds JSON-ready values only (str, int, bool, None, lists).

    `evidence` says why it is believed; `action` what to do about it.
    """

    kind: FindingKind
    severity: Severity
    binding_sids: tuple[str, ...]
    identity: str | None
    summary: str
    details: dict[str, Any] = field(default_factory=dict, hash=False)
    evidence: Evidence | None = None
    action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "severity": self.severity.value,
            "identity": self.identity,
            "binding_sids": list(self.binding_sids),
            "summary": self.summary,
            "details": self.details,
            "evidence": self.evidence.to_json() if self.evidence else None,
            "action": self.action,
        }


__all__ = [
    "SEVERITY",
    "Evidence",
    "EvidenceSource",
    "Finding",
    "FindingKind",
    "Severity",
    "documented",
    "from_twilio",
    "heuristic",
]
