"""Typed records shared by both API flavours (Conversations v1, Chat v2)."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from bindings_tui.errors import InputError, ResponseFormatError
from bindings_tui.sids import is_sid
from bindings_tui.textsafe import clip, make_visible

JsonDict = dict[str, Any]

_EARLIEST_YEAR = 1900
_LATEST_YEAR = 9000


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
        """The one parser of API names (flags, profiles, forms): `conversations`/`v1` or
        `chat`/`v2`, any case, surrounding blanks ignored. The error shows the text inert."""
        lowered = value.strip().lower() if isinstance(value, str) else ""
        for flavor in cls:
            if lowered in (flavor.value, flavor.version):
                return flavor
        shown = clip(make_visible(str(value)), 40)
        raise InputError(f"unknown API '{shown}': use 'conversations' or 'chat'")


_MAX_TIME_TEXT = 64  # an ISO 8601 date is ~25 characters; longer text is not one


def parse_time(value: object) -> datetime | None:
    """Twilio dates are ISO 8601 (`2016-10-21T11:37:03Z`); anything else is None.

    The result is timezone-aware and converts to UTC without overflow: a date such as
    `0001-01-01T00:00:00+05:00` parses but has no UTC moment (every later comparison,
    age or format would raise OverflowError), so it counts as unreadable.
    """
    if not isinstance(value, str) or not value or len(value) > _MAX_TIME_TEXT:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Far from both ends of datetime's range (checked on the year: cheap, and a UTC offset
    # can never push such a moment past the edge), so every later conversion, comparison
    # or age is safe.
    if not _EARLIEST_YEAR <= moment.year < _LATEST_YEAR:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _str_or_none(raw: JsonDict, key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _str_list(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item if isinstance(item, str) else str(item) for item in value)


# A binding keeps the server's JSON object for the detail view and JSON output, but not
# as a dict: 100k dicts (with a copy of every SID they share) were 157 MB of a 100k
# service's memory. It keeps its keys (one tuple shared by every binding with the same
# keys) and its values; values many bindings share are kept once.
_SHARED_STRINGS = frozenset(
    {"account_sid", "chat_service_sid", "service_sid", "credential_sid", "binding_type"}
)
_SHARED_LIMIT = 4096  # distinct shapes remembered; beyond that, values are kept as they are
_shared_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
_shared_message_types: dict[tuple[str, ...], tuple[tuple[str, ...], list[str]]] = {}


class _Derived:
    """Stands in a compact binding for a value rebuilt on demand (see `Binding.raw`)."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix


_TWILIO_TIME = "%Y-%m-%dT%H:%M:%SZ"
_TIME_AS_SENT = _Derived()  # the date is exactly its datetime in Twilio's format
_url_prefixes: dict[str, _Derived] = {}


def _shared_str_or_none(raw: JsonDict, key: str) -> str | None:
    """`_str_or_none`, interned: the same object `_compact` keeps for that key."""
    value = _str_or_none(raw, key)
    return None if value is None else sys.intern(value)


def _record_sid(raw: JsonDict, prefix: str, kind: str) -> str:
    """The record's own `sid`; a record without a well-formed one is refused (it could
    be neither fetched nor deleted, and its text would reach the screen)."""
    sid = raw.get("sid")
    if not isinstance(sid, str) or not is_sid(prefix, sid):
        shown = make_visible(clip(repr(sid), 60))
        raise ResponseFormatError(
            f"a {kind} record has no valid sid (expected {prefix} + 32 hex digits, got {shown})"
        )
    return sid


def _compact_value(key: str, value: Any, sid: str, dates: dict[str, datetime | None]) -> Any:
    """A value to keep: shared or derived where that is exact, else `value` itself.
    `dates` holds the parsed `date_created` and `date_updated`."""
    if not isinstance(value, str):
        return value
    if key in _SHARED_STRINGS:
        return sys.intern(value)
    if key in dates:
        moment = dates[key]
        # Is `value` what `_TWILIO_TIME` rebuilds (`Binding._value`)? For the years
        # parse_time keeps (4 digits), isoformat's first 19 characters are the same
        # fields, and it is half the cost of strftime (twice per binding).
        if moment is not None and value[-1:] == "Z" and moment.isoformat()[:19] == value[:-1]:
            return _TIME_AS_SENT
    elif key == "url" and value.endswith("/" + sid):
        prefix = value[: -len(sid)]
        derived = _url_prefixes.get(prefix)
        if derived is None and len(_url_prefixes) < _SHARED_LIMIT:
            derived = _url_prefixes[prefix] = _Derived(prefix)
        if derived is not None:
            return derived
    return value


def _compact(
    raw: JsonDict, sid: str, dates: dict[str, datetime | None]
) -> tuple[tuple[str, ...], tuple[Any, ...], tuple[str, ...]]:
    """(keys, values, message types) of a binding's JSON, sharing what can be shared and
    standing in for the URL and dates where they can be rebuilt exactly."""
    keys = tuple(raw)
    shared_keys = _shared_keys.get(keys)
    if shared_keys is None and len(_shared_keys) < _SHARED_LIMIT:
        shared_keys = _shared_keys[keys] = keys
    message_types = _str_list(raw.get("message_types"))
    values: list[Any] = []
    for key, value in raw.items():
        if isinstance(value, str):
            value = _compact_value(key, value, sid, dates)
        elif key == "message_types" and isinstance(value, list) and value == list(message_types):
            shared = _shared_message_types.get(message_types)
            if shared is None and len(_shared_message_types) < _SHARED_LIMIT:
                shared = _shared_message_types[message_types] = (message_types, value)
            if shared is not None:
                message_types, value = shared
        values.append(value)
    return shared_keys or keys, tuple(values), message_types


@dataclass(frozen=True, slots=True)
class Binding:
    """One push-notification binding. `raw` is the server's JSON, for the detail view.

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
    raw_keys: tuple[str, ...] = field(default=(), repr=False, compare=False)
    raw_values: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def raw(self) -> JsonDict:
        """The server's JSON object, rebuilt (a new dict each time: changing it changes
        nothing here)."""
        return {
            key: self._value(key, value)
            for key, value in zip(self.raw_keys, self.raw_values, strict=True)
        }

    def _value(self, key: str, value: Any) -> Any:
        if value is _TIME_AS_SENT:
            moment = self.date_created if key == "date_created" else self.date_updated
            return moment.strftime(_TWILIO_TIME) if moment is not None else None
        if isinstance(value, _Derived):
            return value.prefix + self.sid
        return value

    @property
    def url(self) -> str | None:
        try:
            value = self._value("url", self.raw_values[self.raw_keys.index("url")])
        except ValueError:
            return None
        return None if value is None else str(value)

    @property
    def message_types_sent(self) -> bool:
        """Whether the server sent `message_types` at all (not missing, not null)."""
        try:
            return self.raw_values[self.raw_keys.index("message_types")] is not None
        except ValueError:
            return False

    @classmethod
    def from_json(cls, raw: object) -> Binding:
        if not isinstance(raw, dict):
            raise ResponseFormatError(
                f"a binding record must be an object, got {type(raw).__name__}"
            )
        sid = _record_sid(raw, "BS", "binding")
        dates = {key: parse_time(raw.get(key)) for key in ("date_created", "date_updated")}
        keys, values, message_types = _compact(raw, sid, dates)
        return cls(
            sid=sid,
            identity=_str_or_none(raw, "identity"),
            binding_type=_shared_str_or_none(raw, "binding_type"),
            endpoint=_str_or_none(raw, "endpoint"),
            message_types=message_types,
            credential_sid=_shared_str_or_none(raw, "credential_sid"),
            service_sid=_shared_str_or_none(raw, "chat_service_sid")
            or _shared_str_or_none(raw, "service_sid"),
            account_sid=_shared_str_or_none(raw, "account_sid"),
            date_created=dates["date_created"],
            date_updated=dates["date_updated"],
            raw_keys=keys,
            raw_values=values,
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
        if not isinstance(raw, dict):
            raise ResponseFormatError("a service record must be an object")
        return cls(
            sid=_record_sid(raw, "IS", "service"),
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
        if not isinstance(raw, dict):
            raise ResponseFormatError("a credential record must be an object")
        sid = _record_sid(raw, "CR", "credential")
        sandbox_raw = raw.get("sandbox")
        sandbox: bool | None
        if isinstance(sandbox_raw, bool):
            sandbox = sandbox_raw
        elif isinstance(sandbox_raw, str) and sandbox_raw.lower() in ("true", "false"):
            sandbox = sandbox_raw.lower() == "true"
        else:
            sandbox = None
        return cls(
            sid=sid,
            friendly_name=_str_or_none(raw, "friendly_name"),
            type=_str_or_none(raw, "type"),
            sandbox=sandbox,
            raw=raw,
        )


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list response: records read from `payload[meta.key]`.

    A list's first page may be handed on in two, so that its first rows reach the screen
    before the rest are parsed: a `head` (the page's first records) and then its `rest`
    (the other records of the same page). Count pages by those that are not a rest.
    """

    items: list[T]
    page: int
    page_size: int
    key: str
    next_page_url: str | None
    url: str | None
    head: bool = False
    rest: bool = False
