"""Helpers for the push-diagnostics tests: hand-built bindings on a fixed clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from bindings_tui.models import Binding

NOW = datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC)
CR_APN = "CR" + "a" * 32
CR_APN_SANDBOX = "CR" + "b" * 32
CR_FCM = "CR" + "c" * 32
CR_GONE = "CR" + "d" * 32

_MISSING = object()


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


_counter = itertools.count(1)


def make_binding(
    identity: str | None = "alice",
    binding_type: str | None = "apn",
    endpoint: Any = _MISSING,
    message_types: Any = ("new_message", "added_to_conversation"),
    credential_sid: str | None = CR_APN,
    updated: Any = _MISSING,
    created: Any = _MISSING,
    sid: str | None = None,
    omit: tuple[str, ...] = (),
) -> Binding:
    """`make_binding(identity=..., binding_type=..., updated=days_ago(3), ...)`.

    Builds the JSON a server would send and parses it with `Binding.from_json`, so the
    tests exercise the same null handling as real data. Pass `message_types=None` for
    JSON null, `omit=("message_types",)` to leave a key out.
    """
    n = next(_counter)
    if endpoint is _MISSING:
        endpoint = f"{n:064x}"
    if updated is _MISSING:
        updated = days_ago(1)
    if created is _MISSING:
        created = updated - timedelta(days=10) if updated is not None else days_ago(11)
    raw: dict[str, Any] = {
        "sid": sid or f"BS{n:032x}",
        "account_sid": "AC" + "0" * 32,
        "chat_service_sid": "IS" + "0" * 32,
        "credential_sid": credential_sid,
        "identity": identity,
        "binding_type": binding_type,
        "endpoint": endpoint,
        "message_types": list(message_types) if message_types is not None else None,
        "date_created": iso(created),
        "date_updated": iso(updated),
        "url": None,
    }
    for key in omit:
        raw.pop(key, None)
    return Binding.from_json(raw)
