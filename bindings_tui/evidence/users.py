"""A user's reachability as Twilio sees it, and the findings about one identity.

Conversations `GET /v1/Services/{IS}/Users/{Identity}` and Chat v2's Users resource both
carry `is_notifiable` ("a potentially valid push registration") and `is_online`; both are
null unless the service's reachability indicator is on, and then nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bindings_tui.findings import SEVERITY, Finding, FindingKind, from_twilio
from bindings_tui.models import ApiFlavor, Binding, JsonDict


@dataclass(frozen=True, slots=True)
class UserReachability:
    """What the Users resource said about one identity (`found` False: it answered 404)."""

    identity: str
    found: bool
    sid: str | None = None
    is_notifiable: bool | None = None
    is_online: bool | None = None

    @classmethod
    def from_json(cls, identity: str, raw: JsonDict) -> UserReachability:
        def flag(key: str) -> bool | None:
            value = raw.get(key)
            return value if isinstance(value, bool) else None

        sid = raw.get("sid")
        return cls(
            identity=identity,
            found=True,
            sid=sid if isinstance(sid, str) else None,
            is_notifiable=flag("is_notifiable"),
            is_online=flag("is_online"),
        )

    @classmethod
    def missing(cls, identity: str) -> UserReachability:
        return cls(identity=identity, found=False)

    @property
    def reachability_off(self) -> bool:
        return self.found and self.is_notifiable is None and self.is_online is None

    def describe(self) -> str:
        """One line for the verdict's list of what was checked."""
        if not self.found:
            return "User resource: none for this identity (the user never connected)"
        if self.reachability_off:
            return (
                "User resource: is_notifiable and is_online are null: the service's "
                "reachability indicator is off, so Twilio gives no answer"
            )
        notifiable = {True: "notifiable", False: "NOT notifiable", None: "notifiable unknown"}
        online = {True: "online", False: "offline", None: "online unknown"}
        return f"User resource: {notifiable[self.is_notifiable]}, {online[self.is_online]}"

    def to_json(self) -> dict[str, object]:
        return {
            "identity": self.identity,
            "found": self.found,
            "sid": self.sid,
            "is_notifiable": self.is_notifiable,
            "is_online": self.is_online,
            "reachability_off": self.reachability_off,
        }


def identity_findings(
    identity: str, bindings: Sequence[Binding], user: UserReachability | None, api: ApiFlavor
) -> list[Finding]:
    """`no-binding` when the identity has none; `user-not-notifiable` when Twilio says so."""
    mine = tuple(b.sid for b in bindings if b.identity == identity)
    out: list[Finding] = []
    if not mine:
        kind = FindingKind.NO_BINDING
        out.append(
            Finding(
                kind=kind,
                severity=SEVERITY[kind],
                binding_sids=(),
                identity=identity,
                summary=f"{identity} has no binding at all: the app never registered for push",
                details={"api": api.value},
                evidence=from_twilio(f"the {api.label} Bindings list has none for this identity"),
                action=(
                    "make the app register for push after login (the SDK's push registration "
                    "with a credential SID in the access token)"
                ),
            )
        )
    if user is not None and user.is_notifiable is False:
        kind = FindingKind.USER_NOT_NOTIFIABLE
        out.append(
            Finding(
                kind=kind,
                severity=SEVERITY[kind],
                binding_sids=mine,
                identity=identity,
                summary=(
                    f"Twilio says {identity} is not notifiable: no potentially valid push "
                    "registration"
                ),
                details=dict(user.to_json()),
                evidence=from_twilio(f"{api.label} User resource: is_notifiable false"),
                action="have the app register for push again on the user's device",
            )
        )
    return out


__all__ = ["UserReachability", "identity_findings"]
