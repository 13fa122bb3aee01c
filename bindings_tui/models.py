"""Typed records shared by both API flavours (Conversations v1, Chat v2)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from bindings_tui.errors import InputError, ResponseFormatError

JsonDict = dict[str, Any]


class ApiFlavor(enum.Enum):
    """Which Twilio product a call goes to."""

    CONVERSATIONS = "conversations"
    CHAT = "chat"

    @property
    def version(self) -> str:
        return "v1" if self is ApiFlavor.CONVERSATIONS else "v2"

    @property
    def host_prefix(self) -> str:
        return self.value

    @property
    def service_field(self) -> str:
        """Name of the service SID field in a binding body."""
        return "chat_service_sid" if self is ApiFlavor.CONVERSATIONS else "service_sid"

    @property
    def binding_types(self) -> tuple[str, ...]:
        """The closed enum of binding types the official spec allows for listing."""
        if self is ApiFlavor.CONVERSATIONS:
            return ("apn", "gcm", "fcm", "twilsock")
        return ("apn", "gcm", "fcm")

    @property
    def max_bindings_page_size(self) -> int:
        """The official spec's PageSize maximum for the Bindings list."""
        return 100 if self is ApiFlavor.CONVERSATIONS else 50

    @property
    def label(self) -> str:
        return "Conversations v1" if self is ApiFlavor.CONVERSATIONS else "Chat v2"

    @classmethod
    def parse(cls, value: str) -> ApiFlavor:
        lowered = value.strip().lower()
        for flavor in cls:
            if lowered in (flavor.value, flavor.version):
                return flavor
        raise InputError(f"unknown API {value!r}: use 'conversations' or 'chat'")


def parse_time(value: object) -> datetime | None:
    """Twilio dates are ISO 8601 (`2016-10-21T11:37:03Z`); anything else is None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _str_or_none(raw: JsonDict, key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _str_list(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item if isinstance(item, str) else str(item) for item in value)


@dataclass(frozen=True, slots=True)
class Binding:
    """One push-notification binding. `raw` keeps the server's JSON for the detail view.

    Every field tolerates null; an unknown `binding_type` is kept as the string.
    """

    sid: str
    identity: str | None
    binding_type: str | None
    endpoint: str | None
    message_types: tuple[str, ...]
    credential_sid: str | None
    service_sid: str | None
    account_sid: str | None
    date_created: datetime | None
    date_updated: datetime | None
    url: str | None
    raw: JsonDict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Binding:
        if not isinstance(raw, dict):
            raise ResponseFormatError(
                f"a binding record must be an object, got {type(raw).__name__}"
            )
        sid = raw.get("sid")
        if not isinstance(sid, str) or not sid:
            raise ResponseFormatError("a binding record has no sid")
        return cls(
            sid=sid,
            identity=_str_or_none(raw, "identity"),
            binding_type=_str_or_none(raw, "binding_type"),
            endpoint=_str_or_none(raw, "endpoint"),
            message_types=_str_list(raw.get("message_types")),
            credential_sid=_str_or_none(raw, "credential_sid"),
            service_sid=_str_or_none(raw, "chat_service_sid") or _str_or_none(raw, "service_sid"),
            account_sid=_str_or_none(raw, "account_sid"),
            date_created=parse_time(raw.get("date_created")),
            date_updated=parse_time(raw.get("date_updated")),
            url=_str_or_none(raw, "url"),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class Service:
    sid: str
    friendly_name: str | None
    date_created: datetime | None
    date_updated: datetime | None
    raw: JsonDict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Service:
        if not isinstance(raw, dict) or not isinstance(raw.get("sid"), str):
            raise ResponseFormatError("a service record must be an object with a sid")
        return cls(
            sid=raw["sid"],
            friendly_name=_str_or_none(raw, "friendly_name"),
            date_created=parse_time(raw.get("date_created")),
            date_updated=parse_time(raw.get("date_updated")),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class Credential:
    """A push credential (APN/FCM/GCM) as the Credentials resource describes it."""

    sid: str
    friendly_name: str | None
    type: str | None
    sandbox: bool | None
    raw: JsonDict = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Credential:
        if not isinstance(raw, dict) or not isinstance(raw.get("sid"), str):
            raise ResponseFormatError("a credential record must be an object with a sid")
        sandbox_raw = raw.get("sandbox")
        sandbox: bool | None
        if isinstance(sandbox_raw, bool):
            sandbox = sandbox_raw
        elif isinstance(sandbox_raw, str) and sandbox_raw.lower() in ("true", "false"):
            sandbox = sandbox_raw.lower() == "true"
        else:
            sandbox = None
        return cls(
            sid=raw["sid"],
            friendly_name=_str_or_none(raw, "friendly_name"),
            type=_str_or_none(raw, "type"),
            sandbox=sandbox,
            raw=raw,
        )


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list response: records read from `payload[meta.key]`."""

    items: list[T]
    page: int
    page_size: int
    key: str
    next_page_url: str | None
    url: str | None
