"""Twilio Monitor alerts: the record, the window they are read for, and what each names.

An alert names things in three places: `resource_sid`, `service_sid`, and `alert_text`
(usually URL-encoded `key=value` pairs, parsed with `parse_qsl`, never grepped), plus the
path of `request_url`. Every SID found there, and every value that could be a device
token, is a reference; `match_alerts` ties them to what was loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from bindings_tui.binding_facts import endpoint_key
from bindings_tui.errors import InputError, ResponseFormatError
from bindings_tui.models import Binding, JsonDict, parse_time
from bindings_tui.push_codes import PushCode, push_code

# Twilio keeps 30 days of alerts; the default window is a week.
MAX_ALERT_DAYS: Final = 30
DEFAULT_ALERT_DAYS: Final = 7
# How many alerts one diagnosis reads at most (newest first, as Twilio lists them).
DEFAULT_MAX_ALERTS: Final = 2000
MAX_MAX_ALERTS: Final = 20_000
# alert_text is bounded before parsing: a real one is a few hundred characters.
MAX_ALERT_TEXT: Final = 8192
MAX_ALERT_FIELDS: Final = 64
_SID_RE: Final = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
# A value this short is no device token (tokens are 64 hex or ~150 base64 characters).
MIN_TOKEN_CHARS: Final = 32


@dataclass(frozen=True, slots=True)
class AlertWindow:
    """Which alerts to read: the last `days` days before `now`, at most `max_alerts`."""

    days: int = DEFAULT_ALERT_DAYS
    max_alerts: int = DEFAULT_MAX_ALERTS

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not 1 <= self.days <= MAX_ALERT_DAYS:
            raise InputError(
                f"the alerts window is 1..{MAX_ALERT_DAYS} days (Twilio keeps {MAX_ALERT_DAYS})"
            )
        if isinstance(self.max_alerts, bool) or not 1 <= self.max_alerts <= MAX_MAX_ALERTS:
            raise InputError(f"at most 1..{MAX_MAX_ALERTS} alerts can be read")

    def start(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)


@dataclass(frozen=True, slots=True)
class Alert:
    """One Monitor alert, as much of it as the diagnosis uses (strings kept as sent)."""

    sid: str
    error_code: str | None
    log_level: str | None
    alert_text: str | None
    resource_sid: str | None
    service_sid: str | None
    date_generated: datetime | None
    request_url: str | None = None
    more_info: str | None = None

    @property
    def code(self) -> PushCode | None:
        """The push code table's row, None for every other alert (ignored)."""
        return push_code(self.error_code)

    @classmethod
    def from_json(cls, raw: object) -> Alert:
        if not isinstance(raw, dict):
            raise ResponseFormatError("an alert record must be an object")
        sid = raw.get("sid")
        if not isinstance(sid, str) or not sid:
            raise ResponseFormatError("an alert record has no sid")

        def text(key: str) -> str | None:
            value = raw.get(key)
            if value is None:
                return None
            return value if isinstance(value, str) else str(value)

        generated = parse_time(raw.get("date_generated")) or parse_time(raw.get("date_created"))
        return cls(
            sid=sid,
            error_code=text("error_code"),
            log_level=text("log_level"),
            alert_text=text("alert_text"),
            resource_sid=text("resource_sid"),
            service_sid=text("service_sid"),
            date_generated=generated,
            request_url=text("request_url"),
            more_info=text("more_info"),
        )


@dataclass(frozen=True, slots=True)
class AlertRefs:
    """What one alert names: SIDs (upper-cased prefix kept as sent) and token-like values."""

    sids: frozenset[str]
    values: frozenset[str]


def alert_refs(alert: Alert) -> AlertRefs:
    sids: set[str] = set()
    values: set[str] = set()
    for candidate in (alert.resource_sid, alert.service_sid):
        if candidate and _SID_RE.fullmatch(candidate):
            sids.add(candidate)
    text = alert.alert_text or ""
    if text and len(text) <= MAX_ALERT_TEXT:
        try:
            pairs = parse_qsl(text, keep_blank_values=False, max_num_fields=MAX_ALERT_FIELDS)
        except ValueError:
            pairs = []  # more fields than any real alert: read nothing from it
        for _key, value in pairs:
            value = value.strip()
            if _SID_RE.fullmatch(value):
                sids.add(value)
            elif len(value) >= MIN_TOKEN_CHARS and " " not in value:
                values.add(value)
    if alert.request_url and len(alert.request_url) <= MAX_ALERT_TEXT:
        for segment in urlsplit(alert.request_url).path.split("/"):
            if _SID_RE.fullmatch(segment):
                sids.add(segment)
    return AlertRefs(frozenset(sids), frozenset(values))


@dataclass(slots=True)
class AlertMatches:
    """Push alerts tied to what was loaded, each alert once, most specific first:
    a binding by SID, a device by its token, a credential, else the service.

    `other_service`: push alerts that name another service and nothing loaded (left out).
    `ignored`: alerts whose code is not a push code (never shown).
    """

    by_binding: dict[str, list[Alert]] = field(default_factory=dict)
    by_device: dict[str, list[Alert]] = field(default_factory=dict)  # binding SID -> alerts
    by_credential: dict[str, list[Alert]] = field(default_factory=dict)
    service: list[Alert] = field(default_factory=list)
    other_service: int = 0
    ignored: int = 0

    def all_push_alerts(self) -> list[Alert]:
        seen: dict[str, Alert] = {}
        for group in (*self.by_binding.values(), *self.by_device.values()):
            seen.update((a.sid, a) for a in group)
        for group in self.by_credential.values():
            seen.update((a.sid, a) for a in group)
        seen.update((a.sid, a) for a in self.service)
        return list(seen.values())

    def for_binding(self, sid: str) -> list[Alert]:
        """Every alert naming this binding, by SID or by its device token."""
        return [*self.by_binding.get(sid, ()), *self.by_device.get(sid, ())]


def match_alerts(
    alerts: Iterable[Alert],
    bindings: Sequence[Binding],
    service_sid: str,
    credential_sids: Iterable[str] = (),
) -> AlertMatches:
    """Tie push alerts to bindings, devices, credentials or the service. O(bindings + alerts):
    the bindings are indexed once (by SID; by token only when an alert names a token)."""
    matches = AlertMatches()
    push: list[tuple[Alert, AlertRefs]] = []
    for alert in alerts:
        if alert.code is None:
            matches.ignored += 1
            continue
        push.append((alert, alert_refs(alert)))
    if not push:
        return matches
    # One pass over the bindings keeping only what the alerts can name (a million
    # bindings in a dict by SID was most of a 1M diagnosis's memory): the named SIDs that
    # are loaded, the credentials in use, and the bindings of the tokens named.
    named_sids = frozenset(sid for _, refs in push for sid in refs.sids)
    token_keys = {
        key
        for _, refs in push
        for value in refs.values
        for kind in _TOKEN_KINDS
        if (key := endpoint_key(kind, value)) is not None
    }
    loaded_sids: set[str] = set()
    credentials = set(credential_sids)
    by_token: dict[str, list[str]] | None = {} if any(refs.values for _, refs in push) else None
    for b in bindings:
        if b.sid in named_sids:
            loaded_sids.add(b.sid)
        if b.credential_sid:
            credentials.add(b.credential_sid)
        if by_token is not None and token_keys:
            key = endpoint_key(b.binding_type, b.endpoint)
            if key is not None and key in token_keys:
                by_token.setdefault(key, []).append(b.sid)

    for alert, refs in push:
        named = [sid for sid in sorted(refs.sids) if sid in loaded_sids]
        if named:
            for sid in named:
                matches.by_binding.setdefault(sid, []).append(alert)
            continue
        devices = _devices(refs.values, by_token) if by_token is not None else []
        if devices:
            for sid in devices:
                matches.by_device.setdefault(sid, []).append(alert)
            continue
        named_credentials = sorted(s for s in refs.sids if s.startswith("CR") and s in credentials)
        if named_credentials:
            for sid in named_credentials:
                matches.by_credential.setdefault(sid, []).append(alert)
            continue
        services = {s for s in refs.sids if s.startswith("IS")}
        if alert.service_sid and alert.service_sid.startswith("IS"):
            services.add(alert.service_sid)
        # Another service's, or (naming no service) nothing a service without bindings
        # could have caused.
        if (services and service_sid not in services) or (not services and not bindings):
            matches.other_service += 1
            continue
        matches.service.append(alert)
    return matches


_TOKEN_KINDS = ("apn", "fcm")  # apn tokens compare as hex, the rest exactly


def _devices(values: frozenset[str], by_token: Mapping[str, list[str]]) -> list[str]:
    found: dict[str, None] = {}
    for value in sorted(values):
        for kind in _TOKEN_KINDS:
            key = endpoint_key(kind, value)
            if key is not None:
                found.update(dict.fromkeys(by_token.get(key, ())))
    return list(found)


def alerts_from_json(records: Iterable[JsonDict]) -> list[Alert]:
    return [Alert.from_json(r) for r in records]


__all__ = [
    "DEFAULT_ALERT_DAYS",
    "DEFAULT_MAX_ALERTS",
    "MAX_ALERT_DAYS",
    "MAX_MAX_ALERTS",
    "Alert",
    "AlertMatches",
    "AlertRefs",
    "AlertWindow",
    "alert_refs",
    "alerts_from_json",
    "match_alerts",
]
