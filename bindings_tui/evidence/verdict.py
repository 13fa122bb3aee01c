"""The verdict for one identity: "why does X get no push?" as one ranked answer.

Reasons are the findings that concern X (its bindings, X itself, or the whole service),
ranked by severity, then by the strength of their evidence (Twilio's alerts first, a
heuristic last), then by kind. Information (a stale binding, a sandbox credential) is
listed after the reasons, never as one. When nothing is wrong, the verdict says so and
lists what was checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bindings_tui.findings import EvidenceSource, Finding, FindingKind, Severity
from bindings_tui.models import Binding

# Binding types a platform-specific alert (APNs or FCM codes) can concern.
_PLATFORM_TYPES = {"apn": frozenset({"apn"}), "fcm": frozenset({"fcm", "gcm"})}


@dataclass(frozen=True, slots=True)
class Verdict:
    identity: str
    headline: str
    reasons: list[Finding]
    information: list[Finding]
    binding_sids: tuple[str, ...]
    checked: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "headline": self.headline,
            "reasons": [f.to_json() for f in self.reasons],
            "information": [f.to_json() for f in self.information],
            "binding_sids": list(self.binding_sids),
            "checked": list(self.checked),
        }


def rank_key(finding: Finding) -> tuple[int, int, int, int]:
    """Most severe first; then what names this user's devices (or the user) before what
    concerns the whole service; then the strongest evidence; then the kind's order."""
    source = finding.evidence.source if finding.evidence else EvidenceSource.HEURISTIC
    wide = 0 if finding.binding_sids or finding.identity else 1
    return (finding.severity.rank, wide, source.rank, list(FindingKind).index(finding.kind))


def concerns(
    finding: Finding, identity: str, mine: set[str], types: frozenset[str] | None = None
) -> bool:
    """Whether a finding bears on this identity: it names the identity or one of its
    bindings, or it is service-wide and the identity has bindings it can affect (an APNs
    alert does not concern a user with only fcm bindings). `types`: the identity's binding
    types (None: unknown, any)."""
    if finding.identity == identity:
        return True
    if finding.binding_sids:
        return any(sid in mine for sid in finding.binding_sids)
    if finding.identity is not None or not mine:
        return False  # another user's, or no device for a service setting to reach
    platform = finding.details.get("platform")
    if types is not None and isinstance(platform, str) and platform in _PLATFORM_TYPES:
        return bool(types & _PLATFORM_TYPES[platform])
    return True


def build_verdict(
    identity: str,
    bindings: Sequence[Binding],
    findings: Iterable[Finding],
    checked: Sequence[str] = (),
) -> Verdict:
    """`bindings`: the identity's own bindings."""
    binding_sids = [b.sid for b in bindings]
    mine = set(binding_sids)
    types = frozenset(b.binding_type for b in bindings if b.binding_type)
    relevant = sorted((f for f in findings if concerns(f, identity, mine, types)), key=rank_key)
    reasons = [f for f in relevant if f.severity is not Severity.INFO]
    information = [f for f in relevant if f.severity is Severity.INFO]
    if reasons:
        top = reasons[0]
        more = f" ({len(reasons) - 1} more reason(s) below)" if len(reasons) > 1 else ""
        headline = f"Most likely: {top.summary}{more}"
    else:
        headline = (
            f"Nothing found that explains a missing push for {identity}: "
            f"{len(mine)} binding(s) checked"
        )
    return Verdict(
        identity=identity,
        headline=headline,
        reasons=reasons,
        information=information,
        binding_sids=tuple(binding_sids),
        checked=list(checked),
    )


__all__ = ["Verdict", "build_verdict", "concerns", "rank_key"]
