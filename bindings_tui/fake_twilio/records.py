"""The fake's stored records, independent of how either API renders them.

Times are epoch seconds (formatted only when a record is rendered). Message types are
stored with Conversations v1 names; the Chat v2 view renames them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class PushTemplate:
    enabled: bool
    template: str | None
    sound: str | None
    badge_count_enabled: bool | None = None  # only new_message has it


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    new_message: PushTemplate
    added: PushTemplate
    removed: PushTemplate
    invited: PushTemplate  # Chat v2 only (invited_to_channel)
    log_enabled: bool


@dataclass(frozen=True, slots=True)
class FakeService:
    sid: str
    friendly_name: str
    created: int
    updated: int
    notifications: NotificationSettings
    # Chat v2 role SIDs (RL...), seeded.
    role_sids: tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class FakeCredential:
    sid: str
    friendly_name: str
    type: str  # apn | gcm | fcm
    sandbox: bool
    created: int
    updated: int


class FakeBinding(NamedTuple):
    """A NamedTuple rather than a frozen dataclass: 100k of them are built at startup."""

    sid: str
    service_sid: str
    identity: str
    binding_type: str  # apn | gcm | fcm | twilsock
    endpoint: str
    credential_sid: str | None
    message_types: tuple[str, ...]
    created: int
    updated: int
