"""In-memory state and cursor pagination.

Records are kept in SID order; a page cursor names the last (or first) SID of the page
it came from, so a page after a deletion starts exactly where the previous one ended
(bisect over the sorted SIDs: paging 100k records costs O(page) per page).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bindings_tui.fake_twilio.data import Dataset
from bindings_tui.fake_twilio.evidence_data import FakeAlert, FakeUser, seed_users
from bindings_tui.fake_twilio.records import FakeBinding, FakeCredential, FakeService

T = TypeVar("T")

_AFTER = "PA"
_BEFORE = "PB"
_TOKEN = re.compile(r"^(PA|PB)([A-Z]{2}[0-9a-f]{32})$")


class InvalidPageToken(ValueError):
    """The PageToken is not one this server issued for this list."""


@dataclass(frozen=True, slots=True)
class Cursor:
    after: bool  # True: records after `sid`; False: records before it
    sid: str

    def encode(self) -> str:
        return (_AFTER if self.after else _BEFORE) + self.sid


def decode_token(token: str, sid_prefix: str) -> Cursor:
    match = _TOKEN.match(token)
    if not match or not match.group(2).startswith(sid_prefix):
        raise InvalidPageToken(token)
    return Cursor(after=match.group(1) == _AFTER, sid=match.group(2))


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    items: list[T]
    has_next: bool
    has_previous: bool

    @property
    def first_sid(self) -> str | None:
        return _sid_of(self.items[0]) if self.items else None

    @property
    def last_sid(self) -> str | None:
        return _sid_of(self.items[-1]) if self.items else None


def _sid_of(item: object) -> str:
    sid = getattr(item, "sid", None)
    assert isinstance(sid, str)
    return sid


def paginate(
    sids: Sequence[str],
    lookup: Callable[[str], T | None],
    accept: Callable[[T], bool],
    page_size: int,
    cursor: Cursor | None = None,
    skip: int = 0,
) -> Slice[T]:
    """One page of accepted records from `sids` (sorted), after/before a cursor.

    Without a cursor the page starts after `skip` accepted records (a bare `Page=N`).
    """

    def matches(index: int) -> T | None:
        item = lookup(sids[index])
        return item if item is not None and accept(item) else None

    def any_match(indexes: range) -> bool:
        return any(matches(i) is not None for i in indexes)

    total = len(sids)
    if cursor is not None and not cursor.after:
        end = bisect.bisect_left(sids, cursor.sid)
        found: list[T] = []
        index = end - 1
        while index >= 0 and len(found) < page_size:
            item = matches(index)
            if item is not None:
                found.append(item)
            index -= 1
        found.reverse()
        return Slice(found, any_match(range(end, total)), any_match(range(index, -1, -1)))

    start = bisect.bisect_right(sids, cursor.sid) if cursor is not None else 0
    has_previous = cursor is not None and any_match(range(start - 1, -1, -1))
    items: list[T] = []
    index = start
    while index < total and len(items) < page_size + skip:
        item = matches(index)
        if item is not None:
            items.append(item)
        index += 1
    if skip:
        has_previous = has_previous or bool(items[:skip])
        items = items[skip:]
    return Slice(items, any_match(range(index, total)), has_previous)


class ServiceBindings:
    """The bindings of one service, with a SID-sorted index and an identity index."""

    def __init__(self, bindings: list[FakeBinding]) -> None:
        self.by_sid: dict[str, FakeBinding] = {b.sid: b for b in bindings}
        self.sorted_sids: list[str] = sorted(self.by_sid)
        self.by_identity: dict[str, set[str]] = {}
        for binding in bindings:
            self.by_identity.setdefault(binding.identity, set()).add(binding.sid)

    def __len__(self) -> int:
        return len(self.by_sid)

    def remove(self, sid: str) -> FakeBinding | None:
        binding = self.by_sid.pop(sid, None)
        if binding is None:
            return None
        index = bisect.bisect_left(self.sorted_sids, sid)
        if index < len(self.sorted_sids) and self.sorted_sids[index] == sid:
            del self.sorted_sids[index]
        owners = self.by_identity.get(binding.identity)
        if owners is not None:
            owners.discard(sid)
            if not owners:
                del self.by_identity[binding.identity]
        return binding

    def add(self, binding: FakeBinding) -> None:
        if binding.sid in self.by_sid:
            self.remove(binding.sid)
        self.by_sid[binding.sid] = binding
        bisect.insort(self.sorted_sids, binding.sid)
        self.by_identity.setdefault(binding.identity, set()).add(binding.sid)

    def candidates(self, identities: Sequence[str]) -> Sequence[str]:
        """SIDs worth scanning: all of them, or only those of the given identities."""
        if not identities:
            return self.sorted_sids
        chosen: set[str] = set()
        for identity in identities:
            chosen |= self.by_identity.get(identity, set())
        return sorted(chosen)


class Store:
    """Everything a FakeTwilio serves; services and credentials keep their seeded order."""

    def __init__(self, dataset: Dataset) -> None:
        self.services: dict[str, FakeService] = {s.sid: s for s in dataset.services}
        self.service_order: list[str] = [s.sid for s in dataset.services]
        self.credentials: dict[str, FakeCredential] = {c.sid: c for c in dataset.credentials}
        self.bindings: dict[str, ServiceBindings] = {
            sid: ServiceBindings(dataset.bindings.get(sid, [])) for sid in self.service_order
        }
        self.missing_credential_sid = dataset.missing_credential_sid
        self.anomaly_groups = dataset.anomaly_groups
        self.alerts: dict[str, FakeAlert] = {a.sid: a for a in dataset.alerts}
        self._seed_bindings = dataset.bindings
        self.now = dataset.now  # the instant the seeded dates are relative to
        self._users: dict[str, dict[str, FakeUser]] = {}

    def sorted_alert_sids(self) -> list[str]:
        return sorted(self.alerts)

    def user(self, service_sid: str, identity: str) -> FakeUser | None:
        """The service's User for an identity (built on first ask from the seeded bindings)."""
        users = self._users.get(service_sid)
        if users is None:
            service = self.services[service_sid]
            users = self._users[service_sid] = seed_users(
                service, self._seed_bindings.get(service_sid, []), self.now
            )
        return users.get(identity)

    def sorted_service_sids(self) -> list[str]:
        return sorted(self.services)

    def sorted_credential_sids(self) -> list[str]:
        return sorted(self.credentials)

    def binding(self, service_sid: str, binding_sid: str) -> FakeBinding | None:
        service = self.bindings.get(service_sid)
        return service.by_sid.get(binding_sid) if service else None

    def delete_binding(self, service_sid: str, binding_sid: str) -> bool:
        service = self.bindings.get(service_sid)
        return service is not None and service.remove(binding_sid) is not None
