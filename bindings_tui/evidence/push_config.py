"""The whole push configuration of a service: every type, and what a switched-off type costs.

Conversations v1 `Configuration/Notifications`: `new_message` (`enabled`, `template`,
`sound`, `badge_count_enabled`, `with_media`), `added_to_conversation`,
`removed_from_conversation`, `log_enabled`. Chat v2 keeps the same under the service's
`notifications`, with `_channel` names and `invited_to_channel`. A new service has every
type off. `new_message` off is `push-disabled` (diagnostics.service_findings); another
type off while bindings subscribe to it, or `with_media` off, is `push-type-off`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bindings_tui.findings import SEVERITY, Finding, FindingKind, from_twilio
from bindings_tui.models import ApiFlavor, Binding

NEW_MESSAGE: Final = "new_message"
OTHER_TYPES: Final[dict[ApiFlavor, tuple[str, ...]]] = {
    ApiFlavor.CONVERSATIONS: ("added_to_conversation", "removed_from_conversation"),
    ApiFlavor.CHAT: ("added_to_channel", "removed_from_channel", "invited_to_channel"),
}


def _enabled(setting: object) -> bool | None:
    if not isinstance(setting, Mapping):
        return None
    value = setting.get("enabled")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def push_types(config: Mapping[str, Any], api: ApiFlavor) -> dict[str, bool | None]:
    """Every push type's `enabled` (None: not said), `new_message.with_media` included."""
    new_message = config.get(NEW_MESSAGE)
    types: dict[str, bool | None] = {NEW_MESSAGE: _enabled(new_message)}
    if api is ApiFlavor.CONVERSATIONS:
        media = new_message.get("with_media") if isinstance(new_message, Mapping) else None
        types["new_message.with_media"] = _enabled(media)
    for name in OTHER_TYPES[api]:
        types[name] = _enabled(config.get(name))
    return types


def push_type_findings(
    config: Mapping[str, Any], api: ApiFlavor, bindings: Sequence[Binding]
) -> list[Finding]:
    """A finding per switched-off type that bindings would need (new_message aside)."""
    types = push_types(config, api)
    subscribers: dict[str, int] = dict.fromkeys(OTHER_TYPES[api], 0)
    for b in bindings:
        for name in b.message_types:
            if name in subscribers:
                subscribers[name] += 1
    where = "Configuration/Notifications" if api is ApiFlavor.CONVERSATIONS else "notifications"
    out: list[Finding] = []
    media_users = sum(1 for b in bindings if NEW_MESSAGE in b.message_types)
    if (
        types.get(NEW_MESSAGE) is True
        and types.get("new_message.with_media") is False
        and media_users
    ):
        out.append(
            _finding(
                "new_message.with_media",
                f"media-only messages send no push ({where}: new_message.with_media is off)",
                api,
                where,
                media_users,
            )
        )
    for name, count in subscribers.items():
        if types.get(name) is False and count:
            out.append(
                _finding(
                    name,
                    f"{name} push is off in the service's {where} while {count} binding(s) "
                    "subscribe to it: they get no such push",
                    api,
                    where,
                    count,
                )
            )
    return out


def _finding(setting: str, summary: str, api: ApiFlavor, where: str, count: int) -> Finding:
    kind = FindingKind.PUSH_TYPE_OFF
    return Finding(
        kind=kind,
        severity=SEVERITY[kind],
        binding_sids=(),  # a service setting: it concerns every binding subscribed
        identity=None,
        summary=summary,
        details={"setting": setting, "api": api.value, "bindings": count},
        evidence=from_twilio(f"{api.label} {where}: {setting}.enabled is false"),
        action=f"turn {setting} on in the service's {where} if the app relies on it",
    )


def describe_config(config: Mapping[str, Any] | None, api: ApiFlavor) -> str:
    """`new_message on, with_media off, ...`: one line of what was read."""
    if config is None:
        return "push configuration: could not be read"
    state = {True: "on", False: "off", None: "?"}
    parts = [f"{name} {state[value]}" for name, value in push_types(config, api).items()]
    log = config.get("log_enabled")
    if isinstance(log, bool):
        parts.append(f"log_enabled {state[log]}")
    return "push configuration: " + ", ".join(parts)


__all__ = ["OTHER_TYPES", "describe_config", "push_type_findings", "push_types"]
